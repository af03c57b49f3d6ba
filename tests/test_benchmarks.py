"""benchmarks/run_all.py: the generated "Current results" section of RESULTS.md.

Speed is never asserted here: these tests check that the entry point runs, that it
replaces only the text between its markers and that every figure gets a table row,
and that the ceilings (the matrix products alone) time exactly the products an sknn
training step runs.
"""

import importlib.util
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def run_all():
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outside(text, run_all):
    """The text before the begin marker and after the end marker."""
    head, rest = text.split(run_all.BEGIN)
    _, tail = rest.split(run_all.END)
    return head, tail


def test_committed_results_have_one_marked_section(run_all):
    text = (BENCH / "RESULTS.md").read_text(encoding="utf-8")
    assert text.count(run_all.BEGIN) == text.count(run_all.END) == 1
    assert text.index(run_all.BEGIN) < text.index(run_all.END)
    assert text.startswith("# Benchmark results\n")


def test_rewrite_replaces_only_the_marked_section(run_all, tmp_path):
    path = tmp_path / "RESULTS.md"
    original = f"# T\n\nintro\n{run_all.BEGIN}\nold table\n{run_all.END}\n\n## History\nkept\n"
    path.write_text(original, encoding="utf-8")
    section = f"{run_all.BEGIN}\n## Current results\nnew table\n{run_all.END}\n"
    run_all.rewrite(path, section)
    new = path.read_text(encoding="utf-8")
    assert "old table" not in new and "new table" in new
    assert _outside(new, run_all) == _outside(original, run_all)
    run_all.rewrite(path, section)  # idempotent
    assert path.read_text(encoding="utf-8") == new


def test_rewrite_inserts_the_section_under_the_title(run_all, tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## History\nkept\n", encoding="utf-8")
    run_all.rewrite(path, f"{run_all.BEGIN}\nnew\n{run_all.END}\n")
    new = path.read_text(encoding="utf-8")
    assert new.startswith(f"# Benchmark results\n\n{run_all.BEGIN}\nnew\n{run_all.END}\n")
    assert new.endswith("## History\nkept\n")


@pytest.mark.parametrize(
    "key, value, expected",
    [("rbm_10", 4.0, "PASS"), ("rbm_10", 3.9, "FAIL"), ("grid_1", 1.01, "FAIL")],
)
def test_verdicts_follow_the_floors(run_all, key, value, expected):
    assert run_all.verdict(key, value) == expected


@pytest.mark.slow
def test_quick_run_rewrites_a_copy_of_results(run_all, tmp_path):
    """``run_all.py --quick`` (every benchmark at tiny sizes, about a minute on a busy
    2-core machine) rewrites the section of a copy of RESULTS.md: the markers are
    kept, the text outside them is unchanged, and every figure has a table row."""
    results = tmp_path / "RESULTS.md"
    shutil.copy(BENCH / "RESULTS.md", results)
    original = results.read_text(encoding="utf-8")
    subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--quick", "--results", str(results)]
        + ["--out", str(tmp_path / "out")],
        check=True,
        cwd=ROOT,
        capture_output=True,
        timeout=600,
    )
    new = results.read_text(encoding="utf-8")
    assert new.count(run_all.BEGIN) == new.count(run_all.END) == 1
    assert _outside(new, run_all) == _outside(original, run_all)
    head, rest = new.split(run_all.BEGIN)
    section = rest.split(run_all.END)[0]
    assert section != original.split(run_all.BEGIN)[1].split(run_all.END)[0]
    assert "## Current results (`--quick` smoke run" in section
    for label, _, _ in run_all.FLOORS.values():
        rows = [line for line in section.splitlines() if line.startswith(f"| {label} |")]
        assert len(rows) == 1, label
    assert "git commit" in section and "threadpoolctl" in section
    assert "OPENBLAS_CORETYPE=" in section
    assert (tmp_path / "out" / "run_all_quick.json").is_file()


# ------------------------------------------------------------------ the ceilings
def _bench_module(name):
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


def _products(fn):
    """The matrix products ``fn`` runs, as a Counter of sorted (m, k, n) triples."""
    from collections import Counter

    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        fn()
    found = Counter()
    for event in prof.events():
        if event.name in ("aten::mm", "aten::addmm", "aten::addmm_"):
            # mm(a, b[, out]); addmm(self, a, b, ...)
            first = 0 if event.name == "aten::mm" else 1
            a, b = (tuple(s) for s in event.input_shapes[first : first + 2])
            assert a[1] == b[0]
            found[tuple(sorted((a[0], a[1], b[1])))] += 1
    return found


def _per_batch(fn):
    """The products of one more minibatch: a fit on two batches' rows minus a fit
    on one (what a fit does once, like its final scoring, cancels)."""
    two, one = _products(lambda: fn(2)), _products(lambda: fn(1))
    two.subtract(one)
    return +two


def test_mlp_ceiling_times_the_products_sknn_runs():
    """The MLP ceiling (``matrix_products_epoch``) times, per minibatch, the same
    matrix products, of the same sizes, as an sknn training step: no more (the
    ceiling would be too low) and no fewer (too high)."""
    bench_mlp = _bench_module("bench_mlp")
    X, y = bench_mlp.mnist_shaped(2 * bench_mlp.BATCH)
    ours = _per_batch(
        lambda k: bench_mlp.fit_sknn(X[: k * bench_mlp.BATCH], y[: k * bench_mlp.BATCH], 1)
    )
    bench = _per_batch(lambda k: bench_mlp.matrix_products_epoch(k * bench_mlp.BATCH, repeat=1))
    # matrix_products_epoch runs a warm-up epoch and ``repeat`` timed ones
    assert sum(ours.values()) == 8
    assert bench == {key: 2 * count for key, count in ours.items()}


@pytest.mark.parametrize("batch_size", [10, 100])
def test_rbm_ceiling_times_the_products_sknn_runs(batch_size):
    """Likewise for the RBM ceiling and sknn's persistent CD-1 minibatch. The fits
    have 1000 rows more than the batches compared, so that the 1000 rows sknn
    reconstructs at each epoch's end (to report its error) cancel."""
    bench_rbm = _bench_module("bench_rbm")
    X = bench_rbm.binary_data(1000 + 2 * batch_size)

    def rows(k):
        return 1000 + k * batch_size

    ours = _per_batch(lambda k: bench_rbm.fit_sknn(X[: rows(k)], batch_size))
    bench = _per_batch(lambda k: bench_rbm.matrix_products_epoch(rows(k), batch_size, 1, repeat=1))
    assert sum(ours.values()) == 4
    assert bench == {key: 2 * count for key, count in ours.items()}
