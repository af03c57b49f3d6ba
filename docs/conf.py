"""Sphinx configuration for sknn's documentation.

Build (from the repository root; no network access is needed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Intersphinx is deliberately not enabled: it would download other projects'
inventories at build time. References to scikit-learn or PyTorch objects therefore
render as plain code, and ``nitpicky`` stays off so they do not warn.
"""

import ast
import pathlib
import sys

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import sknn  # noqa: E402

project = "sknn"
author = "sknn developers"
copyright = "2026, sknn developers"
release = sknn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

# -- autodoc / autosummary ---------------------------------------------------
autosummary_generate = True  # write stubs to docs/generated/ (git-ignored)

# -- numpydoc ----------------------------------------------------------------
# The class template (_templates/autosummary/class.rst) lists the methods itself,
# so numpydoc's own member tables (which include everything inherited from
# BaseEstimator) are switched off.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- general -----------------------------------------------------------------
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples", "requirements.txt"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
nitpicky = False
pygments_style = "sphinx"

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False


# -- generated page content --------------------------------------------------
# Both hooks fill a placeholder comment in an .rst file, so a page still builds
# (with a short note instead) when the file it shows is absent.

BENCH_RESULTS = ROOT / "benchmarks" / "RESULTS.md"
EXAMPLES = ROOT / "examples"


def _benchmark_results():
    if not BENCH_RESULTS.is_file():
        return (
            ".. note::\n\n"
            "   No results have been recorded yet: ``benchmarks/RESULTS.md`` does not\n"
            "   exist in this checkout. Run the benchmark as shown above.\n"
        )
    return (
        "The recorded results, as committed in ``benchmarks/RESULTS.md``:\n\n"
        ".. literalinclude:: ../benchmarks/RESULTS.md\n"
        "   :language: markdown\n"
    )


def _example_summary(path):
    """Title, body and first code line of an example with a gallery-style docstring."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return path.stem.replace("_", " "), "", 1
    doc = ast.get_docstring(tree) or ""
    first = tree.body[0] if tree.body else None
    start = 1
    if doc and len(tree.body) > 1:
        start = first.end_lineno + 1  # the docstring is shown as prose already
    lines = doc.strip("\n").splitlines()
    # A gallery header is a title underlined with "=".
    if len(lines) >= 2 and set(lines[1].strip()) == {"="}:
        return lines[0].strip(), "\n".join(lines[2:]).strip(), start
    return path.stem.replace("_", " "), doc.strip(), start


def _examples_section():
    scripts = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
    if not scripts:
        return "No examples in this checkout.\n"
    parts = []
    for path in scripts:
        title, body, start = _example_summary(path)
        parts.append(
            f".. _example_{path.stem}:\n\n"
            f"{title}\n{'-' * len(title)}\n\n"
            f"{body}\n\n"
            f"Run it with ``python examples/{path.name}``.\n\n"
            f".. literalinclude:: ../examples/{path.name}\n"
            "   :language: python\n"
            f"   :lines: {start}-\n"
        )
    return "\n".join(parts)


_PLACEHOLDERS = {
    "benchmarks": (".. sknn-benchmark-results", _benchmark_results),
    "examples": (".. sknn-examples", _examples_section),
}


def _fill_placeholders(app, docname, source):
    if docname in _PLACEHOLDERS:
        marker, make = _PLACEHOLDERS[docname]
        source[0] = source[0].replace(marker, make())


def setup(app):
    app.connect("source-read", _fill_placeholders)
    return {"parallel_read_safe": True}
