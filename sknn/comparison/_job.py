"""The comparison job: :func:`compare` cross-validates the models on one or more data sets.

It also turns the tidy table of fold results into the summary (:func:`summarize`)
and the ranks over data sets (:func:`rank_table`); the tests themselves live in
``_stats.py``, the fold results on disk in ``_store.py``.
"""

import hashlib
import sys
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import RepeatedStratifiedKFold

from .._version import __version__
from ._models import MODELS, build
from ._stats import corrected_resampled_ttest, rank_models
from ._store import FoldStore, task_key
from .datasets import expand_collection, load_dataset

__all__ = ["FOLD_COLUMNS", "compare", "rank_table", "summarize"]


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


def _task(key, *args):
    """A parallel job: ``_run_fold`` in a worker, tagged with its task key."""
    return key, _run_fold(*args)


def _compare(
    X,
    y,
    *,
    dataset,
    models,
    metric,
    cv,
    repeats,
    random_state,
    max_iter,
    device,
    n_jobs,
    n_samples,
    image_shape,
    threads,
    progress,
    results_file,
    resume,
    alpha,
):
    """:func:`compare` without the warnings: ``(summary, folds, notes, descriptions)``.

    ``summary`` and ``folds`` are lists of dicts. Every option is required:
    :func:`compare` holds the defaults.
    """
    scorer = _check_metric(metric)
    _check_options(
        cv=cv, repeats=repeats, max_iter=max_iter, n_jobs=n_jobs, threads=threads, alpha=alpha
    )
    plans, notes = _plans(
        X,
        y,
        dataset,
        models,
        metric=metric,
        proba=_needs_proba(scorer),
        cv=cv,
        repeats=repeats,
        random_state=random_state,
        max_iter=max_iter,
        device=device,
        n_samples=n_samples,
        image_shape=image_shape,
    )
    context = dict(
        metric=metric,
        cv=cv,
        repeats=repeats,
        seed=random_state,
        max_iter=int(max_iter),
        device=str(device),
        n_samples=n_samples,
        version=__version__,
    )
    store = FoldStore(results_file, resume=resume)
    folds, reused = _run_folds(
        plans, context, scorer, device, store, n_jobs=n_jobs, threads=threads, progress=progress
    )
    if reused:
        notes.append(_reused_note(reused, len(folds), results_file))
    return summarize(folds, alpha=alpha), folds, notes, {p["name"]: p["description"] for p in plans}


def _reused_note(reused, total, path):
    return (
        f"{reused} of {total} fits read from {path} (an earlier run with the same "
        "options); delete it, or pass --no-resume / resume=False, to refit them"
    )


def _plans(
    X,
    y,
    dataset,
    models,
    *,
    metric,
    proba,
    cv,
    repeats,
    random_state,
    max_iter,
    device,
    n_samples,
    image_shape,
):
    """Each data set loaded, with its models and folds: ``(plans, notes)``.

    Everything is loaded and checked before the first fit.
    """
    names, explicit = _model_names(models)
    datasets = [None] if X is not None else _dataset_names(dataset)
    plans, notes = [], []
    for name in datasets:  # load and check everything before the first fit
        data = _data(
            X, y, name, n_samples=n_samples, random_state=random_state, image_shape=image_shape
        )
        _check_folds(data["y"], cv)
        estimators, skipped = _estimators(
            names,
            explicit=explicit,
            metric=metric,
            proba=proba,
            max_iter=int(max_iter),
            seed=random_state,
            device=device,
            kind=data["kind"],
            image_shape=data["image_shape"],
            n_features=data["X"].shape[1] if data["X"].ndim == 2 else 0,
        )
        notes += [f"{data['name']}: {n}" if len(datasets) > 1 else n for n in skipped]
        splitter = RepeatedStratifiedKFold(
            n_splits=cv, n_repeats=repeats, random_state=random_state
        )
        data["folds"] = list(splitter.split(data["X"], data["y"]))
        data["estimators"] = estimators
        plans.append(data)
    return plans, notes


