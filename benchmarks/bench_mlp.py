"""Speed of sknn.MLPClassifier against scikit-learn's MLP and a plain PyTorch loop.

Everything runs side by side in one process, after a warm-up, so the ratios compare
like with like on the same machine state:

1. epoch time on MNIST-shaped data (60000 x 784, 10 classes), 784-200-200-10 ReLU,
   Adam, batch 128: sknn vs scikit-learn vs a hand-written torch loop (whole data as
   a tensor, randperm slicing, fused Adam, the same L2 term);
2. small data: fit time on scikit-learn's digits with default settings, and accuracy;
3. predict latency: one row and 10 000 rows, sknn vs scikit-learn vs a bare forward.

Usage::

    python benchmarks/bench_mlp.py            # full run (several minutes on 2 cores)
    python benchmarks/bench_mlp.py --quick    # smoke test, seconds
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py

Results are printed as Markdown and written (with a JSON of raw numbers) to --out.
The data are random (timing does not depend on the values), so nothing is downloaded.
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import time
import warnings

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

import sknn

warnings.simplefilter("ignore", ConvergenceWarning)


def environment():
    """Hardware, versions and BLAS settings of this run."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in lscpu.splitlines()
             if line.startswith("Model name")), platform.processor())
    except OSError:
        model = platform.processor()
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {k: info.get(k) for k in ("internal_api", "num_threads", "architecture",
                                      "threading_layer", "version")}
            for info in threadpool_info()
        ]
    except ImportError:
        blas = []
    import scipy
    import skorch

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "sknn": sknn.__version__,
        "torch_threads": torch.get_num_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
        "blas": blas,
    }


