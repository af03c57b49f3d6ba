"""Accuracy of sknn.ConvNetClassifier on real data: Fashion-MNIST and UCR time series.

1. **Fashion-MNIST** (60 000 training / 10 000 test 28x28 grayscale images, 10
   classes), from the Debian package ``dataset-fashion-mnist``: a two-block
   convolutional network (the default configuration below, :data:`FASHION`) trained
   on the whole training set and scored once on the test set. Floor: test accuracy
   >= 0.92 in a run that finishes in under 20 minutes on 2 CPU cores.
2. **UCR time series** that ship inside the ``sktime`` package (GunPoint, ArrowHead,
   OSULeaf): a fully convolutional network (FCN: three conv blocks with batch
   normalization, global average pooling, softmax; Wang, Yan & Oates 2017) with
   ``conv_dim=1`` on the official train/test split, against the FCN error rates
   published in that paper, and against ``SVC``, ``LogisticRegression`` and
   ``sknn.MLPClassifier`` on the flattened series.

A data set that is not installed is skipped with a message; nothing is downloaded.

Usage::

    python benchmarks/bench_convnet.py                 # everything (about 20 min on 2 cores)
    python benchmarks/bench_convnet.py --only fashion  # or --only ucr
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
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _data import DataNotFound, load_fashion_mnist, load_ucr  # noqa: E402

import sknn  # noqa: E402
from sknn import ConvNetClassifier, MLPClassifier  # noqa: E402

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

#: FCN (Wang et al. 2017): conv 8/5/3 with 128/256/128 filters, batch norm, ReLU, no
#: pooling, global average pooling, softmax; Adam, batch 16. ``--fcn-width`` scales
#: the filter counts (0.5 by default, to fit the CPU budget). Every epoch runs
#: (``tol=0``): on 36 to 200 training series scikit-learn's stopping rule (training
#: loss not better by ``tol`` for 10 epochs) stops far too early.
FCN = dict(
    conv_dim=1,
    kernel_size=(8, 5, 3),
    pooling=None,
    global_pooling="avg",
    hidden_layer_sizes=(),
    batch_norm=True,
    batch_size=16,
    learning_rate_init=1e-3,
    alpha=0.0,
    tol=0.0,
    n_iter_no_change=np.inf,
)
UCR_SETS = ("GunPoint", "ArrowHead", "OSULeaf")
#: Test error of the FCN in Wang, Yan & Oates (2017), "Time series classification
#: from scratch with deep neural networks: a strong baseline", IJCNN, Table 2.
FCN_PUBLISHED_ERROR = {"GunPoint": 0.000, "ArrowHead": 0.120, "OSULeaf": 0.012}


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


# ----------------------------------------------------------------------- UCR
def run_ucr(quick, fcn_width, fcn_epochs, seeds, device):
    results = []
    channels = tuple(max(1, round(c * fcn_width)) for c in (128, 256, 128))
    for name in UCR_SETS:
        try:
            Xtr, ytr, Xte, yte = load_ucr(name)
        except DataNotFound as exc:
            print(f"[skip] {exc}")
            continue
        print(
            f"{name}: {Xtr.shape[0]} train / {Xte.shape[0]} test series of length "
            f"{Xtr.shape[1]}, {len(set(ytr))} classes",
            flush=True,
        )
        row = dict(
            dataset=name,
            n_train=len(Xtr),
            n_test=len(Xte),
            length=Xtr.shape[1],
            n_classes=len(set(ytr)),
            fcn_published_error=FCN_PUBLISHED_ERROR[name],
        )
        errors, times = [], []
        for seed in range(seeds):
            params = dict(
                FCN,
                channels=channels,
                max_iter=3 if quick else fcn_epochs,
                random_state=seed,
                device=device,
            )
            clf = ConvNetClassifier(**params)
            t0 = time.perf_counter()
            clf.fit(Xtr, ytr)
            times.append(time.perf_counter() - t0)
            errors.append(1.0 - float(clf.score(Xte, yte)))
            row.setdefault("fcn_parameters", n_parameters(clf.module_))
            row.setdefault("fcn_epochs", []).append(clf.n_iter_)
            print(
                f"  sknn FCN seed {seed}: error {errors[-1]:.3f} "
                f"({clf.n_iter_} epochs, {times[-1]:.0f} s)",
                flush=True,
            )
        row.update(
            fcn_channels=channels,
            fcn_errors=errors,
            fcn_error_mean=float(np.mean(errors)),
            fcn_fit_s=float(np.mean(times)),
        )
        baselines = {
            "SVC (RBF)": SVC(),
            "LogisticRegression": LogisticRegression(max_iter=2000),
            "sknn.MLPClassifier": MLPClassifier(random_state=0, device=device),
        }
        for label, est in baselines.items():
            t0 = time.perf_counter()
            err = 1.0 - float(est.fit(Xtr, ytr).score(Xte, yte))
            row[f"{label} error"] = err
            print(f"  {label}: error {err:.3f} ({time.perf_counter() - t0:.1f} s)", flush=True)
        results.append(row)
    return results


# -------------------------------------------------------------------- report
def report(env, fashion, ucr):
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
    if ucr:
        lines += [
            "### UCR time series (test error, official split)",
            "",
            "| data set | train / test / length / classes | sknn FCN | FCN published | "
            "SVC (RBF) | LogisticRegression | sknn.MLPClassifier | FCN fit time |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in ucr:
            errs = ", ".join(f"{e:.3f}" for e in r["fcn_errors"])
            seeds = f" (seeds: {errs})" if len(r["fcn_errors"]) > 1 else ""
            lines.append(
                f"| {r['dataset']} | {r['n_train']} / {r['n_test']} / {r['length']} / "
                f"{r['n_classes']} | **{r['fcn_error_mean']:.3f}**{seeds} | "
                f"{r['fcn_published_error']:.3f} | {r['SVC (RBF) error']:.3f} | "
                f"{r['LogisticRegression error']:.3f} | {r['sknn.MLPClassifier error']:.3f} | "
                f"{r['fcn_fit_s']:.0f} s |"
            )
        r0 = ucr[0]
        lines += [
            "",
            f"sknn FCN: channels {r0['fcn_channels']}, kernels (8, 5, 3), "
            f"{r0['fcn_parameters']:,} parameters on {r0['dataset']}, epochs run: "
            + ", ".join(f"{r['dataset']} {r['fcn_epochs']}" for r in ucr)
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["fashion", "ucr"], default=None)
    parser.add_argument("--quick", action="store_true", help="small subsets, few epochs")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"Fashion-MNIST epochs (default {FASHION['max_iter']})",
    )
    parser.add_argument(
        "--fcn-width",
        type=float,
        default=0.5,
        help="multiplier of the FCN's 128/256/128 filters (default 0.5)",
    )
    parser.add_argument("--fcn-epochs", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=1, help="FCN fits per UCR set")
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
    fashion = ucr = None
    if args.only in (None, "fashion"):
        fashion = run_fashion(args.quick, args.epochs, args.device)
    if args.only in (None, "ucr"):
        ucr = run_ucr(args.quick, args.fcn_width, args.fcn_epochs, args.seeds, args.device)
    text = report(env, fashion, ucr)
    print()
    print(text)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = "convnet_quick" if args.quick else "convnet"
    if args.only:
        tag += f"_{args.only}"
    (out / f"{tag}.md").write_text(text)
    payload = dict(environment=env, fashion=fashion, ucr=ucr)
    (out / f"{tag}.json").write_text(json.dumps(payload, indent=1, default=str))
    print(f"written: {out / tag}.md, .json")
    if fashion is not None and not args.quick and not fashion["passed"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
