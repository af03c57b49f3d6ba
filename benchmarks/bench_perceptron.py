"""Fit time of sknn.PerceptronClassifier against scikit-learn's Perceptron, side by
side in one process.

Data: scikit-learn's digits (1797 x 64, 10 classes, unscaled), default settings of
both (the classic online perceptron: ``activation='threshold'``, ``batch_size=1``,
``random_state=0``), ``device='cpu'`` for sknn. Each round fits scikit-learn, then
sknn; the median over ``--repeat`` rounds is reported with the ratio, and whether
``n_iter_`` and ``coef_`` agree. The floor: sknn's fit time at most 3x scikit-learn's.

Also timed, for reference: the same online fit on sknn's PyTorch path (forced, as
with ``max_norm`` or ``compile`` it would be) for ``--torch-epochs`` epochs with the
threshold and the softmax activation (per-epoch time), and with ``--grid`` the user
guide's perceptron grid search (``GridSearchCV`` of StandardScaler +
PerceptronClassifier over activation x batch_size x penalty, cv=5) on digits.

Usage::

    python benchmarks/bench_perceptron.py            # about a minute on 2 idle cores
    python benchmarks/bench_perceptron.py --grid     # plus the user guide's grid search
    python benchmarks/bench_perceptron.py --quick    # smoke test, seconds

The Markdown report is printed and written, with the raw numbers as JSON, to
``--out`` (default ``benchmarks/out/``) as ``perceptron_<tag>.md`` / ``.json``.
"""

import argparse
import json
import os
import pathlib
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402  (the idle gate and the environment report)

import sknn._perceptron  # noqa: E402
from sknn import PerceptronClassifier  # noqa: E402

FLOOR = 3.0  # sknn fit time / scikit-learn fit time, at most


def bench_fit(X, y, repeat):
    times = {"sklearn": [], "sknn": []}
    models = {}
    for _ in range(repeat):
        for name, fn in (
            ("sklearn", lambda: Perceptron().fit(X, y)),
            ("sknn", lambda: PerceptronClassifier(device="cpu").fit(X, y)),
        ):
            seconds, models[name] = _harness.GATE.timed(f"fit-{name}", fn)
            times[name].append(seconds)
    med = {k: statistics.median(v) for k, v in times.items()}
    ours, theirs = models["sknn"], models["sklearn"]
    return {
        "median_s": med,
        "all_s": times,
        "ratio": med["sknn"] / med["sklearn"],
        "n_iter": {"sknn": ours.n_iter_, "sklearn": theirs.n_iter_},
        "max_abs_coef_diff": float(np.abs(ours.coef_ - theirs.coef_).max()),
    }


def bench_torch_path(X, y, epochs):
    """Seconds per epoch of the online rule on the PyTorch path."""
    out = {}
    applies = sknn._perceptron.compiled_loop_applies
    sknn._perceptron.compiled_loop_applies = lambda est, device: False
    try:
        for activation in ("threshold", "softmax"):
            est = PerceptronClassifier(activation, max_iter=epochs, tol=None, device="cpu")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                seconds, _ = _harness.GATE.timed(f"torch-{activation}", lambda e=est: e.fit(X, y))
            out[activation] = seconds / epochs
    finally:
        sknn._perceptron.compiled_loop_applies = applies
    return out


def bench_grid(X, y):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), PerceptronClassifier(random_state=0, device="cpu"))
    grid = GridSearchCV(
        pipe,
        {
            "perceptronclassifier__activation": ["threshold", "softmax"],
            "perceptronclassifier__batch_size": [1, 32],
            "perceptronclassifier__penalty": [None, "l2"],
        },
        cv=5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        grid.fit(X, y)
        total = time.perf_counter() - start
    cv = grid.cv_results_
    per_candidate = {
        " ".join(f"{k.split('__')[1]}={v}" for k, v in params.items()): float(t) * 5
        for params, t in zip(cv["params"], cv["mean_fit_time"])
    }
    return {"total_s": total, "fit_s_per_candidate_5_folds": per_candidate}


def report(env, fit, torch_path, grid):
    m = fit["median_s"]
    passed = fit["ratio"] <= FLOOR
    lines = [
        "### Perceptron fit time: digits (1797 x 64, 10 classes), default settings",
        "",
        f"CPU: {env['cpu']} ({env['cores']} cores); torch {env['torch']}, "
        f"scikit-learn {env['scikit-learn']}, numpy {env['numpy']}; OPENBLAS_CORETYPE="
        f"{env['OPENBLAS_CORETYPE']}, OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}; "
        f"gate: {_harness.GATE.summary()}",
        "",
        "| sklearn Perceptron (s) | sknn PerceptronClassifier (s) | ratio | floor "
        "| n_iter_ (sklearn / sknn) | max abs coef_ difference |",
        "|---|---|---|---|---|---|",
        f"| {m['sklearn']:.4f} | {m['sknn']:.4f} | {fit['ratio']:.2f}x "
        f"| <= {FLOOR}x {'PASS' if passed else 'FAIL'} "
        f"| {fit['n_iter']['sklearn']} / {fit['n_iter']['sknn']} | {fit['max_abs_coef_diff']:g} |",
    ]
    if torch_path:
        lines += [
            "",
            "PyTorch path (forced), online rule, seconds per epoch: "
            + ", ".join(f"{k} {v:.3f}" for k, v in torch_path.items()),
        ]
    if grid:
        lines += ["", f"User guide grid search (8 candidates x 5 folds): {grid['total_s']:.1f} s"]
        lines += [f"- {k}: {v:.2f} s" for k, v in grid["fit_s_per_candidate_5_folds"].items()]
    return "\n".join(lines), passed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--torch-epochs", type=int, default=3, help="0 to skip")
    parser.add_argument("--grid", action="store_true", help="time the user guide's grid search")
    parser.add_argument(
        "--max-wait", type=float, default=120, help="seconds to wait for an idle machine"
    )
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.max_wait, args.torch_epochs = 1, 0, 1
    _harness.set_gate(args.max_wait, 0 if args.quick else 2)
    env = _harness.environment()
    X, y = load_digits(return_X_y=True)
    PerceptronClassifier(device="cpu").fit(X[:200], y[:200])  # warm-up (imports)
    Perceptron().fit(X[:200], y[:200])
    fit = bench_fit(X, y, args.repeat)
    torch_path = bench_torch_path(X, y, args.torch_epochs) if args.torch_epochs else None
    grid = bench_grid(X, y) if args.grid else None
    text, ok = report(env, fit, torch_path, grid)
    print(text)
    tag = ("quick-" if args.quick else "") + (
        "openblas-set" if env["OPENBLAS_CORETYPE"] or env["OPENBLAS_L2_SIZE"] else "openblas-unset"
    )
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"perceptron_{tag}.md").write_text(text + "\n")
    (out / f"perceptron_{tag}.json").write_text(
        json.dumps(
            {
                "env": env,
                "fit": fit,
                "torch_path": torch_path,
                "grid": grid,
                "gate": _harness.GATE.log,
            },
            indent=1,
            default=str,
        )
    )
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
