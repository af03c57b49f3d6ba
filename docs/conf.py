"""Sphinx configuration for sknn's documentation.

Build (from the repository root; no network access is needed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The examples gallery (sphinx-gallery) runs every script of ``examples/`` during the
build, in the scripts' fast mode (``SKNN_EXAMPLES_FAST=1``, set below unless the
environment sets it: ``SKNN_EXAMPLES_FAST=0`` builds the gallery from full runs).
sphinx-gallery keeps the generated pages in ``docs/auto_examples/`` (git-ignored) and
re-runs only the scripts that changed since; delete that folder to run them all.

Intersphinx is deliberately not enabled: it would download other projects'
inventories at build time. References to scikit-learn or PyTorch objects therefore
render as plain code, and ``nitpicky`` stays off so they do not warn.
"""

import os
import pathlib
import re
import sys

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))  # _sknn_gallery: the gallery's hooks

# The gallery runs each example in its fast mode (fewer epochs, less data): seconds each.
os.environ.setdefault("SKNN_EXAMPLES_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

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
    "sphinx_gallery.gen_gallery",
]

# -- sphinx-gallery ----------------------------------------------------------
# Every script in examples/ becomes a page of auto_examples/, with its printed output,
# its figures and links to download it as a .py file and as a Jupyter notebook.
# The scripts save their figures to $SKNN_EXAMPLES_OUT and close them, so a scraper
# of ours picks the PNGs up (see _sknn_gallery.py); matplotlib's scraper catches any
# figure left open.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",  # run every example, not only plot_*.py
    "ignore_pattern": r"(__init__|/_[^/]*)\.py$",  # helper modules start with "_"
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib", "_sknn_gallery.saved_png_scraper"),
    "reset_modules": ("matplotlib", "_sknn_gallery.reset_output_dir"),
    "abort_on_example_error": True,  # a broken example fails the build
    "download_all_examples": False,  # each page links its own .py and .ipynb
    "backreferences_dir": None,
    "show_memory": False,
    "show_signature": False,
    "remove_config_comments": True,
    "write_computation_times": False,
    "capture_repr": (),  # show what an example prints, not the repr of its last value
    "first_notebook_cell": None,
}

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
# The benchmarks page fills a placeholder comment, so it still builds (with a short
# note instead) when the file it shows is absent.

BENCH_RESULTS = ROOT / "benchmarks" / "RESULTS.md"


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


_PLACEHOLDERS = {
    "benchmarks": (".. sknn-benchmark-results", _benchmark_results),
}


# Pages refer to an example as :ref:`example_<script name>` (short, and independent of
# the gallery tool); sphinx-gallery's own label is sphx_glr_auto_examples_<script>.py.
_GALLERY_LABEL = re.compile(r"^\.\. _sphx_glr_auto_examples_(\w+)\.py:$", re.MULTILINE)


def _fill_placeholders(app, docname, source):
    if docname in _PLACEHOLDERS:
        marker, make = _PLACEHOLDERS[docname]
        source[0] = source[0].replace(marker, make())
    elif docname.startswith("auto_examples/"):
        source[0] = _GALLERY_LABEL.sub(r".. _example_\1:\n\n\g<0>", source[0])


def setup(app):
    app.connect("source-read", _fill_placeholders)
    return {"parallel_read_safe": True}
