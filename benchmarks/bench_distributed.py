"""Parallel grid searches (joblib's loky and dask backends) and data-parallel training.

All in one process, side by side, after a warm-up, so the ratios compare like with
like on the same machine state:

1. ``GridSearchCV`` of small ``MLPClassifier`` models on scikit-learn's digits
   (scaled by 1/16): 4 parameter settings x 3 folds = 12 fits, plus the refit.

   * loky: ``n_jobs=1`` (scikit-learn runs the fits one after another in this
     process, with torch's default thread count) against ``n_jobs=2`` (two worker
     processes; joblib starts them with ``OMP_NUM_THREADS = CPUs // 2``);
   * dask: a ``LocalCluster`` of processes on the loopback interface, one thread
     per worker, with 1 worker against 2 workers (the dask backend spreads the fits
     over all the workers whatever ``n_jobs`` says, so the worker count is what
     ``n_jobs`` is elsewhere). With 1 worker joblib sees one job and runs the fits
     in this process, as with loky's ``n_jobs=1``.

   The reported ratio is wall time with 2 against wall time with 1 (0.5 is a
   perfect speed-up on 2 cores). Runs are interleaved, ``--repeat`` rounds, median.
2. ``sknn.distributed.fit_ddp`` with 2 gloo processes against a plain ``fit``: the
   largest weight difference (they should agree to float rounding) and wall times
   (including the processes' start-up, which dominates at this size).

Usage::

    python benchmarks/bench_distributed.py            # about 2 minutes on 2 idle cores
    python benchmarks/bench_distributed.py --quick    # smoke test

The Markdown report is printed and written, with a JSON of the raw numbers, to
``--out`` (default ``benchmarks/out/``) as ``distributed.md`` / ``distributed.json``.
Each timed unit waits for an idle machine (``_harness.Gate``, which counts the CPU
time of this process's workers as its own).
"""

import argparse
import json
import pathlib
import statistics
import sys
import time
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402  (the idle gate and the environment report)

from sknn import MLPClassifier  # noqa: E402
from sknn.distributed import fit_ddp  # noqa: E402

GRID = {"hidden_layer_sizes": [(32,), (64,)], "alpha": [1e-4, 1e-2]}


def search(X, y, max_iter, n_jobs):
    est = MLPClassifier(max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GridSearchCV(est, GRID, cv=3, n_jobs=n_jobs).fit(X, y)


def bench_searches(X, y, max_iter, repeat):
    import distributed

    clusters = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for workers in (1, 2):
            clusters[workers] = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )

    def run_dask(workers):
        with distributed.Client(clusters[workers]), joblib.parallel_backend("dask"):
            return search(X, y, max_iter, n_jobs=-1)

    units = {
        "loky n_jobs=1": lambda: search(X, y, max_iter, n_jobs=1),
        "loky n_jobs=2": lambda: search(X, y, max_iter, n_jobs=2),
        "dask 1 worker": lambda: run_dask(1),
        "dask 2 workers": lambda: run_dask(2),
    }
    times = {name: [] for name in units}
    scores = {}
    try:
        for name, fn in units.items():  # warm-up: worker start-up and imports
            scores[name] = float(fn().best_score_)
        for _ in range(repeat):
            for name, fn in units.items():
                seconds, _ = _harness.GATE.timed(name, fn)
                times[name].append(seconds)
    finally:
        for cluster in clusters.values():
            cluster.close()
    med = {name: statistics.median(t) for name, t in times.items()}
    return {
        "times_s": times,
        "median_s": med,
        "best_score": scores,
        "ratio_loky": med["loky n_jobs=2"] / med["loky n_jobs=1"],
        "ratio_dask": med["dask 2 workers"] / med["dask 1 worker"],
        "fits_per_search": 4 * 3 + 1,
    }