def _check_options(*, cv, repeats, max_iter, n_jobs, threads, alpha):
    def integer(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if not integer(cv) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    if not integer(repeats) or repeats < 1:
        raise ValueError(f"repeats must be an integer >= 1, got {repeats!r}.")
    if not integer(max_iter) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}.")
    if not integer(n_jobs) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer (-1: all cores), got {n_jobs!r}.")
    if not integer(threads) or threads < 0:
        raise ValueError(f"threads must be an integer >= 0, got {threads!r}.")
    if isinstance(alpha, bool) or not isinstance(alpha, (float, int)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")


def _split_names(value):
    """A comma-separated str or a list of str, as a list of stripped, non-empty names."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _model_names(models):
    """``(names, explicit)``: the models to run, and whether the caller named them.

    ``models`` is None, ``'all'``, a list of names or one str of comma-separated
    names (the form of ``--models``).
    """
    explicit = models is not None and models != "all"
    names = list(MODELS) if models is None or models == "all" else _split_names(models)
    unknown = [m for m in names if m not in MODELS]
    if unknown or not names:
        raise ValueError(
            f"Unknown model(s) {unknown or 'none given'}; expected names from {list(MODELS)} "
            "or 'all'."
        )
    return list(dict.fromkeys(names)), explicit


def _dataset_names(dataset):
    """The data sets of ``dataset``: a name, a collection, a comma-separated str or a list."""
    names = []
    for name in _split_names(dataset):
        names += expand_collection(name)
    if not names:
        raise ValueError(f"Unknown dataset {dataset!r}; no data set named.")
    return list(dict.fromkeys(names))


def _data(X, y, dataset, *, n_samples, random_state, image_shape):
    """The arrays given, or those of ``dataset``, with their name, kind and key."""
    if X is None:
        data = load_dataset(dataset, n_samples=n_samples, random_state=random_state)
        X, y, kind = data.data, data.target, data.kind
        image_shape = data.image_shape if image_shape is None else image_shape
        description, name = data.description, dataset
        key = dataset
    else:
        if y is None:
            raise ValueError("y is required when X is given.")
        X, y = np.asarray(X), np.asarray(y)
        text = X.ndim == 1 and X.dtype.kind in "OUS"
        if not (X.ndim == 2 or text) or len(X) != len(y):
            raise ValueError(
                "X must be 2-D with one row per label, or 1-D documents (str); got "
                f"{X.shape} and {y.shape}."
            )
        if text:
            X = X.astype(object)
            kind = "text"
            description = f"X ({X.shape[0]} documents, {len(np.unique(y))} classes)"
            digest = hashlib.sha256("\x00".join(map(str, X)).encode("utf-8"))
        else:
            kind = "image" if image_shape is not None else "tabular"
            description = (
                f"X ({X.shape[0]} samples, {X.shape[1]} features, {len(np.unique(y))} classes)"
            )
            digest = hashlib.sha256(np.ascontiguousarray(X).tobytes())
        name = "X"
        digest.update(str(X.dtype).encode())
        digest.update(np.asarray(y).astype(str).tobytes())
        key = f"X:{digest.hexdigest()[:24]}"
    if image_shape is not None:
        image_shape = tuple(int(s) for s in image_shape)
        if X.ndim != 2 or int(np.prod(image_shape)) != X.shape[1]:
            raise ValueError(f"image_shape {image_shape} does not match X of shape {X.shape}.")
    return dict(
        X=X,
        y=y,
        name=name,
        kind=kind,
        image_shape=image_shape,
        description=description,
        key=(key, image_shape),
    )


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


class _Progress:
    """A progress bar over every fit of the run: tqdm when installed, else lines on stderr."""

    def __init__(self, total, enabled):
        self.total, self.done, self.bar = total, 0, None
        self.enabled = enabled and total > 0
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, desc="compare", unit="fit")

    def update(self, label, n=1):
        self.done += n
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(label)
            self.bar.update(n)
        else:
            print(f"compare: {self.done}/{self.total} fits ({label})", file=sys.stderr)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _run_folds(plans, context, scorer, device, store, *, n_jobs, threads, progress):
    """Fit and score every model on every fold of every data set, or read it from ``store``.

    Returns ``(folds, reused)``: the tidy rows, in data set, model, repeat, fold order,
    and how many were read from the store.
    """
    tasks = {}  # key -> (plan, model, repeat, fold)
    for plan in plans:
        for name in plan["estimators"]:
            for i in range(len(plan["folds"])):
                repeat, fold = divmod(i, context["cv"])
                key = task_key(data=plan["key"], model=name, repeat=repeat, fold=fold, **context)
                tasks[key] = (plan, name, repeat, fold)
    todo = [key for key in tasks if store.get(key) is None]
    bar = _Progress(len(tasks), progress)
    if len(tasks) > len(todo):
        bar.update("resumed", len(tasks) - len(todo))

    def torch_device(name):
        return device if name.startswith("sknn") else None

    def arguments(key, n_threads):
        plan, name, repeat, fold = tasks[key]
        train, test = plan["folds"][repeat * context["cv"] + fold]
        return (plan["estimators"][name], plan["X"], plan["y"], train, test, scorer,
                torch_device(name), n_threads)  # fmt: skip

    def finish(key, out):
        plan, name, repeat, fold = tasks[key]
        train, test = plan["folds"][repeat * context["cv"] + fold]
        store.add(
            {
                "key": key,
                "dataset": plan["name"],
                "model": name,
                "metric": context["metric"],
                "repeat": repeat,
                "fold": fold,
                "score": out[0],
                "fit_time_s": out[1],
                "predict_time_s": out[2],
                "n_train": len(train),
                "n_test": len(test),
            }
        )
        bar.update(f"{plan['name']} {name}" if len(plans) > 1 else name)

    try:
        if n_jobs == 1:
            for key in todo:
                finish(key, _run_fold(*arguments(key, threads)))
        elif todo:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            # One thread per worker unless told otherwise, or the workers fight over the cores.
            jobs = (delayed(_task)(key, *arguments(key, threads or 1)) for key in todo)
            for key, out in parallel(jobs):
                finish(key, out)
    finally:
        bar.close()
    columns = FOLD_COLUMNS
    folds = [{c: store.get(key)[c] for c in columns} for key in tasks]
    return folds, len(tasks) - len(todo)


#: Columns of the tidy table of fold results (``return_folds=True``).
FOLD_COLUMNS = (
    "dataset",
    "model",
    "metric",
    "repeat",
    "fold",
    "score",
    "fit_time_s",
    "predict_time_s",
    "n_train",
    "n_test",
)


def _records(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else list(table)


def _is_baseline(name):
    return not name.startswith("sknn")


def summarize(folds, *, alpha=0.05):
    """One row per data set and model: mean ± std, and the paired test against a reference.

    The reference of a data set is its best baseline (the model of highest mean
    score whose name does not start with ``sknn``), or its best model when no
    baseline ran. Every other model's fold scores are paired with the reference's
    (same folds) and their differences tested with the corrected resampled t-test
    (:func:`sknn.comparison.corrected_resampled_ttest`).

    Parameters
    ----------
    folds : DataFrame or list of dict
        The tidy fold table of ``compare(..., return_folds=True)`` (columns of
        :data:`FOLD_COLUMNS`), e.g. read back from ``folds.csv``.
    alpha : float, default=0.05
        Level of the tests: ``significant`` is ``p_value < alpha``, and the
        confidence interval is at level ``1 - alpha``.

    Returns
    -------
    summary : list of dict
        Data sets in their order, models best first within each: ``dataset``,
        ``model``, ``<metric>_mean``, ``<metric>_std`` (over every fold of every
        repeat), ``fit_time_s``, ``predict_time_s`` (means per fold),
        ``reference``, ``diff`` (mean difference to the reference), ``ci_low``,
        ``ci_high``, ``p_value`` and ``significant``; NaN and False on the
        reference's own row.
    """
    rows = _records(folds)
    if not rows:
        raise ValueError("No fold results to summarize.")
    metric = rows[0]["metric"]
    by_set = {}
    for r in rows:
        by_set.setdefault(r["dataset"], {}).setdefault(r["model"], []).append(r)
    summary = []
    for dataset, models in by_set.items():
        scores = {}
        for name, rs in models.items():
            rs.sort(key=lambda r: (r["repeat"], r["fold"]))
            scores[name] = np.array([r["score"] for r in rs], dtype=np.float64)
        means = {name: float(s.mean()) for name, s in scores.items()}
        baselines = [n for n in models if _is_baseline(n)] or list(models)
        reference = max(baselines, key=lambda n: means[n])
        set_rows = []
        for name, rs in models.items():
            row = {
                "dataset": dataset,
                "model": name,
                f"{metric}_mean": means[name],
                f"{metric}_std": float(scores[name].std()),
                "fit_time_s": float(np.mean([r["fit_time_s"] for r in rs])),
                "predict_time_s": float(np.mean([r["predict_time_s"] for r in rs])),
                "reference": reference,
                "diff": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "significant": False,
            }
            if name != reference and len(rs) == len(models[reference]) and len(rs) > 1:
                fraction = float(np.mean([r["n_test"] / r["n_train"] for r in rs]))
                test = corrected_resampled_ttest(
                    scores[name] - scores[reference], fraction, confidence=1 - alpha
                )
                row.update(
                    diff=test["mean"],
                    ci_low=test["ci_low"],
                    ci_high=test["ci_high"],
                    p_value=test["p_value"],
                    significant=bool(test["p_value"] < alpha),
                )
            set_rows.append(row)
        set_rows.sort(key=lambda r: -r[f"{metric}_mean"])
        summary += set_rows
    return summary


def rank_table(summary, *, alpha=0.05):
    """Average ranks of the models over the data sets of a summary, with their tests.

    Only models run on every data set are ranked. Each data set ranks the models by
    mean score (1 is best); Friedman's test asks whether the average ranks differ at
    all, and Wilcoxon's signed-rank test over the data sets, Holm-corrected for the
    number of pairs, which pairs differ (:func:`sknn.comparison.rank_models`).

    Parameters
    ----------
    summary : DataFrame or list of dict
        What :func:`sknn.compare` returned, over at least two data sets.
    alpha : float, default=0.05
        Level of the pairwise tests after Holm's correction.

    Returns
    -------
    ranks : DataFrame or list of dict
        One row per model, best average rank first: ``model``, ``average_rank``,
        ``<metric>_mean`` (mean over the data sets), ``p_value`` (Holm-corrected
        Wilcoxon p-value against the best-ranked model; NaN on its own row) and
        ``significant``. A DataFrame when pandas is installed, whose ``attrs``
        hold ``friedman_statistic``, ``friedman_p_value``, ``n_datasets``,
        ``cliques`` (groups of models not significantly different, for
        :func:`sknn.comparison.plot_ranks`) and ``pairs`` (every pair's
        p-values, raw and corrected); else a list of dicts, the same values in
        the first row's ``"attrs"`` key. ``attrs["left_out"]`` lists the models
        not run on every data set, which are not ranked.
    """
    rows = _records(summary)
    metric = next(k for k in rows[0] if k.endswith("_mean"))
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    if len(datasets) < 2:
        raise ValueError("Ranks need at least two data sets; the summary has one.")
    table = {(r["dataset"], r["model"]): r[metric] for r in rows}
    models = [
        m for m in dict.fromkeys(r["model"] for r in rows) if all((d, m) in table for d in datasets)
    ]
    if len(models) < 2:
        raise ValueError("Ranks need at least two models run on every data set.")
    result = rank_models({m: [table[d, m] for d in datasets] for m in models}, alpha=alpha)
    best = next(iter(result["ranks"]))
    to_best = {(a if b == best else b): q for a, b, _, q in result["pairs"] if best in (a, b)}
    ranks = [
        {
            "model": m,
            "average_rank": rank,
            metric: float(np.mean([table[d, m] for d in datasets])),
            "p_value": to_best.get(m, np.nan),
            "significant": bool(to_best.get(m, 1.0) < alpha),
        }
        for m, rank in result["ranks"].items()
    ]
    attrs = {
        "friedman_statistic": result["friedman_statistic"],
        "friedman_p_value": result["friedman_p_value"],
        "n_datasets": len(datasets),
        "alpha": alpha,
        "cliques": result["cliques"],
        "pairs": result["pairs"],
        "left_out": [m for m in dict.fromkeys(r["model"] for r in rows) if m not in models],
    }
    try:
        import pandas as pd
    except ImportError:
        ranks[0]["attrs"] = attrs
        return ranks
    frame = pd.DataFrame(ranks)
    frame.attrs.update(attrs)
    return frame


def compare(
    X=None,
    y=None,
    *,
    dataset="digits",
    models=None,
    metric="accuracy",
    cv=5,
    repeats=1,
    random_state=0,
    max_iter=200,
    device="auto",
    n_jobs=1,
    n_samples="auto",
    image_shape=None,
    threads=1,
    progress=False,
    results_file=None,
    resume=True,
    alpha=0.05,
    return_folds=False,
):
    """Cross-validate sknn estimators next to SVC, LogisticRegression and sklearn's MLP.

    Every model is a ``Pipeline`` with its own scaling in front (a
    ``StandardScaler``; a ``MinMaxScaler`` for the RBM, whose visible units take
    values in [0, 1]), fitted and scored on the same (repeated) stratified folds.
    The first sknn fit of a process is preceded by a tiny warm-up fit, so PyTorch's
    one-off start-up (about 1.5 s) is not timed. The models:

    ========================  ================================================
    ``sknn-mlp``              :class:`sknn.MLPClassifier`, 100 hidden units
    ``sknn-mlp-dropout``      :class:`sknn.MLPClassifier`, 256 units, dropout 0.2
    ``sknn-perceptron``       :class:`sknn.PerceptronClassifier`, softmax
    ``sknn-convnet``          :class:`sknn.ConvNetClassifier` with early stopping;
                              image and time-series data only
    ``sknn-rnn``              :class:`sknn.RNNClassifier`, a GRU; time series
                              and text (after :class:`sknn.TextSequencer`) only
    ``sknn-rbm-logreg``       :class:`sknn.RBMTransformer` + LogisticRegression
    ``sknn-autoencoder-svc``  :class:`sknn.AutoencoderTransformer` codes + SVC
    ``sklearn-mlp``           scikit-learn's MLPClassifier, 100 hidden units
    ``svc``                   SVC, RBF kernel
    ``logreg``                LogisticRegression
    ``tfidf-logreg``          text: TF-IDF (1-2 grams) + LogisticRegression
    ``tfidf-linearsvc``       text: TF-IDF (1-2 grams) + LinearSVC
    ========================  ================================================

    Each data set has a kind (:func:`sknn.datasets.dataset_kind`): tabular, image,
    series or text; every model that reads it runs (text: only the last three and
    ``sknn-rnn``).

    On each data set, every model's fold scores are paired with those of the best
    baseline (the best model not from sknn) and the differences tested with the
    corrected resampled t-test of Nadeau & Bengio (2003); over several data sets,
    :func:`sknn.comparison.rank_table` ranks the models. The user guide's
    "Comparing with baselines" explains how to read both.

    Parameters
    ----------
    X, y : array-like of shape (n_samples, n_features) and (n_samples,), optional
        Data to use; when None, ``dataset`` is loaded. A 1-D ``X`` of str is text.
    dataset : str or list of str, default='digits'
        Data sets used when ``X`` is None: names of
        :data:`sknn.datasets.DATASETS`, ``'ucr:<Name>'``, or collections
        (``'bundled'``: scikit-learn's four; ``'ucr'``: every installed UCR set),
        as a list or as one comma-separated str (``'digits,wine,iris'``, the form
        of ``--dataset``).
    models : str, list of str or 'all', default=None
        Model names (table above), as a list or one comma-separated str (the form
        of ``--models``); None or ``'all'`` runs every model that fits the data.
        ``sknn-convnet`` needs images, time series or text: named explicitly on tabular
        data, it is skipped with a warning.
    metric : str, default='accuracy'
        A scikit-learn scorer name: ``'accuracy'``, ``'balanced_accuracy'``,
        ``'f1_macro'``, ``'roc_auc_ovr'``, ``'neg_log_loss'``, ... The table's
        column names follow it. For metrics that need ``predict_proba``, the SVCs
        are wrapped in ``CalibratedClassifierCV(SVC(), ensemble=False)``.
    cv : int, default=5
        Number of stratified folds (at least 2).
    repeats : int, default=1
        Repetitions of the cross-validation, each with other folds
        (``RepeatedStratifiedKFold``); every model sees the same folds. More
        repeats give the paired tests more power: 10x10 is the usual choice.
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
        Rows drawn from each data set (stratified): ``'auto'`` takes 5000 rows of
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
        Show a progress bar over every fit of the run (tqdm when installed, else a
        line per fit on stderr).
    results_file : str or path-like, optional
        A JSON-lines file to which each fold's result is appended as soon as it
        is known. A run started again with the same options reads the folds
        already there instead of refitting them, so an interrupted run resumes
        (``python -m sknn compare`` uses ``<out>/folds.jsonl``).
    resume : bool, default=True
        Read the results already in ``results_file``; False empties it first.
    alpha : float, default=0.05
        Level of the tests; the confidence intervals are at ``1 - alpha``.
    return_folds : bool, default=False
        Also return the tidy table of every fold's result.

    Returns
    -------
    summary : pandas.DataFrame or list of dict
        One row per data set and model, best first within each data set (see
        :func:`sknn.comparison.summarize`): ``dataset``, ``model``,
        ``<metric>_mean``, ``<metric>_std``, ``fit_time_s``, ``predict_time_s``
        (means per fold; the latter times predicting and scoring the test fold),
        ``reference`` (the best baseline), ``diff`` (mean score difference to
        it), ``ci_low``, ``ci_high`` (its confidence interval), ``p_value`` and
        ``significant``. A DataFrame when pandas is installed (with the data
        sets' descriptions and any notes in ``summary.attrs``), else a list of
        dicts.
    folds : pandas.DataFrame or list of dict
        Only with ``return_folds=True``: one row per data set, model, repeat
        and fold, with the columns of :data:`sknn.comparison.FOLD_COLUMNS`.

    Raises
    ------
    ValueError
        For unknown models, metrics or data sets and bad ``cv``, ``n_jobs``, ...
    sknn.datasets.DatasetNotFoundError
        When a data set is not installed; the message says what to install.

    Warns
    -----
    UserWarning
        For each model that is skipped because it does not fit the data or metric,
        and when results are read from ``results_file``.

    Examples
    --------
    >>> from sknn import compare
    >>> table = compare(dataset="iris", models="sknn-mlp,logreg", cv=3, max_iter=50)
    >>> sorted(table["model"])
    ['logreg', 'sknn-mlp']
    >>> list(table.columns)[:6]
    ['dataset', 'model', 'accuracy_mean', 'accuracy_std', 'fit_time_s', 'predict_time_s']
    """
    summary, folds, notes, descriptions = _compare(
        X,
        y,
        dataset=dataset,
        models=models,
        metric=metric,
        cv=cv,
        repeats=repeats,
        random_state=random_state,
        max_iter=max_iter,
        device=device,
        n_jobs=n_jobs,
        n_samples=n_samples,
        image_shape=image_shape,
        threads=threads,
        progress=progress,
        results_file=results_file,
        resume=resume,
        alpha=alpha,
    )
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    try:
        import pandas as pd
    except ImportError:
        return (summary, folds) if return_folds else summary
    table = pd.DataFrame(summary)
    table.attrs["description"] = "; ".join(descriptions.values())
    table.attrs["descriptions"] = descriptions
    table.attrs["notes"] = notes
    table.attrs["alpha"] = alpha
    if return_folds:
        return table, pd.DataFrame(folds, columns=list(FOLD_COLUMNS))
    return table
