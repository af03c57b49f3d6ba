"""Start-up costs, each in fresh Python processes: ``import sknn`` against ``import
torch``, and the one-off cost of the first fit in a process.

1. **Import time**: wall time of ``python -c "import torch"``, ``python -c "import
   torch, sklearn.base"``, ``python -c "import sknn"`` and ``python -c "from sknn
   import MLPClassifier"``, ``--n`` fresh processes of each, interleaved; medians.
   The floor: ``import sknn`` at most ``import torch`` + 0.3 s. ``import sknn`` loads
   its estimators on first use, so the last figure, what sknn adds to the torch and
   scikit-learn an estimator needs, is reported beside it.
2. **First fit**: in a fresh process, the first and the second fit of
   ``MLPClassifier(max_iter=5, random_state=0)`` on digits (scaled by 1/16), for sknn
   and for scikit-learn (each in its own process); the first fit's extra time over the
   second is its one-off cost (for sknn mostly ``torch._dynamo``, imported by torch's
   optimizers; see RESULTS.md).

The processes run from the repository root with it on ``PYTHONPATH``, so the tree's
``sknn`` is imported.

Usage::

    python benchmarks/bench_startup.py          # about a minute
    python benchmarks/bench_startup.py --n 1    # one process of each
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMPORTS = {
    "torch": "import torch",
    "torch_sklearn_base": "import torch, sklearn.base",
    "sknn": "import sknn",
    # what a user's first line costs: the estimator needs torch and scikit-learn's base
    "sknn_estimator": "from sknn import MLPClassifier",
}
FIRST_FIT = """
import json, time, warnings
warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
X = X / 16.0
if {who!r} == "sknn":
    from sknn import MLPClassifier  # the import itself is not the first fit's cost
    make = lambda: MLPClassifier(max_iter=5, random_state=0, device="cpu")
else:
    from sklearn.neural_network import MLPClassifier
    make = lambda: MLPClassifier(max_iter=5, random_state=0)
times = []
for _ in range(2):
    t = time.perf_counter()
    make().fit(X, y)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _wall(code, gate=None):
    """Seconds of one fresh ``python -c code`` process (through the gate if given)."""

    def run():
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=_env())

    if gate is None:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start
    return gate.timed(f"python -c {code!r}", run)[0]


def import_times(n=5, gate=None, names=tuple(IMPORTS)):
    """``n`` fresh processes per import, interleaved; medians and the floor's margin."""
    raw = {k: [] for k in names}
    for _ in range(n):
        for name, code in ((k, IMPORTS[k]) for k in names):
            raw[name].append(_wall(code, gate))
    med = {k: statistics.median(v) for k, v in raw.items()}
    result = {
        "n": n,
        "all_s": raw,
        "median_s": med,
        "sknn_minus_torch_s": med["sknn"] - med["torch"],
    }
    if "sknn_estimator" in med and "torch_sklearn_base" in med:
        result["estimator_minus_base_s"] = med["sknn_estimator"] - med["torch_sklearn_base"]
    return result


def first_fit(gate=None):
    """The first and second fit of a small MLP in a fresh process, per library."""
    out = {}
    for who in ("sknn", "sklearn"):

        def run(who=who):
            return subprocess.run(
                [sys.executable, "-c", FIRST_FIT.format(who=who)],
                check=True,
                cwd=ROOT,
                env=_env(),
                capture_output=True,
                text=True,
            ).stdout

        stdout = run() if gate is None else gate.timed(f"first-fit/{who}", run)[1]
        first, second = json.loads(stdout.strip().splitlines()[-1])
        out[who] = {"first_s": first, "second_s": second, "one_off_s": first - second}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5, help="fresh processes per import")
    args = parser.parse_args(argv)
    imp = import_times(args.n)
    fit = first_fit()
    print(
        "| measurement | seconds |\n|---|---|\n"
        + "".join(
            f"| `{IMPORTS[k]}` (median of {args.n}) | {v:.2f} |\n"
            for k, v in imp["median_s"].items()
        )
        + f"| `import sknn` - `import torch` (floor <= 0.3) | {imp['sknn_minus_torch_s']:.2f} |\n"
        + f"| `from sknn import MLPClassifier` - `import torch, sklearn.base` "
        f"| {imp['estimator_minus_base_s']:.2f} |\n"
        + "".join(
            f"| first fit's one-off cost, {who} | {r['one_off_s']:.2f} "
            f"(first {r['first_s']:.2f}, second {r['second_s']:.2f}) |\n"
            for who, r in fit.items()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
