"""Every example runs (in its fast mode) so that none of them rots."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted(
    p
    for p in (pathlib.Path(__file__).resolve().parents[1] / "examples").glob("*.py")
    if not p.name.startswith("_")
)


def test_examples_found():
    names = {p.name for p in EXAMPLES}
    assert {
        "plot_mlp_training_curves.py",
        "plot_mlp_grid_search.py",
        "plot_perceptron.py",
        "plot_convnet_digits.py",
        "plot_autoencoder.py",
        "plot_autoencoder_pretraining.py",
        "plot_rbm_features.py",
        "plot_rnn_sequences.py",
        "plot_text_classification.py",
        "plot_time_series.py",
    } <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    if path.name.startswith("plot_"):
        pytest.importorskip(
            "matplotlib", reason="plot_ examples need matplotlib (the 'examples' extra)"
        )
    out = tmp_path / "out"
    env = {
        **os.environ,
        "SKNN_EXAMPLES_FAST": "1",
        "SKNN_EXAMPLES_OUT": str(out),
        "MPLBACKEND": "Agg",
    }
    # Tiny networks train faster on one thread, and a second thread only competes with
    # whatever else runs on the machine (an explicit setting is kept).
    env.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,  # anything written to the working directory lands here
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert result.stdout.strip(), "an example should print what it found"
    if path.name.startswith("plot_"):
        pngs = list(out.glob("*.png"))
        assert pngs, f"{path.name} wrote no PNG to SKNN_EXAMPLES_OUT"
        assert all(p.stat().st_size > 1000 for p in pngs)
