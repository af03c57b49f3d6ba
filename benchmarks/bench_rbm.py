"""Epoch time of sknn.RBMTransformer against scikit-learn's BernoulliRBM and a plain
PyTorch loop, side by side in one process.

Data: 60000 x 784 binary rows (MNIST-shaped, 13% ones, fixed seed), 256 hidden
units, learning rate 0.1, persistent CD-1 (scikit-learn's algorithm), one epoch
(``n_iter=1``) per timed fit, at batch sizes 10 (scikit-learn's default) and 100.
Each round fits scikit-learn, sknn and the plain loop in turn; the median over
``--repeat`` rounds is reported. Every fit includes input validation, as a user
sees it (scikit-learn converts to float64, sknn to float32).

The plain torch loop is the least a hand-written PCD-1 epoch does: the data as one
tensor, shuffled once, ``addmm``/``sigmoid``/``bernoulli`` and in-place updates, on
the thread count sknn picks for that batch size.

Usage::

    python benchmarks/bench_rbm.py              # about 3 minutes on 2 idle cores
    python benchmarks/bench_rbm.py --quick      # smoke test, seconds
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_rbm.py

The Markdown report is printed and written, with the raw numbers as JSON, to
``--out`` (default ``benchmarks/out/``) as ``rbm_<tag>.md`` / ``rbm_<tag>.json``.
"""

import argparse
import json
import os
import pathlib
import statistics
import sys

import numpy as np
import torch
from sklearn.neural_network import BernoulliRBM

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402  (the idle gate and the environment report)

import sknn  # noqa: E402
from sknn import _rbm  # noqa: E402
from sknn.modules._rbm import _bernoulli  # noqa: E402
from sknn.utils._torch import torch_num_threads  # noqa: E402

N_COMPONENTS = 256
LEARNING_RATE = 0.1
FLOORS = {10: 4.0, 100: 2.0}  # sklearn epoch time / sknn epoch time, at least (issue 14)


def binary_data(n, d=784, density=0.13, seed=0):
    rng = np.random.RandomState(seed)
    return (rng.rand(n, d) < density).astype(np.float32)


def fit_sklearn(X, batch_size):
    return BernoulliRBM(
        n_components=N_COMPONENTS,
        learning_rate=LEARNING_RATE,
        batch_size=batch_size,
        n_iter=1,
        random_state=0,
    ).fit(X)


def fit_sknn(X, batch_size):
    return sknn.RBMTransformer(
        n_components=N_COMPONENTS,
        learning_rate=LEARNING_RATE,
        batch_size=batch_size,
        n_iter=1,
        random_state=0,
        device="cpu",
    ).fit(X)


def fit_plain_torch(X, batch_size, threads):
    g = torch.Generator().manual_seed(0)
    n, d = X.shape
    W = torch.randn(N_COMPONENTS, d, generator=g) * 0.01
    b_h, b_v = torch.zeros(N_COMPONENTS), torch.zeros(d)
    chain = torch.zeros(batch_size, N_COMPONENTS)
    with torch.inference_mode(), torch_num_threads(threads):
        Xt = torch.from_numpy(X)[torch.randperm(n, generator=g)]
        for s in range(0, n, batch_size):
            v = Xt[s : s + batch_size]
            h_pos = torch.sigmoid(torch.addmm(b_h, v, W.t()))
            v_neg = _bernoulli(torch.sigmoid(torch.addmm(b_v, chain, W)), g)
            h_neg = torch.sigmoid(torch.addmm(b_h, v_neg, W.t()))
            a = LEARNING_RATE / v.shape[0]
            c = LEARNING_RATE / batch_size
            W.addmm_(h_pos.t(), v, alpha=a).addmm_(h_neg.t(), v_neg, alpha=-c)
            b_h.add_(h_pos.sum(0), alpha=a).add_(h_neg.sum(0), alpha=-c)
            b_v.add_(v.sum(0), alpha=a).add_(v_neg.sum(0), alpha=-c)
            chain = _bernoulli(h_neg, g)
    return W


def matrix_products_epoch(n, batch_size, threads, repeat=3, d=784):
    """Seconds per epoch of the matrix products alone, as sknn computes them: the
    least any PCD-1 epoch can take with torch's kernels on this machine.

    Per minibatch: the positive and negative hidden probabilities in one product
    (``[v; v_neg] @ W.T``), the visible means of the chain (``chain @ W``) and the
    two weight updates (``W += a h_pos.T v - c h_neg.T v_neg``): five products of
    batch x 784 x 256. Here on preallocated tensors with ``out=``, no sampling,
    sigmoid or bias, on ``threads`` threads; the median of ``repeat`` epochs.
    scikit-learn's epoch time divided by this is the highest speed-up over
    scikit-learn that the products allow.
    """
    g = torch.Generator().manual_seed(0)
    W = torch.rand(N_COMPONENTS, d, generator=g) * 0.01
    v_both = (torch.rand(2 * batch_size, d, generator=g) < 0.13).float()
    h_both = torch.rand(2 * batch_size, N_COMPONENTS, generator=g)
    chain = (torch.rand(batch_size, N_COMPONENTS, generator=g) < 0.5).float()
    v_mean = torch.empty(batch_size, d)
    h_pos, h_neg = h_both[:batch_size], h_both[batch_size:]
    v_pos, v_neg = v_both[:batch_size], v_both[batch_size:]

    def epoch():
        with torch.inference_mode(), torch_num_threads(threads):
            for _ in range(0, n, batch_size):
                torch.mm(v_both, W.t(), out=h_both)
                torch.mm(chain, W, out=v_mean)
                W.addmm_(h_pos.t(), v_pos, alpha=1e-6).addmm_(h_neg.t(), v_neg, alpha=-1e-6)

    epoch()  # warm-up
    return statistics.median(
        _harness.GATE.timed(f"products-bs{batch_size}", epoch)[0] for _ in range(repeat)
    )


