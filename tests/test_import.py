"""What ``import sknn`` (and constructing an estimator) loads (issue 14).

Each check runs in a fresh interpreter, since this one has imported everything
already. No wall-clock asserts: the modules loaded are what decide the cost
(benchmarks/RESULTS.md has the measured times).
"""

import json
import subprocess
import sys

import pytest

#: Modules that ``import sknn`` must not load: skorch (only needed to build an
#: engine, at fit time), the plotting and data-frame libraries of the comparison
#: job, scikit-learn's model selection, and torch's compiler stack.
NOT_AT_IMPORT = ["skorch", "matplotlib", "sklearn.model_selection", "torch._dynamo"]


def _loaded(code, names):
    """Run ``code`` in a fresh interpreter; which of ``names`` it left in sys.modules."""
    report = f"print(json.dumps([n for n in {names!r} if n in sys.modules]))"
    script = f"import json, sys\n{code}\n{report}"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pandas_comes_with_sklearn():
    return bool(_loaded("import sklearn.base", ["pandas"]))


def test_import_and_construct_load_no_heavy_modules():
    names = NOT_AT_IMPORT + ([] if _pandas_comes_with_sklearn() else ["pandas"])
    code = (
        "import sknn\n"
        "sknn.MLPClassifier((4,)); sknn.RBMTransformer(); sknn.RNNClassifier()\n"
        "sknn.PerceptronClassifier(); sknn.TextSequencer()"
    )
    assert _loaded(code, names) == []


def test_public_names_unchanged_and_compare_on_first_use():
    code = (
        "import sknn\n"
        "assert all(hasattr(sknn, n) for n in sknn.__all__), sknn.__all__\n"
        "assert 'compare' in dir(sknn)\n"
        "from sknn import compare\n"
        "from sknn.comparison._job import compare as job_compare\n"
        "assert compare is job_compare"
    )
    _loaded(code, [])


def test_datasets_do_not_import_the_comparison_job():
    assert _loaded("import sknn.datasets", ["sknn.comparison._job", "matplotlib"]) == []


@pytest.mark.xfail(
    reason="torch's Optimizer imports torch._dynamo when it is constructed "
    "(add_param_group is wrapped in torch._disable_dynamo) and at each step "
    "(_use_grad_for_differentiable); sknn cannot avoid it without replacing "
    "torch.optim. It costs about 1 s once per process (measured here: 1.2 s).",
    strict=True,
)
def test_small_fit_without_compile_does_not_import_dynamo():
    code = (
        "import numpy as np, warnings, sknn\n"
        "warnings.simplefilter('ignore')\n"
        "X = np.random.RandomState(0).rand(20, 3); y = np.arange(20) % 2\n"
        "sknn.MLPClassifier((4,), max_iter=2, device='cpu').fit(X, y)"
    )
    assert _loaded(code, ["torch._dynamo"]) == []


def test_import_sknn_loads_neither_torch_nor_sklearn():
    # The public names are imported on first use (sknn/__init__.py's _SOURCES).
    assert _loaded("import sknn; sknn.__version__", ["torch", "sklearn"]) == []


def test_every_public_name_resolves_to_its_source_module():
    code = (
        "import sknn\n"
        "for name, source in sknn._SOURCES.items():\n"
        "    value = getattr(sknn, name)\n"
        "    module = 'sknn' + source\n"
        "    assert value is getattr(sys.modules[module], name), name\n"
        "assert set(sknn._SOURCES) | {'__version__'} == set(sknn.__all__)\n"
        "ns = {}\n"
        "exec('from sknn import *', ns)\n"
        "assert set(sknn.__all__) <= set(ns), sorted(set(sknn.__all__) - set(ns))"
    )
    _loaded(code, [])
