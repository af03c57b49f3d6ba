"""numpydoc validation of the public API's docstrings."""

import inspect

import pytest

import sknn
import sknn.modules

# Checks not enforced: examples/see-also on every method, extended summaries,
# one-line summary style details, and private-name documentation.
IGNORED = {"EX01", "SA01", "GL08", "ES01", "SS05", "SS06", "GL01", "GL02", "RT02", "PR02",
           "YD01"}
METHODS = ("fit", "partial_fit", "predict", "predict_proba", "predict_log_proba",
           "decision_function", "forward", "hidden")


def _public_names():
    for module in (sknn, sknn.modules):
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isclass(obj) and not inspect.isfunction(obj):
                continue
            yield f"{module.__name__}.{name}"
            if inspect.isclass(obj):
                for method in METHODS:
                    if method in vars(obj) or (
                        hasattr(obj, method) and obj.__module__.startswith("sknn")
                        and getattr(obj, method).__module__.startswith("sknn")
                    ):
                        yield f"{module.__name__}.{name}.{method}"


@pytest.mark.parametrize("name", sorted(set(_public_names())))
def test_docstring(name):
    validate = pytest.importorskip("numpydoc.validate",
                                   reason="docstring validation needs numpydoc").validate
    errors = [(code, msg) for code, msg in validate(name)["errors"] if code not in IGNORED]
    assert not errors, errors
