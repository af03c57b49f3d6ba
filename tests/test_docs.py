"""The documentation builds with no warnings (``sphinx -W``), as CI checks."""

import pathlib
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip(
        "sphinx",
        reason="Sphinx is not installed; install the 'docs' extra "
        "(pip install -e '.[docs]') to build the documentation",
    )
    # numpydoc and the theme come with Sphinx in the 'docs' extra; if Sphinx is there
    # but they are not, the build below fails with Sphinx's own message.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",  # any warning fails the build
            "-E",  # read every source (no cached environment)
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    html = tmp_path / "html"
    # The API pages list the methods, and the user-guide labels the docstrings use exist.
    page = (html / "generated" / "sknn.MLPClassifier.html").read_text(encoding="utf-8")
    assert 'id="sknn.MLPClassifier.fit"' in page
    assert 'id="sknn.MLPClassifier.predict_proba"' in page
    assert "user_guide/mlp.html#mlp" in page
    page = (html / "generated" / "sknn.PerceptronClassifier.html").read_text(encoding="utf-8")
    assert 'id="sknn.PerceptronClassifier.decision_function"' in page
    for name in (
        "install",
        "quickstart",
        "user_guide/mlp",
        "user_guide/perceptron",
        "user_guide/practical",
        "api",
        "auto_examples/index",
        "benchmarks",
    ):
        assert (html / f"{name}.html").is_file(), name
    # sphinx-gallery: a page per example, each downloadable as .py and as a notebook
    examples = sorted(
        p.stem for p in (DOCS.parent / "examples").glob("*.py") if not p.name.startswith("_")
    )
    notebooks = {p.stem for p in (html / "_downloads").rglob("*.ipynb")}
    for stem in examples:
        assert (html / "auto_examples" / f"{stem}.html").is_file(), stem
        assert stem in notebooks, f"no notebook for {stem}"
    # the short labels (:ref:`example_<script>`) resolve to the gallery pages
    page = (html / "user_guide" / "rbm.html").read_text(encoding="utf-8")
    assert "../auto_examples/plot_rbm_features.html" in page
