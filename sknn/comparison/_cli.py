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
    from ._job import _model_names

    try:
        names, explicit = _model_names(value.strip())
    except ValueError:
        from ._models import MODELS

        names = [m.strip() for m in value.split(",") if m.strip()]
        unknown = [m for m in names if m not in MODELS]
        raise argparse.ArgumentTypeError(
            f"unknown {unknown or 'empty list'}; choose from {list(MODELS)} or 'all'"
        ) from None
    return names if explicit else "all"


def _datasets(value):
    """``--dataset``: names and collections, comma-separated; each checked, none loaded."""
    from .datasets import COLLECTIONS, _check_name

    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError("empty list of data sets")
    for name in names:
        if name not in COLLECTIONS:
            _checked_by(_check_name)(name)
    return ",".join(names)


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


def _probability(value):
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {value!r}") from None
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {number}")
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
        "scikit-learn's MLP on one or more data sets; show a progress bar, print a table "
        "(with each model's difference to the best baseline, its confidence interval "
        "and the corrected resampled t-test's p-value) and, over several data sets, "
        "the average ranks with Friedman's and Wilcoxon-Holm tests; write results.csv "
        "(the summary), folds.csv (every fold), results.md and (with matplotlib) "
        "results.png or ranks.png. Each fold's result is appended to folds.jsonl as it "
        "finishes, and a run started again with the same options resumes from it. "
        "Exit status: 2 for a bad option, 1 when a data set is not installed.",
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
    from .datasets import DATASETS

    models_help = "; ".join(f"{k}: {v}" for k, v in MODEL_DESCRIPTIONS.items())
    cmp.add_argument(
        "--dataset",
        default="digits",
        type=_datasets,
        metavar="LIST",
        help=f"comma-separated data sets: {', '.join(DATASETS)}, ucr:<Name> for another "
        "UCR set shipped with sktime, or a collection: 'bundled' (scikit-learn's four) "
        "or 'ucr' (every installed UCR set). Default: digits, bundled with "
        "scikit-learn; --list shows what is installed",
    )
    cmp.add_argument(
        "--models",
        default="all",
        type=_models,
        metavar="LIST",
        help="comma-separated model names, or 'all' (the default: every model that fits "
        "the data; sknn-convnet needs images, time series or text, sknn-rnn time series or text, "
        f"the tfidf- baselines text; the others numeric rows). {models_help}",
    )
    cmp.add_argument(
        "--metric",
        default="accuracy",
        type=_checked_by(_check_metric),
        help="a scikit-learn scorer name: accuracy (default), balanced_accuracy, "
        "f1_macro, roc_auc_ovr, neg_log_loss, ...",
    )
    cmp.add_argument("--cv", type=_int_at_least(2), default=5, help="number of folds (>= 2)")
    cmp.add_argument(
        "--repeats",
        type=_int_at_least(1),
        default=1,
        help="repetitions of the cross-validation, each on other folds, the same for "
        "every model (default: 1; 10 with --cv 10 is the usual choice for paired tests)",
    )
    cmp.add_argument(
        "--alpha",
        type=_probability,
        default=0.05,
        help="level of the tests; confidence intervals at 1 - alpha (default: 0.05)",
    )
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
    cmp.add_argument(
        "--no-resume",
        action="store_true",
        help="refit every fold, discarding the results of earlier runs in <out>/folds.jsonl",
    )


def _list():
    from ._models import MODEL_DESCRIPTIONS
    from .datasets import COLLECTIONS, available_datasets, dataset_kind

    print("data sets:")
    for name, missing in available_datasets().items():
        kind = dataset_kind(name)
        print(f"  {name:24s} {kind:8s} {'installed' if missing is None else missing}")
    print("collections (for --dataset):")
    for name, members in COLLECTIONS.items():
        print(f"  {name:24s} {', '.join(members) if members else 'every installed UCR set'}")
    print("models:")
    for name, what in MODEL_DESCRIPTIONS.items():
        print(f"  {name:24s} {what}")
    return 0


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _write_outputs(summary, folds, ranks, out, title, text):
    from ._report import plot_ranks, plot_table

    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    _write_csv(out / "results.csv", summary)
    _write_csv(out / "folds.csv", folds)
    written = ["results.csv", "folds.csv", "results.md"]
    if ranks is not None:
        _write_csv(out / "ranks.csv", [{k: v for k, v in r.items() if k != "attrs"} for r in ranks])
        written.append("ranks.csv")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return written
    if ranks is None:
        fig, name = plot_table(summary, title.replace(", ", "\n", 1)), "results.png"
    else:
        fig, name = plot_ranks(ranks), "ranks.png"
    fig.savefig(out / name, dpi=90)
    plt.close(fig)
    return [*written, name]


def _ranks(summary, alpha):
    """The rank table as a list of dicts (attrs in the first), or None for one data set."""
    from ._job import rank_table

    if len({r["dataset"] for r in summary}) < 2:
        return None
    ranks = rank_table(summary, alpha=alpha)
    if hasattr(ranks, "to_dict"):
        records = ranks.to_dict("records")
        records[0]["attrs"] = dict(ranks.attrs)
        return records
    return ranks


def compare_main(args, parser):
    from ..utils._torch import resolve_device
    from ._job import _compare
    from ._report import rank_markdown, to_markdown
    from .datasets import DatasetNotFoundError

    if args.list:
        return _list()
    try:
        resolve_device(args.device)
    except ValueError as exc:
        parser.error(f"--device: {exc}")
    out = pathlib.Path(args.out)
    start = time.perf_counter()
    try:
        summary, folds, notes, descriptions = _compare(
            None,
            None,
            dataset=args.dataset,
            models=args.models,
            metric=args.metric,
            cv=args.cv,
            repeats=args.repeats,
            random_state=args.seed,
            max_iter=args.max_iter,
            device=args.device,
            n_jobs=args.n_jobs,
            n_samples=args.n_samples,
            image_shape=None,
            threads=args.threads,
            progress=not args.no_progress,
            results_file=out / "folds.jsonl",
            resume=not args.no_resume,
            alpha=args.alpha,
        )
    except DatasetNotFoundError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. too few samples of a class for --cv folds
        parser.error(str(exc))
    elapsed = time.perf_counter() - start
    cv = f"{args.cv}-fold CV" + (f" x {args.repeats} repeats" if args.repeats > 1 else "")
    data = "; ".join(descriptions.values()) if len(descriptions) > 1 else descriptions.popitem()[1]
    title = f"{data}, {cv}, {args.metric}"
    ranks = _ranks(summary, args.alpha)
    text = to_markdown(summary)
    text += (
        f"\n\ndifference to best baseline: mean of the paired fold differences, its "
        f"{1 - args.alpha:.0%} confidence interval and the p-value of the corrected "
        f"resampled t-test (Nadeau & Bengio 2003); n.s.: not significant at {args.alpha}"
    )
    if ranks is not None:
        text += "\n\n" + rank_markdown(ranks)
    print(f"\n{title}\n\n{text}\n")
    for note in notes:
        print(f"note: {note}")
    print(f"total {elapsed:.1f} s")
    written = _write_outputs(summary, folds, ranks, out, title, text)
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
