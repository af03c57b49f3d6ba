"""Sphinx configuration for sknn's documentation (built offline, no intersphinx)."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

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
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples"]
source_suffix = {".rst": "restructuredtext"}
master_doc = "index"
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_theme_options = {"navigation_with_keys": False}
nitpicky = False
