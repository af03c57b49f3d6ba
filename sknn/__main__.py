"""Command line: ``python -m sknn compare`` (also installed as ``sknn-compare``)."""

import argparse
import csv
import pathlib
import sys
import time


def _parser():
    from ._compare import DATASETS, MODELS

    parser = argparse.ArgumentParser(prog="python -m sknn")
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser(
        "compare",
        help="cross-validate sknn estimators against SVC, LogisticRegression and "
             "scikit-learn's MLP",
        description="Cross-validate sknn estimators against SVC, LogisticRegression and "
                    "scikit-learn's MLP on a bundled dataset; print a table and write "
                    "results.csv, results.md and (with matplotlib) results.png.",
    )
    cmp.add_argument("--dataset", default="digits", choices=DATASETS)
    cmp.add_argument("--models", default=",".join(MODELS),
                     help=f"comma-separated subset of: {', '.join(MODELS)}")
    cmp.add_argument("--cv", type=int, default=5, help="number of folds (>= 2)")
    cmp.add_argument("--seed", type=int, default=0, help="random seed")
    cmp.add_argument("--max-iter", type=int, default=200, help="epochs of the neural models")
    cmp.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda' or 'cuda:N'")
    cmp.add_argument("--out", default="sknn-compare-output", help="output folder")
    cmp.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _plot(rows, path, title):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    names = [r["model"] for r in rows][::-1]
    ax.barh(names, [r["accuracy_mean"] for r in rows][::-1],
            xerr=[r["accuracy_std"] for r in rows][::-1], color="tab:blue", alpha=0.7)
    lo = min(r["accuracy_mean"] - r["accuracy_std"] for r in rows)
    ax.set_xlim(max(0.0, lo - 0.05), 1.0)
    ax.set_xlabel("cross-validated accuracy (mean ± std)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def compare_main(args, parser):
    from ._compare import MODELS, compare, load_dataset, to_markdown
    from .utils._torch import resolve_device

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if not models or unknown:
        parser.error(f"--models: unknown {unknown or 'empty list'}; choose from {list(MODELS)}")
    if args.cv < 2:
        parser.error("--cv must be at least 2")
    if args.max_iter < 1:
        parser.error("--max-iter must be at least 1")
    try:
        resolve_device(args.device)
    except ValueError as exc:
        parser.error(f"--device: {exc}")
    X, y, description = load_dataset(args.dataset)
    start = time.perf_counter()
    table = compare(X, y, models=models, cv=args.cv, random_state=args.seed,
                    max_iter=args.max_iter, device=args.device,
                    progress=not args.no_progress)
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    title = f"{description}, {args.cv}-fold CV, StandardScaler in front of every model"
    markdown = to_markdown(rows)
    print(f"\n{title}\n\n{markdown}\n\ntotal {time.perf_counter() - start:.1f} s")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(f"{title}\n\n{markdown}\n")
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    written = ["results.csv", "results.md"]
    if _plot(rows, out / "results.png", title.replace(", ", "\n", 1)):
        written.append("results.png")
    print(f"wrote {', '.join(str(out / w) for w in written)}")
    return 0


def main(argv=None):
    """Entry point of ``python -m sknn``; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare_main(args, parser)
    return 2  # pragma: no cover - argparse rejects other commands


def compare_entry():
    """Console script ``sknn-compare``: ``python -m sknn compare`` with the same options."""
    return main(["compare", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