def bench_ddp(X, y, max_iter):
    kw = dict(hidden_layer_sizes=(64,), max_iter=max_iter, batch_size=128, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        single_s, single = _harness.GATE.timed("fit", lambda: MLPClassifier(**kw).fit(X, y))
        ddp_s, ddp = _harness.GATE.timed(
            "fit_ddp", lambda: fit_ddp(MLPClassifier(**kw), X, y, n_procs=2)
        )
    diff = max(
        float(np.abs(a - b).max())
        for a, b in zip(ddp.coefs_ + ddp.intercepts_, single.coefs_ + single.intercepts_)
    )
    return {
        "params": kw,
        "fit_s": single_s,
        "fit_ddp_s": ddp_s,
        "max_abs_weight_diff": diff,
        "max_abs_loss_diff": float(
            np.max(np.abs(np.subtract(ddp.loss_curve_, single.loss_curve_)))
        ),
        "same_predictions": float(np.mean(ddp.predict(X) == single.predict(X))),
        "n_iter": [single.n_iter_, ddp.n_iter_],
    }


def report(env, searches, ddp, args):
    med = searches["median_s"]
    lines = [
        "## Distributed: parallel grid searches and data-parallel training",
        "",
        f"{env['cpu']}, {env['affinity']} CPUs available; Python {env['python']}, "
        f"torch {env['torch']}, scikit-learn {env['scikit-learn']}, joblib "
        f"{joblib.__version__}, dask/distributed {env.get('distributed')}; torch threads in "
        f"this process {env['torch_threads']}. Load average at start: {env['loadavg_start']}.",
        "",
        f"GridSearchCV of MLPClassifier(max_iter={args.max_iter}) on digits "
        f"({args.n_samples} rows), grid {GRID}, cv=3: "
        f"{searches['fits_per_search']} fits per search; median of {args.repeat} "
        "interleaved runs after a warm-up.",
        "",
        "| backend | 1 job/worker (s) | 2 jobs/workers (s) | ratio 2 / 1 |",
        "|---|---|---|---|",
        f"| loky (n_jobs) | {med['loky n_jobs=1']:.2f} | {med['loky n_jobs=2']:.2f} | "
        f"**{searches['ratio_loky']:.2f}** |",
        f"| dask LocalCluster (workers x 1 thread) | {med['dask 1 worker']:.2f} | "
        f"{med['dask 2 workers']:.2f} | **{searches['ratio_dask']:.2f}** |",
        "",
        f"Best CV scores (identical across backends): {searches['best_score']}.",
        "",
        f"fit_ddp (2 gloo processes) vs fit, MLPClassifier({ddp['params']}) on the same "
        f"rows: largest weight difference {ddp['max_abs_weight_diff']:.1e}, largest epoch "
        f"loss difference {ddp['max_abs_loss_diff']:.1e}, predictions agree on "
        f"{ddp['same_predictions']:.4f} of the rows; wall time {ddp['fit_s']:.2f} s (fit) "
        f"vs {ddp['fit_ddp_s']:.2f} s (fit_ddp, including the start of 2 Python processes).",
        "",
        f"Gate: {_harness.GATE.summary()}",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=30, help="epochs per fit")
    parser.add_argument("--n-samples", type=int, default=1797, help="digits rows used")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each search")
    parser.add_argument("--max-wait", type=float, default=60, help="seconds to wait for idle")
    parser.add_argument("--out", default="benchmarks/out", help="output folder")
    parser.add_argument("--quick", action="store_true", help="smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_iter, args.repeat, args.n_samples, args.max_wait = 3, 1, 400, 0
    _harness.set_gate(args.max_wait, 0 if args.quick else 2)
    X, y = load_digits(return_X_y=True)
    X, y = (X[: args.n_samples] / 16).astype(np.float32), y[: args.n_samples]

    import distributed

    env = _harness.environment()
    env["distributed"] = distributed.__version__
    env["joblib"] = joblib.__version__
    t0 = time.perf_counter()
    searches = bench_searches(X, y, args.max_iter, args.repeat)
    ddp = bench_ddp(X, y, args.max_iter)
    text = report(env, searches, ddp, args)
    print(text)
    print(f"total {time.perf_counter() - t0:.0f} s")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = "quick-" if args.quick else ""
    (out / f"{tag}distributed.md").write_text(text)
    raw = {"env": env, "searches": searches, "ddp": ddp, "gate": _harness.GATE.log}
    (out / f"{tag}distributed.json").write_text(json.dumps(raw, indent=1, default=str))


if __name__ == "__main__":
    main()
