"""The comparison job: :func:`compare` cross-validates the models on one data set."""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import StratifiedKFold

from ._models import MODELS, build
from .datasets import load_dataset

__all__ = ["compare"]


def _needs_proba(scorer):
    method = getattr(scorer, "_response_method", None)
    if isinstance(method, str):
        method = (method,)
    return tuple(method or ()) == ("predict_proba",)


def _check_metric(metric):
    if not isinstance(metric, str) or metric not in get_scorer_names():
        raise ValueError(
            f"Unknown metric {metric!r}; use a scikit-learn scorer name such as 'accuracy', "
            "'balanced_accuracy', 'f1_macro', 'roc_auc_ovr' or 'neg_log_loss' "
            "(sklearn.metrics.get_scorer_names() lists them all)."
        )
    return get_scorer(metric)


_WARMED_UP = set()


def _warm_up(device):
    """One tiny fit, so that PyTorch's one-off start-up (about 1.5 s) is not timed."""
    if device in _WARMED_UP:
        return
    from .._mlp import MLPClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = np.random.default_rng(0).normal(size=(20, 4))
        MLPClassifier(max_iter=1, device=device).fit(X, np.arange(20) % 2)
    _WARMED_UP.add(device)


def _run_fold(estimator, X, y, train, test, scorer, device, threads=0):
    """Fit one clone on ``train`` and score it on ``test``: (score, fit s, score s)."""
    if not threads:
        return _fit_and_score(estimator, X, y, train, test, scorer, device)
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            return _fit_and_score(estimator, X, y, train, test, scorer, device)
    finally:
        torch.set_num_threads(before)


def _fit_and_score(estimator, X, y, train, test, scorer, device):
    if device is not None:
        _warm_up(device)
    model = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X[train], y[train])
        fit_time = time.perf_counter() - start
    with warnings.catch_warnings():
        # e.g. a class absent from a fold's predictions; the score stays well defined
        warnings.simplefilter("ignore", UserWarning)
        start = time.perf_counter()
        score = float(scorer(model, X[test], y[test]))
        score_time = time.perf_counter() - start
    return score, fit_time, score_time


def _task(name, i, *args):
    """A parallel job: ``_run_fold`` in a worker, tagged with its model and fold."""
    return name, i, _run_fold(*args)


def _compare(
    X,
    y,
    *,
    dataset,
    models,
    metric,
    cv,
    random_state,
    max_iter,
    device,
    n_jobs,
    n_samples,
    image_shape,
    threads,
    progress,
):
    """:func:`compare` without the warnings: returns ``(rows, notes, description)``.

    Every option is required: :func:`compare` holds the defaults.
    """
    scorer = _check_metric(metric)
    _check_options(cv=cv, max_iter=max_iter, n_jobs=n_jobs, threads=threads)
    names, explicit = _model_names(models)
    X, y, kind, image_shape, description = _data(
        X, y, dataset, n_samples=n_samples, random_state=random_state, image_shape=image_shape
    )
    _check_folds(y, cv)
    proba = _needs_proba(scorer)
    estimators, notes = _estimators(
        names,
        explicit=explicit,
        metric=metric,
        proba=proba,
        max_iter=int(max_iter),
        seed=random_state,
        device=device,
        kind=kind,
        image_shape=image_shape,
        n_features=X.shape[1],
    )
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state).split(X, y))
    results = _run_folds(
        estimators, X, y, folds, scorer, device, n_jobs=n_jobs, threads=threads, progress=progress
    )
    return _summary(estimators, results, metric, cv), notes, description


def _check_options(*, cv, max_iter, n_jobs, threads):
    if not isinstance(cv, (int, np.integer)) or isinstance(cv, bool) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}.")
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer (-1: all cores), got {n_jobs!r}.")
    if not isinstance(threads, (int, np.integer)) or threads < 0:
        raise ValueError(f"threads must be an integer >= 0, got {threads!r}.")


def _model_names(models):
    """``(names, explicit)``: the models to run, and whether the caller named them."""
    explicit = models is not None and models != "all"
    if models is None or models == "all":
        names = list(MODELS)
    elif isinstance(models, str):
        names = [models]
    else:
        names = list(models)
    unknown = [m for m in names if m not in MODELS]
    if unknown or not names:
        raise ValueError(
            f"Unknown model(s) {unknown or 'none given'}; expected names from {list(MODELS)} "
            "or 'all'."
        )
    return list(dict.fromkeys(names)), explicit


