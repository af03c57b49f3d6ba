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


#: A small fit in a fresh interpreter (``{compile}``: the estimator's ``compile``).
SMALL_FIT = (
    "import numpy as np, warnings, sknn, sknn._engine\n"
    "warnings.simplefilter('ignore')\n"
    "sknn._engine._COMPILE_OPTIONS['backend'] = 'eager'\n"
    "X = np.random.RandomState(0).rand(20, 3); y = np.arange(20) % 2\n"
    "clf = sknn.MLPClassifier((4,), max_iter=2, device='cpu', compile={compile}).fit(X, y)\n"
    "assert clf.n_iter_ == 2 and clf.predict(X).shape == (20,)\n"
    "assert (clf._engine._compiled is not None) == {compile}"
)


def test_small_fit_without_compile_does_not_import_dynamo():
    # torch.optim.Optimizer imports torch._dynamo (about 1.2 s here, once per
    # process and in every joblib worker); sknn's optimizers (sknn._optimizers)
    # do not derive from it.
    assert _loaded(SMALL_FIT.format(compile=False), ["torch._dynamo"]) == []


def test_small_fit_with_compile_still_compiles():
    # compile=True does go through torch.compile (and so imports torch._dynamo).
    assert _loaded(SMALL_FIT.format(compile=True), ["torch._dynamo"]) == ["torch._dynamo"]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_every_stochastic_solver_fits_without_dynamo(solver):
    code = (
        "import numpy as np, warnings, sknn\n"
        "warnings.simplefilter('ignore')\n"
        "X = np.random.RandomState(0).rand(20, 3); y = np.arange(20) % 2\n"
        f"kw = dict(solver={solver!r}, max_iter=3, alpha=0.1, momentum=0.9)\n"
        "sknn.MLPClassifier((4,), early_stopping=True, validation_fraction=0.2, **kw).fit(X, y)\n"
        "clf = sknn.MLPClassifier((4,), **kw).fit(X, y)\n"
        "clf.partial_fit(X, y)\n"
        "clf.set_params(warm_start=True).fit(X, y)\n"
        "import pickle; pickle.loads(pickle.dumps(clf)).partial_fit(X, y)"
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
