"""Accuracy of sknn.ConvNetClassifier on real data: Fashion-MNIST and digits.

1. **Fashion-MNIST** (60 000 training / 10 000 test 28x28 grayscale images, 10
   classes), from the Debian package ``dataset-fashion-mnist``: a two-block
   convolutional network (the default configuration below, :data:`FASHION`) trained
   on the whole training set and scored once on the test set. Floor: test accuracy
   >= 0.92 in a run that finishes in under 20 minutes on 2 CPU cores.
2. **Digits** (scikit-learn's bundled 1,797 8x8 images): the user guide's digits
   settings (:data:`DIGITS`, after ``MinMaxScaler``) under 5-fold *shuffled*
   stratified cross-validation, ``--seeds`` shuffles (``random_state`` of the split
   and of the network), against ``SVC`` and ``LogisticRegression`` on the same folds.
   Floor: mean accuracy >= 0.99.

Time series have their own script, ``bench_series.py``.

A data set that is not installed is skipped with a message; nothing is downloaded.

Usage::

    python benchmarks/bench_convnet.py                 # everything (about 30 min on 2 cores)
    python benchmarks/bench_convnet.py --only fashion  # or --only digits
    python benchmarks/bench_convnet.py --quick         # smoke test on small subsets
    python benchmarks/bench_convnet.py --threads 2     # on an idle 2-core machine

The Markdown report is printed and written with a JSON of the numbers to ``--out``
(default ``benchmarks/out/``) as ``convnet[_quick].md`` / ``.json``.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _data import DataNotFound, load_fashion_mnist  # noqa: E402

import sknn  # noqa: E402
from sknn import ConvNetClassifier  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)

#: The Fashion-MNIST configuration that meets the floor (inputs scaled to [0, 1]).
FASHION = dict(
    channels=(32, 64),
    kernel_size=3,
    pooling="max",
    hidden_layer_sizes=(128,),
    batch_norm=True,
    dropout=0.3,
    batch_size=128,
    learning_rate_init=1e-3,
    max_iter=15,
    random_state=0,
)
FASHION_FLOOR = 0.92
FASHION_TIME_LIMIT_S = 20 * 60

#: The digits settings of docs/user_guide/convnet.rst (inputs scaled to [0, 1]).
DIGITS = dict(
    input_shape=(8, 8),
    channels=(32, 64),
    kernel_size=3,
    hidden_layer_sizes=(128,),
    batch_norm=True,
    dropout=0.3,
    batch_size=64,
    learning_rate_init=0.003,
    learning_rate="plateau",
    n_iter_no_change=5,
    max_iter=100,
)
DIGITS_FLOOR = 0.99


def n_parameters(module):
    return sum(p.numel() for p in module.parameters())


def environment():
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_avg_start": os.getloadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "torch": torch.__version__,
        "sknn": sknn.__version__,
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------- Fashion-MNIST
def run_fashion(quick, epochs, device):
    try:
        Xtr, ytr, Xte, yte = load_fashion_mnist()
    except DataNotFound as exc:
        print(f"[skip] {exc}")
        return None
    if quick:
        Xtr, ytr, Xte, yte = Xtr[:6000], ytr[:6000], Xte[:2000], yte[:2000]
    Xtr = (Xtr / np.float32(255)).astype(np.float32)
    Xte = (Xte / np.float32(255)).astype(np.float32)
    params = dict(FASHION, device=device)
    if epochs is not None:
        params["max_iter"] = epochs
    elif quick:
        params["max_iter"] = 2
    clf = ConvNetClassifier(**params)
    print(f"Fashion-MNIST: {len(Xtr)} train / {len(Xte)} test, {params}", flush=True)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    clf.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    accuracy = float(clf.score(Xte, yte))
    predict_s = time.perf_counter() - t1
    total_s = time.perf_counter() - t0
    result = dict(
        n_train=len(Xtr),
        n_test=len(Xte),
        params={k: str(v) for k, v in params.items()},
        epochs=clf.n_iter_,
        test_accuracy=accuracy,
        fit_s=fit_s,
        predict_s=predict_s,
        total_s=total_s,
        n_parameters=n_parameters(clf.module_),
        epoch_s=[float(d) for d in clf.history_[:, "dur"]],
        loss_curve=[float(v) for v in clf.loss_curve_],
        load_avg_1min_before=load0,
        load_avg_1min_after=os.getloadavg()[0],
        floor_accuracy=FASHION_FLOOR,
        floor_time_s=FASHION_TIME_LIMIT_S,
        passed=bool(accuracy >= FASHION_FLOOR and total_s < FASHION_TIME_LIMIT_S),
    )
    print(
        f"  test accuracy {accuracy:.4f}, fit {fit_s:.0f} s ({clf.n_iter_} epochs), "
        f"predict {predict_s:.1f} s, {result['n_parameters']} parameters",
        flush=True,
    )
    return result


# -------------------------------------------------------------------- digits
def run_digits(quick, seeds, device):
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:400], y[:400]
    models = {
        "ConvNetClassifier": lambda seed: ConvNetClassifier(
            **dict(DIGITS, max_iter=3 if quick else DIGITS["max_iter"]),
            random_state=seed,
            device=device,
        ),
        "SVC (RBF)": lambda seed: SVC(),
        "LogisticRegression": lambda seed: LogisticRegression(max_iter=5000),
    }
    result = dict(params={k: str(v) for k, v in DIGITS.items()}, floor=DIGITS_FLOOR, seeds=[])
    for seed in range(seeds):
        cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        row = dict(seed=seed)
        for name, make in models.items():
            t0 = time.perf_counter()
            scores = cross_val_score(make_pipeline(MinMaxScaler(), make(seed)), X, y, cv=cv)
            row[name] = [float(v) for v in scores]
            row[f"{name} s"] = time.perf_counter() - t0
            print(
                f"digits seed {seed} {name}: {scores.mean():.4f} "
                f"(folds {', '.join(f'{v:.3f}' for v in scores)}; {row[f'{name} s']:.0f} s)",
                flush=True,
            )
        result["seeds"].append(row)
    means = [np.mean(r["ConvNetClassifier"]) for r in result["seeds"]]
    result["mean"] = float(np.mean(means))
    result["passed"] = bool(result["mean"] >= DIGITS_FLOOR)
    return result


# -------------------------------------------------------------------- report
def report(env, fashion, digits):
    lines = ["## ConvNetClassifier accuracy", ""]
    lines.append(
        f"- CPU: {env['cpu_model']} ({env['cores']} cores), torch threads "
        f"{env['torch_threads']}, load average at start {env['load_avg_start'][0]:.2f}"
    )
    lines.append(
        f"- Python {env['python']}, numpy {env['numpy']}, scikit-learn "
        f"{env['scikit-learn']}, torch {env['torch']}, sknn {env['sknn']}"
    )
    lines.append("")
    if fashion:
        f = fashion
        lines += [
            "### Fashion-MNIST",
            "",
            f"{f['n_train']} training / {f['n_test']} test images; configuration `{f['params']}`.",
            "",
            "| test accuracy | floor | wall time (fit + predict) | floor | epochs | s/epoch "
            "(median) | parameters | load avg (1 min) before / after |",
            "|---|---|---|---|---|---|---|---|",
            f"| **{f['test_accuracy']:.4f}** | >= {f['floor_accuracy']} | "
            f"**{f['total_s'] / 60:.1f} min** | < {f['floor_time_s'] // 60} min | "
            f"{f['epochs']} | {np.median(f['epoch_s']):.1f} | {f['n_parameters']:,} | "
            f"{f['load_avg_1min_before']:.2f} / {f['load_avg_1min_after']:.2f} |",
            "",
            f"Floor: **{'PASS' if f['passed'] else 'FAIL'}**.",
            "",
        ]
    if digits:
        lines += [
            "### Digits (5-fold shuffled stratified CV, MinMaxScaler)",
            "",
            f"ConvNetClassifier settings `{digits['params']}`.",
            "",
            "| split seed | ConvNetClassifier | SVC (RBF) | LogisticRegression | ConvNet CV time |",
            "|---|---|---|---|---|",
        ]
        for r in digits["seeds"]:
            lines.append(
                f"| {r['seed']} | {np.mean(r['ConvNetClassifier']):.4f} "
                f"(± {np.std(r['ConvNetClassifier']):.4f}) | {np.mean(r['SVC (RBF)']):.4f} | "
                f"{np.mean(r['LogisticRegression']):.4f} | {r['ConvNetClassifier s']:.0f} s |"
            )
        lines += [
            "",
            f"Mean over seeds: **{digits['mean']:.4f}**; floor >= {digits['floor']}: "
            f"**{'PASS' if digits['passed'] else 'FAIL'}**.",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["fashion", "digits"], default=None)
    parser.add_argument("--quick", action="store_true", help="small subsets, few epochs")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"Fashion-MNIST epochs (default {FASHION['max_iter']})",
    )
    parser.add_argument("--seeds", type=int, default=3, help="digits: shuffles of the CV")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: on a 2-core machine shared with "
        "other work, a second thread mostly waits for a busy core)",
    )
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    env = environment()
    env["cpu_model"] = cpu_model()
    fashion = digits = None
    if args.only in (None, "fashion"):
        fashion = run_fashion(args.quick, args.epochs, args.device)
    if args.only in (None, "digits"):
        digits = run_digits(args.quick, args.seeds, args.device)
    text = report(env, fashion, digits)
    print()
    print(text)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = "convnet_quick" if args.quick else "convnet"
    if args.only:
        tag += f"_{args.only}"
    (out / f"{tag}.md").write_text(text)
    payload = dict(environment=env, fashion=fashion, digits=digits)
    (out / f"{tag}.json").write_text(json.dumps(payload, indent=1, default=str))
    print(f"written: {out / tag}.md, .json")
    if fashion is not None and not args.quick and not fashion["passed"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