def _data(X, y, dataset, *, n_samples, random_state, image_shape):
    """``(X, y, kind, image_shape, description)`` of the arrays given, or of ``dataset``."""
    if X is None:
        data = load_dataset(dataset, n_samples=n_samples, random_state=random_state)
        X, y, kind = data.data, data.target, data.kind
        image_shape = data.image_shape if image_shape is None else image_shape
        description = data.description
    else:
        if y is None:
            raise ValueError("y is required when X is given.")
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError(f"X must be 2-D with one row per label; got {X.shape} and {y.shape}.")
        kind = "image" if image_shape is not None else "tabular"
        description = (
            f"X ({X.shape[0]} samples, {X.shape[1]} features, {len(np.unique(y))} classes)"
        )
    if image_shape is not None:
        image_shape = tuple(int(s) for s in image_shape)
        if int(np.prod(image_shape)) != X.shape[1]:
            raise ValueError(f"image_shape {image_shape} does not match {X.shape[1]} features.")
    return X, y, kind, image_shape, description


def _check_folds(y, cv):
    _, counts = np.unique(y, return_counts=True)
    if counts.min() < cv:
        raise ValueError(
            f"cv={cv} folds need at least {cv} samples of every class; the "
            f"smallest class has {counts.min()}."
        )


def _estimators(names, *, explicit, metric, proba, **context):
    """``(estimators, notes)``: the pipelines by name, and why any model was skipped."""
    notes, estimators = [], {}
    for name in names:
        estimator, reason = build(name, proba=proba, **context)
        if estimator is None:
            if explicit:  # a model left out of the default list needs no note
                notes.append(reason)
        elif proba and not hasattr(estimator, "predict_proba"):
            notes.append(
                f"{name} skipped: metric {metric!r} needs predict_proba, which it does not have"
            )
        else:
            estimators[name] = estimator
    if not estimators:
        raise ValueError("No model to run: " + "; ".join(notes))
    return estimators, notes


def _run_folds(estimators, X, y, folds, scorer, device, *, n_jobs, threads, progress):
    """Fit and score every model on every fold: ``{(name, fold): (score, fit s, score s)}``."""
    tasks = [(name, i) for name in estimators for i in range(len(folds))]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc="compare", unit="fit")

    def torch_device(name):
        return device if name.startswith("sknn") else None

    results = {}
    if n_jobs == 1:
        for name, i in tasks:
            if bar is not None:
                bar.set_postfix_str(name)
            results[name, i] = _run_fold(
                estimators[name], X, y, *folds[i], scorer, torch_device(name), threads
            )
            if bar is not None:
                bar.update(1)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        # One thread per worker unless told otherwise, or the workers fight over the cores.
        jobs = (
            delayed(_task)(
                name, i, estimators[name], X, y, *folds[i], scorer, torch_device(name), threads or 1
            )
            for name, i in tasks
        )
        for name, i, out in parallel(jobs):
            results[name, i] = out
            if bar is not None:
                bar.set_postfix_str(name)
                bar.update(1)
    if bar is not None:
        bar.close()
    return results


def _summary(estimators, results, metric, cv):
    """One row per model (means and spread over the folds), best first."""
    rows = []
    for name in estimators:
        scores, fit_times, score_times = zip(*(results[name, i] for i in range(cv)))
        rows.append(
            {
                "model": name,
                f"{metric}_mean": float(np.mean(scores)),
                f"{metric}_std": float(np.std(scores)),
                "fit_time_s": float(np.mean(fit_times)),
                "predict_time_s": float(np.mean(score_times)),
            }
        )
    rows.sort(key=lambda r: -r[f"{metric}_mean"])
    return rows


