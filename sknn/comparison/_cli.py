"""Command line of the comparison: ``python -m sknn compare`` (also ``sknn-compare``).

It parses the options, prints the table and writes the output files;
``sknn/__main__.py`` calls :func:`main`.

Exit status: 0 on success, 2 for a bad option (with argparse's usage message), 1 when
a data set is not installed (with a message saying what to install), 130 on Ctrl-C.
"""

import argparse
import csv
import pathlib
import sys
import time


def _checked_by(check):
    """An argparse type: the value, once ``check(value)`` passes; its ValueError says why not."""

    def parse(value):
        try:
            check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    return parse


def _models(value):
    from ._models import MODELS

    if value.strip() == "all":
        return "all"
    names = [m.strip() for m in value.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {unknown or 'empty list'}; choose from {list(MODELS)} or 'all'"
        )
    return names


def _int_at_least(low):
    def parse(value):
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {value!r}") from None
        if number < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {number}")
        return number

    return parse


def _n_jobs(value):
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {value!r}") from None
    if number == 0:
        raise argparse.ArgumentTypeError("must be a positive number of workers, or -1 for all")
    return number


def _n_samples(value):
    if value in ("all", "auto"):
        return None if value == "all" else "auto"
    return _int_at_least(2)(value)


def _parser():
    parser = argparse.ArgumentParser(prog="python -m sknn")
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser(
        "compare",
        help="cross-validate sknn estimators against SVC, LogisticRegression and "
        "scikit-learn's MLP",
        description="Cross-validate sknn estimators against SVC, LogisticRegression and "
        "scikit-learn's MLP on one data set; show a progress bar, print a table and "
        "write results.csv, results.md and (with matplotlib) results.png. Exit status: "
        "2 for a bad option, 1 when the data set is not installed.",
    )
    _add_what_options(cmp)
    _add_how_options(cmp)
    cmp.set_defaults(subparser=cmp)
    cmp.add_argument(
        "--list",
        action="store_true",
        help="list the data sets (and whether they are installed) and the models, then exit",
    )
    return parser


def _add_what_options(cmp):
    """The options that choose what is compared: data set, models, metric, folds."""
    from ._job import _check_metric
    from ._models import MODEL_DESCRIPTIONS
    from .datasets import DATASETS, _check_name

    models_help = "; ".join(f"{k}: {v}" for k, v in MODEL_DESCRIPTIONS.items())
    cmp.add_argument(
        "--dataset",
        default="digits",
        type=_checked_by(_check_name),
        metavar="NAME",
        help=f"one of {', '.join(DATASETS)}, or ucr:<Name> for another UCR set shipped "
        "with sktime (default: digits, bundled with scikit-learn; --list shows what is "
        "installed)",
    )
    cmp.add_argument(
        "--models",
        default="all",
        type=_models,
        metavar="LIST",
        help="comma-separated model names, or 'all' (the default: every model that fits "
        f"the data; sknn-convnet needs images or time series). {models_help}",
    )
    cmp.add_argument(
        "--metric",
        default="accuracy",
        type=_checked_by(_check_metric),
        help="a scikit-learn scorer name: accuracy (default), balanced_accuracy, "
        "f1_macro, roc_auc_ovr, neg_log_loss, ...",
    )
    cmp.add_argument("--cv", type=_int_at_least(2), default=5, help="number of folds (>= 2)")
    cmp.add_argument("--seed", type=int, default=0, help="random seed (folds, models, subsample)")


def _add_how_options(cmp):
    """The options of how the job runs and where it writes."""
    cmp.add_argument(
        "--max-iter",
        type=_int_at_least(1),
        default=200,
        help="epochs of the neural models (default: 200)",
    )
    cmp.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda' or 'cuda:N'")
    cmp.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        metavar="N",
        help="folds in parallel worker processes, one torch thread each "
        "(-1: one per core; default: 1)",
    )
    cmp.add_argument(
        "--threads",
        type=_int_at_least(0),
        default=1,
        metavar="N",
        help="CPU threads of each fit, PyTorch's and BLAS's (default: 1, the "
        "fastest for these small models; 0: the libraries' default, one per "
        "core)",
    )
    cmp.add_argument(
        "--n-samples",
        type=_n_samples,
        default="auto",
        metavar="N",
        help="rows to draw from the data set, stratified: a number, 'all' or "
        "'auto' (default: 5000 for fashion_mnist, all rows otherwise)",
    )
    cmp.add_argument("--out", default="sknn-compare-output", help="output folder")
    cmp.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _list():
    from ._models import MODEL_DESCRIPTIONS
    from .datasets import available_datasets

    print("data sets:")
    for name, missing in available_datasets().items():
        print(f"  {name:24s} {'installed' if missing is None else missing}")
    print("models:")
    for name, what in MODEL_DESCRIPTIONS.items():
        print(f"  {name:24s} {what}")
    return 0


def _write_outputs(rows, out, title):
    from ._report import plot_table, to_markdown

    out.mkdir(parents=True, exist_ok=True)
    markdown = to_markdown(rows)
    (out / "results.md").write_text(f"{title}\n\n{markdown}\n", encoding="utf-8")
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    written = ["results.csv", "results.md"]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return written
    fig = plot_table(rows, title.replace(", ", "\n", 1))
    fig.savefig(out / "results.png", dpi=90)
    plt.close(fig)
    return [*written, "results.png"]


def compare_main(args, parser):
    from ..utils._torch import resolve_device
    from ._job import _compare
    from ._report import to_markdown
    from .datasets import DatasetNotFoundError

    if args.list:
        return _list()
    try:
        resolve_device(args.device)
    except ValueError as exc:
        parser.error(f"--device: {exc}")
    start = time.perf_counter()
    try:
        rows, notes, description = _compare(
            None,
            None,
            dataset=args.dataset,
            models=args.models,
            metric=args.metric,
            cv=args.cv,
            random_state=args.seed,
            max_iter=args.max_iter,
            device=args.device,
            n_jobs=args.n_jobs,
            n_samples=args.n_samples,
            image_shape=None,
            threads=args.threads,
            progress=not args.no_progress,
        )
    except DatasetNotFoundError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. too few samples of a class for --cv folds
        parser.error(str(exc))
    elapsed = time.perf_counter() - start
    title = f"{description}, {args.cv}-fold CV, {args.metric}"
    print(f"\n{title}\n\n{to_markdown(rows)}\n")
    for note in notes:
        print(f"note: {note}")
    print(f"total {elapsed:.1f} s")
    out = pathlib.Path(args.out)
    written = _write_outputs(rows, out, title)
    print(f"wrote {', '.join(str(out / w) for w in written)}")
    return 0


def main(argv=None):
    """Entry point of ``python -m sknn``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "compare":
            return compare_main(args, args.subparser)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return 2  # pragma: no cover - argparse rejects other commands


def compare_entry():
    """Console script ``sknn-compare``: ``python -m sknn compare`` with the same options."""
    return main(["compare", *sys.argv[1:]])