def timed(fn, repeat):
    """Median wall time of ``fn()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_torch_epochs(X, y, epochs, batch_size, alpha, seed=0):
    """The reference loop: whole tensors, randperm slicing, fused Adam, sklearn's L2."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 10),
    )
    weights = [p for p in model.parameters() if p.ndim == 2]
    biases = [p for p in model.parameters() if p.ndim == 1]
    # scikit-learn's L2 gradient is alpha * W / batch_size: weight decay on W only
    opt = torch.optim.Adam(
        [{"params": weights, "weight_decay": alpha / batch_size},
         {"params": biases, "weight_decay": 0.0}],
        lr=1e-3, fused=True,
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n = len(Xt)
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return model


def bench_epochs(n, epochs, repeat):
    rng = np.random.RandomState(0)
    X = rng.rand(n, 784).astype(np.float32)
    y = rng.randint(0, 10, n)
    common = dict(hidden_layer_sizes=(200, 200), batch_size=128, max_iter=epochs,
                  tol=0.0, n_iter_no_change=10**9, random_state=0)
    # warm-up (one-off imports, allocator)
    sknn.MLPClassifier(device="cpu", **{**common, "max_iter": 1}).fit(X[:512], y[:512])
    SkMLPClassifier(**{**common, "max_iter": 1}).fit(X[:512], y[:512])
    plain_torch_epochs(X[:512], y[:512], 1, 128, 1e-4)

    res = {}
    res["sknn"] = timed(lambda: sknn.MLPClassifier(device="cpu", **common).fit(X, y),
                        repeat) / epochs
    res["plain_torch"] = timed(lambda: plain_torch_epochs(X, y, epochs, 128, 1e-4),
                               repeat) / epochs
    res["sklearn"] = timed(lambda: SkMLPClassifier(**common).fit(X, y), 1) / epochs
    return res, X, y


def bench_small(repeat):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    res = {}
    ours = sknn.MLPClassifier(random_state=0, device="cpu")
    theirs = SkMLPClassifier(random_state=0)
    res["sknn_fit_s"] = timed(lambda: ours.fit(Xtr, ytr), repeat)
    res["sklearn_fit_s"] = timed(lambda: theirs.fit(Xtr, ytr), repeat)
    res["sknn_epochs"] = ours.n_iter_
    res["sklearn_epochs"] = theirs.n_iter_
    res["sknn_accuracy"] = ours.score(Xte, yte)
    res["sklearn_accuracy"] = theirs.score(Xte, yte)
    return res


def latency(fn, calls):
    for _ in range(max(10, calls // 10)):
        fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_predict(X, y, calls):
    common = dict(hidden_layer_sizes=(200, 200), max_iter=1, random_state=0)
    ours = sknn.MLPClassifier(device="cpu", **common).fit(X[:2000], y[:2000])
    theirs = SkMLPClassifier(**common).fit(X[:2000], y[:2000])
    module = ours.module_.eval()
    one = X[:1]
    many = X[:10000]
    one_t, many_t = torch.from_numpy(one), torch.from_numpy(many)

    def bare(x):
        with torch.inference_mode():
            return module(x).argmax(1)

    return {
        "row_sknn_us": latency(lambda: ours.predict(one), calls) * 1e6,
        "row_sklearn_us": latency(lambda: theirs.predict(one), calls) * 1e6,
        "row_bare_torch_us": latency(lambda: bare(one_t), calls) * 1e6,
        f"{len(many)}rows_sknn_ms": latency(lambda: ours.predict(many), 20) * 1e3,
        f"{len(many)}rows_sklearn_ms": latency(lambda: theirs.predict(many), 20) * 1e3,
        f"{len(many)}rows_bare_torch_ms": latency(lambda: bare(many_t), 20) * 1e3,
    }


def report(env, epochs, small, predict, n):
    e = epochs
    rows = [
        "| measurement | sknn | scikit-learn | plain torch | ratio | floor | result |",
        "|---|---|---|---|---|---|---|",
    ]
    speedup = e["sklearn"] / e["sknn"]
    vs_plain = e["sknn"] / e["plain_torch"]
    rows.append(f"| epoch time, {n}x784, 784-200-200-10, batch 128 (s) | {e['sknn']:.3f} | "
                f"{e['sklearn']:.3f} | {e['plain_torch']:.3f} | throughput vs sklearn "
                f"{speedup:.2f}x | >= 1.5x | {'PASS' if speedup >= 1.5 else 'FAIL'} |")
    rows.append(f"| (same) sknn time / plain torch time | | | | {vs_plain:.3f} | <= 1.15 | "
                f"{'PASS' if vs_plain <= 1.15 else 'FAIL'} |")
    r = predict["row_sknn_us"] / predict["row_sklearn_us"]
    rows.append(f"| single-row predict latency (us) | {predict['row_sknn_us']:.1f} | "
                f"{predict['row_sklearn_us']:.1f} | {predict['row_bare_torch_us']:.1f} | "
                f"{r:.2f} of sklearn | <= 0.75 | {'PASS' if r <= 0.75 else 'FAIL'} |")
    k = [key for key in predict if key.endswith("rows_sknn_ms")][0]
    m = k.replace("_sknn_ms", "")
    rows.append(f"| {m.replace('rows', '')}-row predict (ms) | {predict[k]:.2f} | "
                f"{predict[m + '_sklearn_ms']:.2f} | {predict[m + '_bare_torch_ms']:.2f} | "
                f"{predict[k] / predict[m + '_sklearn_ms']:.2f} of sklearn | | |")
    s = small["sknn_fit_s"] / small["sklearn_fit_s"]
    rows.append(f"| digits fit, default settings (s) | {small['sknn_fit_s']:.3f} "
                f"({small['sknn_epochs']} epochs) | {small['sklearn_fit_s']:.3f} "
                f"({small['sklearn_epochs']} epochs) | | {s:.2f} of sklearn | <= 1.3 | "
                f"{'PASS' if s <= 1.3 else 'FAIL'} |")
    rows.append(f"| digits test accuracy | {small['sknn_accuracy']:.4f} | "
                f"{small['sklearn_accuracy']:.4f} | | | | |")
    header = [
        f"- CPU: {env['cpu']} ({env['cores']} cores), torch threads {env['torch_threads']}",
        f"- Python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, "
        f"scikit-learn {env['scikit-learn']}, torch {env['torch']}, skorch {env['skorch']}, "
        f"sknn {env['sknn']}",
        f"- OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}, "
        f"OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}",
        "- BLAS: " + "; ".join(
            f"{b['internal_api']} {b.get('version')} ({b.get('architecture')}, "
            f"{b['num_threads']} threads)" for b in env["blas"]),
    ]
    return "\n".join(header) + "\n\n" + "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for smoke tests")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/out")
    args = parser.parse_args(argv)
    n = 2000 if args.quick else 60000
    epochs = 1 if args.quick else args.epochs
    repeat = 1 if args.quick else args.repeat
    env = environment()
    ep, X, y = bench_epochs(n, epochs, repeat)
    small = bench_small(1 if args.quick else 5)
    predict = bench_predict(X, y, 100 if args.quick else 2000)
    text = report(env, ep, small, predict, n)
    print(text)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = "unset" if env["OPENBLAS_CORETYPE"] == "(unset)" else "set"
    (out / f"mlp_openblas_{tag}.md").write_text(text + "\n")
    (out / f"mlp_openblas_{tag}.json").write_text(json.dumps(
        {"env": env, "epochs": ep, "small": small, "predict": predict}, indent=2))
    return text


if __name__ == "__main__":
    main()
