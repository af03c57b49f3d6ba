"""Cross-validated comparison of sknn estimators with scikit-learn baselines."""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ._mlp import MLPClassifier
from ._perceptron import PerceptronClassifier

__all__ = ["DATASETS", "MODELS", "compare", "load_dataset", "to_markdown"]

#: Bundled datasets the comparison can load without a download.
DATASETS = ("digits", "iris", "wine", "breast_cancer")


def _models(max_iter, seed, device):
    return {
        "sknn-mlp": MLPClassifier(hidden_layer_sizes=(100,), max_iter=max_iter,
                                  random_state=seed, device=device),
        "sknn-mlp-dropout": MLPClassifier(hidden_layer_sizes=(256,), dropout=0.2,
                                          max_iter=max_iter, random_state=seed, device=device),
        "sknn-perceptron": PerceptronClassifier(activation="softmax", batch_size=32,
                                                max_iter=max_iter, random_state=seed,
                                                device=device),
        "sklearn-mlp": SkMLPClassifier(hidden_layer_sizes=(100,), max_iter=max_iter,
                                       random_state=seed),
        "svc": SVC(),
        "logreg": LogisticRegression(max_iter=1000),
    }


#: Names accepted by ``models=`` / ``--models``.
MODELS = tuple(_models(1, 0, "cpu"))


def load_dataset(name):
    """Return ``(X, y, description)`` for a bundled dataset.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    description : str
    """
    from sklearn import datasets

    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; expected one of {list(DATASETS)}.")
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    n_classes = len(np.unique(y))
    return X, y, f"{name} ({X.shape[0]} samples, {X.shape[1]} features, {n_classes} classes)"


def compare(X=None, y=None, *, dataset="digits", models=None, cv=5, random_state=0,
            max_iter=200, device="auto", progress=False):
    """Cross-validate sknn estimators next to SVC, LogisticRegression and sklearn's MLP.

    Every model runs in a ``Pipeline`` behind a ``StandardScaler`` on the same
    stratified folds. The first sknn fit of the process is preceded by a tiny
    warm-up fit, so PyTorch's one-off start-up (about 1.5 s) is not timed.

    Parameters
    ----------
    X, y : array-like, optional
        Data to use; when None, ``dataset`` is loaded.
    dataset : str, default='digits'
        A bundled dataset (see :data:`DATASETS`), used when ``X`` is None.
    models : list of str, default=None
        Names from :data:`MODELS`; all of them when None.
    cv : int, default=5
        Number of stratified folds (at least 2).
    random_state : int, default=0
        Seed of the folds and of every seeded model.
    max_iter : int, default=200
        Epochs (iterations) of the neural models.
    device : str, default='auto'
        Device of the sknn models.
    progress : bool, default=False
        Show a progress bar over models and folds (tqdm).

    Returns
    -------
    table : pandas.DataFrame or list of dict
        One row per model: ``model``, ``accuracy_mean``, ``accuracy_std``,
        ``fit_time_s`` and ``predict_time_s`` (means per fold), best accuracy
        first. A DataFrame when pandas is installed, else a list of dicts.

    Examples
    --------
    >>> from sknn import compare
    >>> table = compare(dataset="iris", models=["sknn-mlp", "logreg"], cv=3, max_iter=50)
    >>> sorted(table["model"])
    ['logreg', 'sknn-mlp']
    """
    if X is None:
        X, y, _ = load_dataset(dataset)
    X, y = np.asarray(X), np.asarray(y)
    available = _models(max_iter, random_state, device)
    names = list(available) if models is None else list(models)
    unknown = [m for m in names if m not in available]
    if unknown:
        raise ValueError(f"Unknown model(s) {unknown}; expected names from {list(available)}.")
    if not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True,
                                 random_state=random_state).split(X, y))
    if any(name.startswith("sknn") for name in names):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MLPClassifier(max_iter=1, device=device).fit(X[:20], np.arange(20) % 2)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(names) * cv, desc="compare", unit="fit")
    rows = []
    for name in names:
        scores, fit_times, predict_times = [], [], []
        for train, test in folds:
            model = make_pipeline(StandardScaler(), clone(available[name]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model.fit(X[train], y[train])
                fit_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            scores.append(float(np.mean(model.predict(X[test]) == y[test])))
            predict_times.append(time.perf_counter() - start)
            if bar is not None:
                bar.set_postfix_str(name)
                bar.update(1)
        rows.append(dict(model=name, accuracy_mean=float(np.mean(scores)),
                         accuracy_std=float(np.std(scores)),
                         fit_time_s=float(np.mean(fit_times)),
                         predict_time_s=float(np.mean(predict_times))))
    if bar is not None:
        bar.close()
    rows.sort(key=lambda r: -r["accuracy_mean"])
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows)


def to_markdown(rows):
    """Format comparison rows (DataFrame or list of dicts) as a Markdown table."""
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    lines = ["| model | accuracy (mean ± std) | fit time / fold (s) | predict time / fold (s) |",
             "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['accuracy_mean']:.4f} ± {r['accuracy_std']:.4f} "
                     f"| {r['fit_time_s']:.3f} | {r['predict_time_s']:.4f} |")
    return "\n".join(lines)
