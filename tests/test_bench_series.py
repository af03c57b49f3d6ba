"""benchmarks/bench_series.py: the FCN recipe of the user guide, and the script.

The recipe is written twice, as a code block in docs/user_guide/series.rst and as
``bench_series.fcn``; these tests hold the two together, and run the script in its
quick mode on the smallest set.
"""

import importlib.util
import json
import pathlib
import re

import numpy as np
import pytest

from sknn import ConvNetClassifier

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_series", ROOT / "benchmarks" / "bench_series.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _guide_recipe(n_train, name="fcn"):
    """The estimator built by a recipe's code block in the user guide."""
    text = (ROOT / "docs" / "user_guide" / "series.rst").read_text(encoding="utf-8")
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    block = next(b for b in blocks if f"{name} = ConvNetClassifier(" in b)
    code = "\n".join(line[4:] for line in block.splitlines())
    code = code.replace(f"{name}.fit(X_train, y_train)", "")
    scope = {"n_train": n_train, "ConvNetClassifier": ConvNetClassifier}
    exec(code, scope)
    return scope[name]


@pytest.mark.parametrize("name, largest_batch", [("fcn", 16), ("resnet", 64)])
@pytest.mark.parametrize("n_train", [12, 36, 50, 200, 1000])
def test_user_guide_recipes_are_the_benchmarked_ones(bench, name, largest_batch, n_train):
    guide = _guide_recipe(n_train, name)
    assert isinstance(guide, ConvNetClassifier)
    assert guide.get_params() == bench.NETWORKS[name](n_train).get_params()
    assert guide.batch_size == max(2, min(n_train // 10, largest_batch))


def test_variable_lengths_are_resampled_by_interpolation(bench):
    series = [np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[0.0], [1.0], [2.0]]) * [1, -1]]
    out = bench.same_length(series, 3)
    assert out.shape == (2, 3, 2)
    np.testing.assert_allclose(out[0], [[0, 1], [1, 2], [2, 3]])
    np.testing.assert_allclose(out[1], series[1])


def test_quick_run_writes_the_report(bench, tmp_path):
    pytest.importorskip("sktime", reason="the UCR files ship inside sktime")
    results = bench.main(
        ["--quick", "--sets", "ItalyPowerDemand", "--seeds", "2", "--out", str(tmp_path)]
    )
    runs = results["ItalyPowerDemand"]["fcn"]
    assert [r["seed"] for r in runs] == [0, 1] and all(r["epochs"] == 3 for r in runs)
    assert "resnet" not in results["ItalyPowerDemand"]  # only with --networks
    saved = json.loads((tmp_path / "series_quick.json").read_text())
    assert saved["results"]["ItalyPowerDemand"]["n_train"] == 67
    report = (tmp_path / "series_quick.md").read_text()
    assert "| ItalyPowerDemand (67 / 1029) | FCN |" in report and "96.1 (0.3)" in report


def test_quick_resnet_run(bench, tmp_path):
    pytest.importorskip("sktime", reason="the UCR files ship inside sktime")
    args = ["--quick", "--sets", "ItalyPowerDemand", "--seeds", "1", "--networks", "resnet"]
    results = bench.main([*args, "--out", str(tmp_path)])
    assert [r["epochs"] for r in results["ItalyPowerDemand"]["resnet"]] == [3]
    report = (tmp_path / "series_quick.md").read_text()
    assert "| ResNet |" in report and "96.3 (0.4)" in report
