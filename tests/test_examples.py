"""Every example runs (in its fast mode) so none of them rots."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted(
    p for p in (pathlib.Path(__file__).parents[1] / "examples").glob("*.py")
    if not p.name.startswith("_")
)


def test_examples_found():
    assert len(EXAMPLES) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    pytest.importorskip("matplotlib", reason="examples need the 'examples' extra")
    env = {**os.environ, "SKNN_EXAMPLES_FAST": "1", "SKNN_EXAMPLES_OUT": str(tmp_path),
           "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, str(path)], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "an example should print what it found"
    if path.name.startswith("plot_"):
        assert list(tmp_path.glob("*.png")), "plot_ examples write a PNG"
