"""The comparison API (sknn.compare) and its command line (python -m sknn compare)."""

import subprocess
import sys

import pytest

from sknn import compare
from sknn.__main__ import main

FAST_MODELS = ["sknn-mlp", "logreg"]


def test_compare_api_returns_a_table():
    table = compare(dataset="iris", models=FAST_MODELS, cv=3, max_iter=30, device="cpu")
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert [r["model"] for r in rows] == sorted(
        FAST_MODELS, key=lambda m: -next(r["accuracy_mean"] for r in rows if r["model"] == m))
    for r in rows:
        assert 0.8 < r["accuracy_mean"] <= 1.0
        assert r["accuracy_std"] >= 0 and r["fit_time_s"] > 0 and r["predict_time_s"] > 0


def test_compare_api_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Unknown model"):
        compare(dataset="iris", models=["nope"])
    with pytest.raises(ValueError, match="cv must be"):
        compare(dataset="iris", models=FAST_MODELS, cv=1)
    with pytest.raises(ValueError, match="Unknown dataset"):
        compare(dataset="mnist-from-the-internet")


def test_cli_writes_outputs(tmp_path, capsys):
    status = main(["compare", "--dataset", "iris", "--models", ",".join(FAST_MODELS),
                   "--cv", "3", "--max-iter", "30", "--device", "cpu", "--no-progress",
                   "--out", str(tmp_path)])
    assert status == 0
    out = capsys.readouterr().out
    assert "| sknn-mlp |" in out and "| logreg |" in out
    csv_text = (tmp_path / "results.csv").read_text()
    assert csv_text.splitlines()[0] == "model,accuracy_mean,accuracy_std,fit_time_s,predict_time_s"
    assert len(csv_text.splitlines()) == 3
    assert "| model |" in (tmp_path / "results.md").read_text()
    pytest.importorskip("matplotlib", reason="the PNG needs matplotlib")
    assert (tmp_path / "results.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cv", "1"], "--cv must be at least 2"),
        (["--models", "svc,bogus"], "unknown"),
        (["--dataset", "mnist"], "invalid choice"),
        (["--device", "tpu"], "--device"),
        (["--max-iter", "0"], "--max-iter"),
        (["--cv", "three"], "invalid int value"),
    ],
)
def test_cli_bad_options_exit_with_a_message(args, message, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sknn", "compare", "--out", str(tmp_path), *args],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
