"""numpydoc validation of the public API's docstrings."""

import inspect
import re
import textwrap

import pytest

import sknn
import sknn.modules
from sknn._docs import docdict, fill_doc

# Checks not enforced: examples/see-also on every method, extended summaries,
# one-line summary style details, and private-name documentation.
IGNORED = {"EX01", "SA01", "GL08", "ES01", "SS05", "SS06", "GL01", "GL02", "RT02", "PR02", "YD01"}
METHODS = (
    "fit",
    "partial_fit",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "forward",
    "hidden",
)


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
                        hasattr(obj, method)
                        and obj.__module__.startswith("sknn")
                        and getattr(obj, method).__module__.startswith("sknn")
                    ):
                        yield f"{module.__name__}.{name}.{method}"


@pytest.mark.parametrize("name", sorted(set(_public_names())))
def test_docstring(name):
    validate = pytest.importorskip(
        "numpydoc.validate", reason="docstring validation needs numpydoc"
    ).validate
    errors = [(code, msg) for code, msg in validate(name)["errors"] if code not in IGNORED]
    assert not errors, errors


# -- the shared docstring fragments (sknn/_docs.py) ------------------------------------

PLACEHOLDER = re.compile(r"%\([^()\n]*\)s")


def _public_objects():
    """(dotted name, object) of every public class and function and of their methods
    checked above."""
    for name in sorted(set(_public_names())):
        module = sknn.modules if name.startswith("sknn.modules.") else sknn
        obj = module
        for part in name[len(module.__name__) + 1 :].split("."):
            obj = getattr(obj, part)
        yield name, obj


@pytest.mark.parametrize("name", sorted(set(_public_names())))
def test_no_placeholder_left(name):
    """Every ``%(name)s`` of a public docstring has been filled by ``fill_doc``."""
    obj = dict(_public_objects())[name]
    left = PLACEHOLDER.findall(obj.__doc__ or "")
    assert not left, f"{name}: unfilled placeholder(s) {left}; decorate it with @fill_doc"


def test_fill_doc_fills_known_placeholders():
    class Estimator:
        """An estimator.

        Parameters
        ----------
        %(device)s

        rate : float
            A rate, in %% or in %(percent)d: a literal ``%`` stays as it is.
        """

    filled = fill_doc(Estimator).__doc__
    # the fragment is re-indented to the placeholder's column (8 spaces here)
    assert "\n        device : str, default='auto'\n            Where to train" in filled
    assert "%% or in %(percent)d: a literal ``%`` stays" in filled
    assert not PLACEHOLDER.search(filled)


def test_fill_doc_without_docstring():
    class NoDoc:
        pass

    assert fill_doc(NoDoc).__doc__ is None


def test_fill_doc_rejects_unknown_placeholder():
    with pytest.raises(ValueError, match=r"%\(devise\)s.*Did you mean %\(device\)s"):

        @fill_doc
        class Estimator:
            """An estimator.

            Parameters
            ----------
            %(devise)s
            """


def test_fill_doc_rejects_placeholder_inside_text():
    with pytest.raises(ValueError, match="must stand alone on its line"):

        @fill_doc
        class Estimator:
            """An estimator.

            Parameters
            ----------
            device : str
                See %(device)s.
            """


@pytest.mark.parametrize("key", sorted(docdict))
def test_fragment_is_numpydoc_entries(key):
    """Each fragment is complete numpydoc entries, indented as in a class docstring,
    and at least one public class uses it."""
    docscrape = pytest.importorskip("numpydoc.docscrape", reason="parsing fragments needs numpydoc")
    fragment = docdict[key]
    lines = fragment.split("\n")
    assert lines[0].startswith("    ") and not lines[0].startswith("     "), lines[0]
    assert all(line == line.rstrip() for line in lines), "trailing white space"
    assert "\n\n\n" not in fragment and not fragment.endswith("\n")
    heads = [line for line in lines if line.startswith("    ") and line[4:5] != " "]
    parsed = docscrape.NumpyDocString(
        "Summary.\n\nParameters\n----------\n" + textwrap.dedent(fragment) + "\n"
    )["Parameters"]
    assert [p.name for p in parsed] == [h.split(" : ")[0].strip() for h in heads]
    for entry in parsed:
        assert entry.type and entry.desc, entry.name
    docs = [obj.__doc__ or "" for _, obj in _public_objects()]
    assert any(fragment in doc for doc in docs), f"no public docstring uses %({key})s"