def compare(
    X=None,
    y=None,
    *,
    dataset="digits",
    models=None,
    metric="accuracy",
    cv=5,
    random_state=0,
    max_iter=200,
    device="auto",
    n_jobs=1,
    n_samples="auto",
    image_shape=None,
    threads=1,
    progress=False,
):
    """Cross-validate sknn estimators next to SVC, LogisticRegression and sklearn's MLP.

    Every model is a ``Pipeline`` with its own scaling in front (a
    ``StandardScaler``; a ``MinMaxScaler`` for the RBM, whose visible units take
    values in [0, 1]), fitted and scored on the same stratified folds. The first
    sknn fit of a process is preceded by a tiny warm-up fit, so PyTorch's one-off
    start-up (about 1.5 s) is not timed. The models:

    ========================  ================================================
    ``sknn-mlp``              :class:`sknn.MLPClassifier`, 100 hidden units
    ``sknn-mlp-dropout``      :class:`sknn.MLPClassifier`, 256 units, dropout 0.2
    ``sknn-perceptron``       :class:`sknn.PerceptronClassifier`, softmax
    ``sknn-convnet``          :class:`sknn.ConvNetClassifier` with early stopping;
                              image and time-series data only
    ``sknn-rbm-logreg``       :class:`sknn.RBMTransformer` + LogisticRegression
    ``sknn-autoencoder-svc``  :class:`sknn.AutoencoderTransformer` codes + SVC
    ``sklearn-mlp``           scikit-learn's MLPClassifier, 100 hidden units
    ``svc``                   SVC, RBF kernel
    ``logreg``                LogisticRegression
    ========================  ================================================

    Parameters
    ----------
    X, y : array-like of shape (n_samples, n_features) and (n_samples,), optional
        Data to use; when None, ``dataset`` is loaded.
    dataset : str, default='digits'
        A data set of :data:`sknn.datasets.DATASETS` or ``'ucr:<Name>'``, used when
        ``X`` is None (see :func:`sknn.datasets.load_dataset`).
    models : list of str or 'all', default=None
        Model names (table above); None or ``'all'`` runs every model that fits
        the data. ``sknn-convnet`` needs images or time series: named explicitly on
        tabular data, it is skipped with a warning.
    metric : str, default='accuracy'
        A scikit-learn scorer name: ``'accuracy'``, ``'balanced_accuracy'``,
        ``'f1_macro'``, ``'roc_auc_ovr'``, ``'neg_log_loss'``, ... The table's
        column names follow it. For metrics that need ``predict_proba``, the SVCs
        are wrapped in ``CalibratedClassifierCV(SVC(), ensemble=False)``.
    cv : int, default=5
        Number of stratified folds (at least 2).
    random_state : int, default=0
        Seed of the folds, of the subsample and of every seeded model.
    max_iter : int, default=200
        Epochs (iterations) of the neural models; the RBM trains for at most 20.
    device : str, default='auto'
        Device of the sknn models: ``'auto'``, ``'cpu'``, ``'cuda'``, ``'cuda:N'``.
    n_jobs : int, default=1
        Folds run in parallel with joblib, in this many worker processes (-1: one
        per core). Fit times then measure fits that share the machine.
    n_samples : int, 'auto' or None, default='auto'
        Rows drawn from ``dataset`` (stratified): ``'auto'`` takes 5000 rows of
        ``fashion_mnist`` and every row of the others; None takes every row.
    image_shape : tuple of int, optional
        ``(height, width)`` of the rows of ``X`` when they are flattened images, so
        that ``sknn-convnet`` can run on them. Set by the image data sets.
    threads : int, default=1
        CPU threads of each fit, for PyTorch and for NumPy's BLAS (through
        threadpoolctl), so that every model gets the same; restored afterwards.
        0 keeps the libraries' settings (one thread per core). One thread is the
        fastest for models this small, and by far the fastest when other processes
        share the cores: there, two threads can make a fit ten times slower.
        Parallel workers use ``threads or 1`` each.
    progress : bool, default=False
        Show a progress bar over the fits (tqdm).

    Returns
    -------
    table : pandas.DataFrame or list of dict
        One row per model, best first: ``model``, ``<metric>_mean``,
        ``<metric>_std``, ``fit_time_s`` and ``predict_time_s`` (means per fold;
        the latter times predicting and scoring the test fold). A DataFrame when
        pandas is installed (with the data set's description and any notes in
        ``table.attrs``), else a list of dicts.

    Raises
    ------
    ValueError
        For unknown models, metrics or data sets and bad ``cv``, ``n_jobs``, ...
    sknn.datasets.DatasetNotFoundError
        When ``dataset`` is not installed; the message says what to install.

    Warns
    -----
    UserWarning
        For each model that is skipped because it does not fit the data or metric.

    Examples
    --------
    >>> from sknn import compare
    >>> table = compare(dataset="iris", models=["sknn-mlp", "logreg"], cv=3, max_iter=50)
    >>> sorted(table["model"])
    ['logreg', 'sknn-mlp']
    >>> list(table.columns)
    ['model', 'accuracy_mean', 'accuracy_std', 'fit_time_s', 'predict_time_s']
    """
    rows, notes, description = _compare(
        X,
        y,
        dataset=dataset,
        models=models,
        metric=metric,
        cv=cv,
        random_state=random_state,
        max_iter=max_iter,
        device=device,
        n_jobs=n_jobs,
        n_samples=n_samples,
        image_shape=image_shape,
        threads=threads,
        progress=progress,
    )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    try:
        import pandas as pd
    except ImportError:
        return rows
    table = pd.DataFrame(rows)
    table.attrs["description"] = description
    table.attrs["notes"] = notes
    return table
