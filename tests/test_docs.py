"""The documentation builds with no warnings (Sphinx -W), as CI checks."""

import pathlib
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).parents[1] / "docs"


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="building the docs needs the 'docs' extra")
    pytest.importorskip("numpydoc", reason="building the docs needs the 'docs' extra")
    pytest.importorskip("pydata_sphinx_theme", reason="building the docs needs the 'docs' extra")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    page = (tmp_path / "html" / "generated" / "sknn.MLPClassifier.html").read_text()
    assert "sknn.MLPClassifier.fit" in page and "sknn.MLPClassifier.predict_proba" in page
