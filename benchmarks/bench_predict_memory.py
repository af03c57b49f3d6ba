"""Peak memory of prediction on 2 million rows: bounded by the batch size, not the rows.

For each case a fresh Python process fits a small ``sknn.MLPClassifier`` (20
features, hidden layers (256, 256), 10 classes), builds ``n_rows`` float32 input
rows, records its resident memory (RSS), runs one prediction call and records the
peak RSS (``ru_maxrss``). The extra memory of the call is compared with the size of
what it must return. A bare ``module(torch.from_numpy(X))`` on all rows at once is
measured for contrast: its intermediate activations grow with the number of rows.

Usage::

    python benchmarks/bench_predict_memory.py            # 200k and 2M rows, ~1 minute
    python benchmarks/bench_predict_memory.py --rows 2000000

The Markdown report is printed and written to ``--out`` (default
``benchmarks/out/``) as ``predict_memory.md`` / ``predict_memory.json``.
"""

import argparse
import json
import pathlib
import platform
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import json, resource, sys, warnings
    import numpy as np, torch
    from sknn import MLPClassifier

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    n_rows, method = int(sys.argv[1]), sys.argv[2]
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    Xs = rng.randn(2000, 20).astype(np.float32)
    clf = MLPClassifier((256, 256), max_iter=5, random_state=0, device="cpu")
    clf.fit(Xs, rng.randint(0, 10, 2000))
    clf.predict_proba(Xs[:10])  # warm-up
    X = np.random.default_rng(0).standard_normal((n_rows, 20), dtype=np.float32)
    before = rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if method == "predict":
        out = clf.predict(X)
    elif method == "predict_proba":
        out = clf.predict_proba(X)
    else:  # the whole input through the module in one call
        with torch.inference_mode():
            out = clf.module_(torch.from_numpy(X)).softmax(1).numpy()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(rows=n_rows, method=method, rss_before_mb=before,
                          peak_before_mb=peak_before, peak_mb=peak,
                          output_mb=out.nbytes / 2**20, input_mb=X.nbytes / 2**20)))
    """
)


def run(n_rows, method):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n_rows), method],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    import sklearn
    import torch

    import sknn

    results = [run(n, m) for n in args.rows for m in ("predict", "predict_proba", "bare_forward")]
    lines = [
        "### Peak memory of one prediction call (MLP 20-256-256-10, float32 input)",
        "",
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"torch {torch.__version__}, scikit-learn {sklearn.__version__}, sknn "
        f"{sknn.__version__}; batch of {sknn.MLPClassifier._predict_batch_size} rows.",
        "",
        "| rows | call | input (MB) | output (MB) | RSS before (MB) | peak (MB) "
        "| extra = peak - before (MB) | extra - output (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        base = max(r["rss_before_mb"], r["peak_before_mb"])
        extra = r["peak_mb"] - base
        lines.append(
            f"| {r['rows']:,} | {r['method']} | {r['input_mb']:.0f} | {r['output_mb']:.0f} "
            f"| {base:.0f} | {r['peak_mb']:.0f} | {max(extra, 0):.0f} "
            f"| {max(extra - r['output_mb'], 0):.0f} |"
        )
    text = "\n".join(lines)
    print(text)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "predict_memory.md").write_text(text + "\n")
    (out / "predict_memory.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
