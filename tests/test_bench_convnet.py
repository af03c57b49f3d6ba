"""benchmarks/bench_convnet.py: the digits settings of the user guide, and the
script's digits part in its quick mode."""

import importlib.util
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_convnet", ROOT / "benchmarks" / "bench_convnet.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_user_guide_digits_settings_are_the_benchmarked_ones(bench):
    text = (ROOT / "docs" / "user_guide" / "convnet.rst").read_text(encoding="utf-8")
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    block = next(b for b in blocks if "digits_net = make_pipeline(" in b)
    scope = {}
    exec(
        "from sklearn.pipeline import make_pipeline\nfrom sknn import ConvNetClassifier\n"
        + "\n".join(line[4:] for line in block.splitlines()),
        scope,
    )
    scaler, net = (step for _, step in scope["digits_net"].steps)
    assert type(scaler).__name__ == "MinMaxScaler"
    expected = type(net)(**bench.DIGITS).get_params()
    assert net.get_params() == expected


def test_quick_digits_run(bench, tmp_path):
    assert bench.main(["--only", "digits", "--quick", "--seeds", "1", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "convnet_quick_digits.md").read_text()
    assert "### Digits (5-fold shuffled stratified CV, MinMaxScaler)" in report
    assert "| 0 | " in report and "floor >= 0.99" in report