def sknn_threads(batch_size, d):
    work = batch_size * d * N_COMPONENTS
    return 1 if work < _rbm._ONE_THREAD_WORK else torch.get_num_threads()


def bench(X, batch_sizes, repeat):
    results = {}
    for bs in batch_sizes:
        times = {"sklearn": [], "sknn": [], "plain_torch": []}
        threads = sknn_threads(bs, X.shape[1])
        for _ in range(repeat):
            for name, fn in (
                ("sklearn", lambda bs=bs: fit_sklearn(X, bs)),
                ("sknn", lambda bs=bs: fit_sknn(X, bs)),
                ("plain_torch", lambda bs=bs, t=threads: fit_plain_torch(X, bs, t)),
            ):
                seconds, _ = _harness.GATE.timed(f"{name}-bs{bs}", fn)
                times[name].append(seconds)
        med = {k: statistics.median(v) for k, v in times.items()}
        products = matrix_products_epoch(len(X), bs, threads, repeat, X.shape[1])
        results[bs] = {
            "median_s": med,
            "matrix_products_s": products,
            "ceiling_vs_sklearn": med["sklearn"] / products,
            "all_s": times,
            "sknn_threads": threads,
            "speedup_vs_sklearn": med["sklearn"] / med["sknn"],
            "time_vs_plain_torch": med["sknn"] / med["plain_torch"],
        }
    return results


def bench_threads(X, batch_sizes, repeat):
    """sknn epoch time on 1 thread vs torch's default count (calibrates the switch)."""
    out = {}
    default = torch.get_num_threads()
    for bs in batch_sizes:
        row = {}
        for threads in sorted({1, default}):
            old = _rbm._ONE_THREAD_WORK
            _rbm._ONE_THREAD_WORK = 0 if threads > 1 else float("inf")
            try:
                row[threads] = statistics.median(
                    _harness.GATE.timed(f"threads{threads}-bs{bs}", lambda bs=bs: fit_sknn(X, bs))[
                        0
                    ]
                    for _ in range(repeat)
                )
            finally:
                _rbm._ONE_THREAD_WORK = old
        out[bs] = row
    return out


def report(env, n_rows, res, threads):
    lines = [
        f"### RBM epoch time: {n_rows} x 784 binary, {N_COMPONENTS} hidden, PCD-1",
        "",
        f"CPU: {env['cpu']} ({env['cores']} cores); torch {env['torch']}, "
        f"scikit-learn {env['scikit-learn']}, numpy {env['numpy']}; OPENBLAS_CORETYPE="
        f"{env['OPENBLAS_CORETYPE']}, OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}; "
        f"gate: {_harness.GATE.summary()}",
        "",
        "| batch | sklearn (s) | sknn (s) | plain torch (s) | sknn threads "
        "| speed-up vs sklearn | floor | vs plain torch | products alone (s) "
        "| ceiling vs sklearn |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    for bs, r in res.items():
        m = r["median_s"]
        floor = FLOORS.get(bs)
        verdict = ""
        if floor:
            passed = r["speedup_vs_sklearn"] >= floor
            ok &= passed
            verdict = f">= {floor} {'PASS' if passed else 'FAIL'}"
        lines.append(
            f"| {bs} | {m['sklearn']:.2f} | {m['sknn']:.2f} | {m['plain_torch']:.2f} "
            f"| {r['sknn_threads']} | {r['speedup_vs_sklearn']:.2f}x | {verdict} "
            f"| {r['time_vs_plain_torch']:.2f}x | {r['matrix_products_s']:.2f} "
            f"| {r['ceiling_vs_sklearn']:.2f}x |"
        )
    if threads:
        lines += ["", "sknn epoch time by torch thread count (seconds):", ""]
        counts = sorted({t for row in threads.values() for t in row})
        lines.append("| batch | " + " | ".join(f"{t} thread(s)" for t in counts) + " |")
        lines.append("|---|" + "---|" * len(counts))
        for bs, row in threads.items():
            lines.append(f"| {bs} | " + " | ".join(f"{row[t]:.2f}" for t in counts) + " |")
    return "\n".join(lines), ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument(
        "--threads", action="store_true", help="also time sknn on 1 thread vs torch's default count"
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=120,
        help="seconds to wait for an idle machine before each fit",
    )
    parser.add_argument("--quick", action="store_true", help="smoke test on 2000 rows")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeat, args.max_wait = 2000, 1, 0
    _harness.set_gate(args.max_wait, 0 if args.quick else 2)
    env = _harness.environment()
    X = binary_data(args.rows)
    fit_sknn(X[:500], 10)  # warm-up (imports, first-call allocations)
    res = bench(X, args.batch_sizes, args.repeat)
    threads = bench_threads(X, args.batch_sizes, args.repeat) if args.threads else None
    text, ok = report(env, args.rows, res, threads)
    print(text)
    tag = ("quick-" if args.quick else "") + (
        "openblas-set" if env["OPENBLAS_CORETYPE"] or env["OPENBLAS_L2_SIZE"] else "openblas-unset"
    )
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"rbm_{tag}.md").write_text(text + "\n")
    (out / f"rbm_{tag}.json").write_text(
        json.dumps(
            {"env": env, "results": res, "threads": threads, "gate": _harness.GATE.log},
            indent=1,
            default=str,
        )
    )
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
