"""sphinx-gallery hooks for sknn's examples (imported by name from ``conf.py``).

sknn's example scripts never leave a figure open: each saves its PNGs into the
folder named by ``$SKNN_EXAMPLES_OUT`` and closes the figure, so that it runs the
same from a shell, in the test suite and here. These hooks give every example a
fresh such folder (:func:`reset_output_dir`) and put each PNG it writes into the
gallery page, after the code block that wrote it (:func:`saved_png_scraper`).

They live in this module, rather than in ``conf.py``, because sphinx-gallery
accepts them as importable names, and Sphinx can then cache the configuration.
"""

import os
import pathlib
import shutil
import tempfile

_ROOT = pathlib.Path(tempfile.gettempdir()) / f"sknn-gallery-{os.getpid()}"
_reported = set()


def reset_output_dir(gallery_conf, fname, when="before"):
    """Before each example: an empty ``$SKNN_EXAMPLES_OUT`` and one torch thread."""
    if when != "before" or fname is None:
        return
    out = _ROOT / pathlib.Path(fname).stem
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    os.environ["SKNN_EXAMPLES_OUT"] = str(out)
    try:  # tiny networks train fastest on one thread (as tests/test_examples.py runs them)
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover - sknn needs torch
        pass


def saved_png_scraper(block, block_vars, gallery_conf):
    """After each code block: the PNGs the example wrote to ``$SKNN_EXAMPLES_OUT``."""
    from sphinx_gallery.scrapers import figure_rst

    out = os.environ.get("SKNN_EXAMPLES_OUT")
    if not out or not pathlib.Path(out).is_dir():
        return ""
    new = sorted(
        (
            p
            for p in pathlib.Path(out).glob("*.png")
            if (str(p), p.stat().st_mtime) not in _reported
        ),
        key=lambda p: p.stat().st_mtime,
    )
    image_paths = []
    for png, target in zip(new, block_vars["image_path_iterator"]):
        _reported.add((str(png), png.stat().st_mtime))
        shutil.copyfile(png, target)
        image_paths.append(target)
    return figure_rst(image_paths, gallery_conf["src_dir"])
