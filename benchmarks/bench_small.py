"""Small-data speed of sknn.MLPClassifier against scikit-learn's, side by side in one
process: a fit on 5000 x 20 rows, one-row predict, and a 24-fit grid search.

1. **Small fit**: ``make_classification(5000, 20, n_informative=10, random_state=0)``,
   ``MLPClassifier(random_state=0)`` with default settings (sknn on ``device='cpu'``),
   fit time, median of ``--repeat`` interleaved fits; then the one-row ``predict``
   latency of the fitted models (median over ``--calls`` calls), for the float64 row
   ``X[:1]`` and the same row in float32.
2. **Grid search**: ``GridSearchCV`` of ``StandardScaler + MLPClassifier(max_iter=200,
   random_state=0)`` over hidden_layer_sizes (10,)/(20,) x alpha 1e-4/1e-3 x
   learning_rate_init 1e-3/1e-2, ``cv=3`` (8 candidates x 3 folds = 24 fits) on iris
   (``--grid-data digits``: digits scaled by 1/16), with ``n_jobs=1`` and ``n_jobs=2``;
   wall time, median of ``--repeat`` interleaved searches after one untimed search of
   each (which starts joblib's workers and their imports).

Usage::

    python benchmarks/bench_small.py            # about 2 minutes on 2 idle cores
    python benchmarks/bench_small.py --quick    # smoke test, seconds
    python benchmarks/bench_small.py --only grid   # only the grid search (or: small)

``run_all.py`` imports :func:`bench_small_fit` and :func:`bench_grid`. The Markdown
report is printed and written, with the raw numbers, to ``--out`` as
``small_<tag>.md`` / ``.json``.
"""

import argparse
import json
import os
import pathlib
import statistics
import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402  (the idle gate and the environment report)

import sknn  # noqa: E402

CLASSES = {"sknn": lambda **kw: sknn.MLPClassifier(device="cpu", **kw), "sklearn": SkMLPClassifier}
GRID = {
    "mlpclassifier__hidden_layer_sizes": [(10,), (20,)],
    "mlpclassifier__alpha": [1e-4, 1e-3],
    "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
}


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn()


def bench_small_fit(n_samples=5000, n_features=20, repeat=5, calls=1000, max_iter=None):
    """Fit time of default MLPs on ``n_samples x n_features`` and one-row predict."""
    X, y = make_classification(n_samples, n_features, n_informative=10, random_state=0)
    extra = {} if max_iter is None else {"max_iter": max_iter}
    for make in CLASSES.values():  # warm-up (imports, first-call costs)
        _quiet(lambda make=make: make(random_state=0, max_iter=2).fit(X[:200], y[:200]))
    times = {name: [] for name in CLASSES}
    models = {}
    for _ in range(repeat):
        for name, make in CLASSES.items():
            seconds, models[name] = _harness.GATE.timed(
                f"small-fit/{name}",
                lambda make=make: _quiet(lambda: make(random_state=0, **extra).fit(X, y)),
            )
            times[name].append(seconds)
    row = X[:1]
    row_us = {
        name: _harness.latency(f"row/{name}", lambda m=m: m.predict(row), calls) * 1e6
        for name, m in models.items()
    }
    row32 = row.astype(np.float32)  # (X is float64: the models were fitted in float64)
    row32_us = {
        name: _harness.latency(f"row32/{name}", lambda m=m: m.predict(row32), calls) * 1e6
        for name, m in models.items()
    }
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "shape": [n_samples, n_features],
        "repeat": repeat,
        "calls": calls,
        "fit_s_all": times,
        "fit_s_median": med,
        "n_iter": {k: int(m.n_iter_) for k, m in models.items()},
        "train_accuracy": {k: float(m.score(X, y)) for k, m in models.items()},
        "row_us": row_us,
        "fit_time_sknn_over_sklearn": med["sknn"] / med["sklearn"],
        "row_latency_sknn_over_sklearn": row_us["sknn"] / row_us["sklearn"],
        "row32_us": row32_us,
        "row32_latency_sknn_over_sklearn": row32_us["sknn"] / row32_us["sklearn"],
    }


def _grid_data(kind):
    if kind == "digits":
        X, y = load_digits(return_X_y=True)
        return X / 16.0, y
    return load_iris(return_X_y=True)


