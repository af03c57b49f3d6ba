"""The examples are in sphinx-gallery's format, and each converts to a valid notebook.

The docs build (tests/test_docs.py) runs the gallery itself; these checks are quick
and offline: they parse each script as sphinx-gallery does and write the Jupyter
notebook that the gallery offers for download, without running anything.
"""

import ast
import copy
import json
import pathlib

import pytest

EXAMPLES_DIR = pathlib.Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))
IDS = [p.stem for p in EXAMPLES]


def test_gallery_header_exists():
    header = EXAMPLES_DIR / "GALLERY_HEADER.rst"
    assert header.is_file()
    assert ".. _examples:" in header.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_example_has_a_gallery_docstring(path):
    """A module docstring first: a title underlined with '=', then a description."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree, clean=False)
    assert doc, f"{path.name} needs a module docstring (the gallery page's text)"
    first = tree.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    lines = doc.strip("\n").splitlines()
    assert len(lines) >= 3, f"{path.name}: title, underline and a description"
    title, underline = lines[0].rstrip(), lines[1].rstrip()
    assert set(underline) == {"="}, f"{path.name}: the title's underline must be '=' only"
    assert len(underline) >= len(title), f"{path.name}: the title's underline is too short"


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_example_converts_to_a_valid_notebook(path, tmp_path):
    pytest.importorskip("sphinx_gallery", reason="needs the 'docs' extra (sphinx-gallery)")
    nbformat = pytest.importorskip("nbformat", reason="needs the 'docs' extra (nbformat)")
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
    from sphinx_gallery.notebook import jupyter_notebook, save_notebook
    from sphinx_gallery.py_source_parser import split_code_and_text_blocks

    _, blocks = split_code_and_text_blocks(str(path))
    conf = copy.deepcopy(DEFAULT_GALLERY_CONF)
    conf["src_dir"] = str(tmp_path)
    notebook = jupyter_notebook(blocks, conf, tmp_path)
    target = tmp_path / f"{path.stem}.ipynb"
    save_notebook(notebook, target)

    nb = nbformat.read(target, as_version=4)
    nbformat.validate(nb)
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds[0] == "markdown" and "code" in kinds
    title = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))).splitlines()[0]
    assert title.strip() in nb.cells[0].source
    # The code cells, run top to bottom, are the script: together they must compile.
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    compile(code, f"{path.stem}.ipynb", "exec")
    assert len(json.loads(target.read_text(encoding="utf-8"))["cells"]) == len(nb.cells)
