"""The classic online perceptron, trained by scikit-learn's compiled SGD loop.

:class:`sknn.PerceptronClassifier` with ``activation='threshold'`` and
``batch_size=1`` on the CPU is, update for update, scikit-learn's
:class:`~sklearn.linear_model.Perceptron`: Rosenblatt's rule, one-vs-rest, a
constant ``eta0``, SGD's penalties and its stopping rule. Run as one PyTorch
optimizer step per sample, it costs tens of microseconds per sample; scikit-learn
runs the same loop in compiled code. So that configuration is trained by
scikit-learn's public ``Perceptron`` (a hard dependency of sknn), and the result
(``coef_``, ``intercept_``, ``n_iter_``, ``t_``) is copied into the estimator,
whose module, persistence, ``warm_start``, ``partial_fit`` and device moves then
work as after any other fit.

Every parameter of that configuration maps exactly onto scikit-learn's:
``penalty``, ``alpha``, ``l1_ratio``, ``fit_intercept``, ``max_iter``, ``tol``,
``n_iter_no_change``, ``shuffle``, ``eta0``, ``early_stopping``,
``validation_fraction``, ``class_weight`` (passed per class index, so a unit weighs
its own class by its weight and the other samples by 1), ``sample_weight``,
``verbose`` (scikit-learn's own output), ``n_jobs``, ``random_state`` (an integer is
passed as it is, so shuffling and the validation split are scikit-learn's;
otherwise a seed drawn from the estimator's generator), ``warm_start`` and
``coef_init`` / ``intercept_init`` (the starting weights, which may have been
edited through ``coef_``) and ``partial_fit`` (one epoch from the current weights).

The PyTorch path trains instead (see :func:`compiled_loop_applies`) with
``max_norm`` (no scikit-learn equivalent), ``precision`` or ``compile`` (PyTorch
speed options the user asked for), ``checkpoint_dir`` (checkpoints are written
between epochs, which the compiled loop does not expose), inside
:func:`sknn.distributed.data_parallel`, and, for one call, when scikit-learn's loop
reports a floating-point overflow (the PyTorch path then keeps the last finite
weights and warns, :class:`sknn.TrainingDivergedWarning`).

A Ctrl-C reaches Python only when the compiled loop of a one-vs-rest unit ends;
the call then keeps the weights it started from and warns.
"""

import numbers

import numpy as np
import scipy.sparse as sp

from ._engine import current_data_parallel

__all__ = ["CompiledLoopOverflow", "compiled_loop_applies", "run_sklearn_perceptron"]


class CompiledLoopOverflow(Exception):
    """scikit-learn's loop stopped on a floating-point overflow."""


def compiled_loop_applies(estimator, device):
    """Whether ``estimator`` (a PerceptronClassifier) trains on ``device`` by
    scikit-learn's compiled loop rather than by PyTorch."""
    return (
        estimator.activation == "threshold"
        and estimator.batch_size == 1
        and device.type == "cpu"
        and estimator.max_norm is None
        and estimator.precision is None
        and not estimator.compile
        and estimator.checkpoint_dir is None
        and current_data_parallel() is None
    )


def _int32_indices(X):
    """scikit-learn's SGD takes sparse matrices with 32-bit indices only."""
    if not sp.issparse(X) or X.indices.dtype == np.int32:
        return X
    if X.nnz >= np.iinfo(np.int32).max:
        raise CompiledLoopOverflow("too many non-zero values for 32-bit indices")
    X = X.copy()
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int32)
    return X


def run_sklearn_perceptron(
    estimator, X, codes, n_classes, sample_weight, class_weight, seed, *, incremental, start
):
    """Train scikit-learn's ``Perceptron`` with ``estimator``'s parameters.

    Parameters
    ----------
    estimator : PerceptronClassifier
    X : ndarray or sparse matrix, float64 or float32
    codes : ndarray of int
        Class indices into ``estimator.classes_``.
    n_classes : int
    sample_weight, class_weight : ndarray or None
        Checked sample weights; one weight per class index.
    seed : int
        Used when ``random_state`` is not an integer.
    incremental : bool
        One epoch (``partial_fit``) rather than a fit.
    start : tuple or None
        ``(coef, intercept, t)`` to continue from (in X's dtype), or None for zeros.

    Returns
    -------
    model : sklearn.linear_model.Perceptron
        The trained model, whose ``coef_``, ``intercept_``, ``n_iter_`` and ``t_``
        the caller copies.
    """
    from sklearn.linear_model import Perceptron  # not at ``import sknn``

    random_state = estimator.random_state
    if not isinstance(random_state, numbers.Integral):
        random_state = seed
    model = Perceptron(
        penalty=estimator.penalty,
        alpha=estimator.alpha,
        l1_ratio=estimator.l1_ratio,
        fit_intercept=estimator.fit_intercept,
        max_iter=estimator.max_iter,
        tol=estimator.tol,
        shuffle=estimator.shuffle,
        verbose=estimator.verbose,
        eta0=estimator.eta0,
        n_jobs=estimator.n_jobs,
        random_state=random_state,
        early_stopping=estimator.early_stopping,
        validation_fraction=estimator.validation_fraction,
        n_iter_no_change=estimator.n_iter_no_change,
        class_weight=None if class_weight is None else dict(enumerate(class_weight)),
    )
    X = _int32_indices(X)
    classes = np.arange(n_classes)
    try:
        if incremental:
            if start is not None:
                # partial_fit continues from the coef_ it finds (as after a fit).
                model.coef_, model.intercept_, model.t_ = start
            model.partial_fit(X, codes, classes=classes, sample_weight=sample_weight)
        else:
            coef, intercept = (None, None) if start is None else start[:2]
            if coef is not None and n_classes == 2:
                coef, intercept = coef.ravel(), intercept.ravel()
            model.fit(
                X, codes, coef_init=coef, intercept_init=intercept, sample_weight=sample_weight
            )
    except ValueError as exc:
        if "overflow" in str(exc):
            raise CompiledLoopOverflow(str(exc)) from exc
        raise
    return model