def bench_grid(n_jobs_list=(1, 2), repeat=3, max_iter=200, data="iris"):
    """Wall time of the 24-fit grid search, sknn vs scikit-learn, per ``n_jobs``."""
    X, y = _grid_data(data)

    def search(name, n_jobs, iters=max_iter):
        pipe = make_pipeline(StandardScaler(), CLASSES[name](max_iter=iters, random_state=0))
        return _quiet(lambda: GridSearchCV(pipe, GRID, cv=3, n_jobs=n_jobs).fit(X, y))

    out = {"data": data, "shape": list(X.shape), "max_iter": max_iter, "repeat": repeat}
    for n_jobs in n_jobs_list:
        for name in CLASSES:  # untimed: starts the workers, imports, first-fit costs
            search(name, n_jobs, iters=2)
        times = {name: [] for name in CLASSES}
        best = {}
        for _ in range(repeat):
            for name in CLASSES:
                seconds, grid = _harness.GATE.timed(
                    f"grid-{n_jobs}/{name}", lambda name=name, n_jobs=n_jobs: search(name, n_jobs)
                )
                times[name].append(seconds)
                best[name] = float(grid.best_score_)
        med = {k: statistics.median(v) for k, v in times.items()}
        out[n_jobs] = {
            "wall_s_all": times,
            "wall_s_median": med,
            "best_score": best,
            "n_fits": 24,
            "time_sknn_over_sklearn": med["sknn"] / med["sklearn"],
        }
    return out


def report(env, small, grid):
    lines = [
        "### Small data: 5000 x 20 fit, one-row predict, 24-fit grid search",
        "",
        *_harness.environment_lines(env),
        f"- gate: {_harness.GATE.summary()}",
        "",
        "| measurement | sknn | scikit-learn | sknn / sklearn |",
        "|---|---|---|---|",
    ]
    if small:
        lines += [
            f"| fit {small['shape'][0]} x {small['shape'][1]} (s, median of "
            f"{small['repeat']}) | {small['fit_s_median']['sknn']:.3f} "
            f"({small['n_iter']['sknn']} epochs) | {small['fit_s_median']['sklearn']:.3f} "
            f"({small['n_iter']['sklearn']} epochs) | {small['fit_time_sknn_over_sklearn']:.2f}x |",
            f"| one-row predict (us) | {small['row_us']['sknn']:.1f} "
            f"| {small['row_us']['sklearn']:.1f} | {small['row_latency_sknn_over_sklearn']:.2f}x |",
            f"| one-row predict, float32 row (us) | {small['row32_us']['sknn']:.1f} "
            f"| {small['row32_us']['sklearn']:.1f} "
            f"| {small['row32_latency_sknn_over_sklearn']:.2f}x |",
        ]
    for n_jobs in (k for k in grid if isinstance(k, int)):
        g = grid[n_jobs]
        lines.append(
            f"| 24-fit grid search, {grid['data']}, n_jobs={n_jobs} (s) "
            f"| {g['wall_s_median']['sknn']:.2f} | {g['wall_s_median']['sklearn']:.2f} "
            f"| {g['time_sknn_over_sklearn']:.2f}x |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed small fits of each")
    parser.add_argument("--grid-repeat", type=int, default=3, help="timed searches of each")
    parser.add_argument("--calls", type=int, default=1000, help="one-row predict calls")
    parser.add_argument("--grid-data", choices=("iris", "digits"), default="iris")
    parser.add_argument("--max-wait", type=float, default=120, help="idle gate, seconds")
    parser.add_argument(
        "--only", choices=("small", "grid"), help="run only the small fit and predict, or the grid"
    )
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    quick = {}
    if args.quick:
        args.repeat, args.grid_repeat, args.calls, args.max_wait = 1, 1, 50, 0
        quick = {"max_iter": 10}
    _harness.set_gate(args.max_wait, 0 if args.quick else 2)
    env = _harness.environment()
    small = grid = {}
    if args.only != "grid":
        small = bench_small_fit(
            n_samples=500 if args.quick else 5000, repeat=args.repeat, calls=args.calls, **quick
        )
    if args.only != "small":
        grid = bench_grid(repeat=args.grid_repeat, data=args.grid_data, **quick)
    text = report(env, small, grid)
    print(text)
    tag = (
        ("quick-" if args.quick else "")
        + (f"{args.only}-" if args.only else "")
        + ("openblas-set" if any(env[v] for v in _harness.OPENBLAS_VARS) else "openblas-unset")
    )
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"small_{tag}.md").write_text(text + "\n")
    raw = {"env": env, "small": small, "grid": grid, "gate": _harness.GATE.log}
    (out / f"small_{tag}.json").write_text(json.dumps(raw, indent=1, default=str))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
