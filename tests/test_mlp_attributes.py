"""The MLP's fitted attributes behave as scikit-learn's: ``coefs_`` and
``intercepts_`` are the model (assign or edit them and predictions change), in
X's float dtype; regression predictions in X's dtype; the diverged epoch is
recorded; full-batch ``fit`` equals repeated ``partial_fit``."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from sknn import MLPClassifier, MLPRegressor, TrainingDivergedWarning

X_digits, y_digits = load_digits(return_X_y=True)
X, y = X_digits[:300] / 16, y_digits[:300]
FAST = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _numpy_proba(coefs, intercepts, X):
    """The forward pass of a relu MLP with a softmax output, in float64."""
    h = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        h = np.maximum(h @ W + b, 0)
    z = h @ coefs[-1] + intercepts[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_coefs_are_the_model(dtype):
    clf = _fit(MLPClassifier(**FAST), X.astype(dtype), y)
    Xd = X[:20].astype(dtype)
    coefs = [np.array(c, dtype=np.float64) for c in clf.coefs_]
    intercepts = [np.array(b, dtype=np.float64) for b in clf.intercepts_]
    np.testing.assert_allclose(
        clf.predict_proba(Xd),
        _numpy_proba(coefs, intercepts, Xd.astype(np.float64)),
        atol=1e-5,
    )
    # edited in place
    clf.coefs_[0][:3] *= -2.0
    clf.intercepts_[-1][:] += 0.5
    coefs[0][:3] *= -2.0
    intercepts[-1][:] += 0.5
    np.testing.assert_allclose(
        clf.predict_proba(Xd),
        _numpy_proba(coefs, intercepts, Xd.astype(np.float64)),
        atol=1e-5,
    )
    # reassigned (the list and one array)
    rng = np.random.RandomState(0)
    coefs = [rng.normal(scale=0.3, size=c.shape) for c in coefs]
    clf.coefs_ = [c.copy() for c in coefs]
    clf.intercepts_[0] = np.zeros_like(intercepts[0])
    intercepts[0] = np.zeros_like(intercepts[0])
    np.testing.assert_allclose(
        clf.predict_proba(Xd),
        _numpy_proba(coefs, intercepts, Xd.astype(np.float64)),
        atol=1e-5,
    )
    # ... and they are what a pickle keeps and what training continues from
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(back.predict_proba(Xd), clf.predict_proba(Xd), atol=1e-6)
    np.testing.assert_allclose(back.coefs_[0], coefs[0], atol=1e-6)
    assert back.coefs_[0].dtype == dtype
    clf.set_params(warm_start=True, max_iter=1, solver="sgd", learning_rate_init=1e-12)
    _fit(clf, X.astype(dtype), y)
    np.testing.assert_allclose(clf.coefs_[0], coefs[0], atol=1e-5)


def test_assigned_coefs_are_checked():
    clf = _fit(MLPClassifier(**FAST), X, y)
    clf.coefs_[0] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"coefs_\[0\] has shape \(3, 3\)"):
        clf.predict(X)
    clf.coefs_ = clf.coefs_[:1]
    with pytest.raises(ValueError, match="must hold 2 arrays"):
        clf.predict(X)


def test_partial_fit_starts_from_coefs_assigned_before_fitting():
    # As scikit-learn's worked example (its test_fit): one SGD step from given weights.
    kw = dict(
        hidden_layer_sizes=3,
        solver="sgd",
        momentum=0,
        learning_rate_init=0.1,
        alpha=0.01,
        activation="tanh",
    )
    sk, ours = SkMLPClassifier(**kw), MLPClassifier(**kw)
    rng = np.random.RandomState(1)
    Xs, ys = rng.rand(8, 4), np.array([0, 1] * 4)
    coefs = [rng.normal(size=(4, 3)), rng.normal(size=(3, 1))]
    intercepts = [rng.normal(size=3), rng.normal(size=1)]
    for est in (sk, ours):
        est.coefs_ = [c.copy() for c in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
        if est is sk:  # scikit-learn's private state its test sets by hand
            est.n_outputs_, est.n_layers_, est.t_, est.n_iter_ = 1, 3, 0, 0
            est.out_activation_ = "logistic"
            est.loss_curve_, est.best_loss_, est._no_improvement_count = [], np.inf, 0
        est.partial_fit(Xs, ys, classes=[0, 1])
    for a, b in zip(ours.coefs_ + ours.intercepts_, sk.coefs_ + sk.intercepts_):
        np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_attributes_and_predictions_in_x_dtype(Est, dtype):
    expected = np.float32 if dtype == np.float32 else np.float64
    est = _fit(Est(**FAST), X_digits[:200].astype(dtype), y_digits[:200])
    assert all(c.dtype == expected for c in est.coefs_ + est.intercepts_)
    if Est is MLPRegressor:
        assert est.predict(X_digits[:5].astype(dtype)).dtype == expected
        # float32 X on a float64 fit: float64, as NumPy's promotion in scikit-learn
        assert est.predict(X_digits[:5].astype(np.float32)).dtype == np.result_type(
            np.float32, expected
        )


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_full_batch_fit_equals_repeated_partial_fit(momentum):
    Xr, yr = make_regression(n_samples=120, n_features=6, noise=10, random_state=0)
    yr = yr / yr.std()
    params = dict(
        solver="sgd",
        activation="relu",
        random_state=1,
        learning_rate_init=0.01,
        batch_size=len(Xr),
        momentum=momentum,
        n_iter_no_change=1000,
    )
    a = _fit(MLPRegressor(max_iter=30, **params), Xr, yr)
    b = MLPRegressor(**params)
    for _ in range(30):
        b.partial_fit(Xr, yr)
    assert a.n_iter_ == 30
    np.testing.assert_array_equal(a.predict(Xr), b.predict(Xr))


def test_diverged_epoch_is_recorded_with_a_nan_validation_score():
    reg = MLPRegressor(
        hidden_layer_sizes=50,
        activation="identity",
        solver="sgd",
        learning_rate_init=1.0,
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=0,
    )
    Xi, yi = load_iris(return_X_y=True)  # scikit-learn's own case (gh-29504)
    with pytest.warns(TrainingDivergedWarning, match="diverged at epoch"):
        reg.fit(Xi, yi.astype(float))
    assert np.isnan(reg.validation_scores_[-1])
    assert len(reg.validation_scores_) == len(reg.loss_curve_) == reg.n_iter_
    assert np.isfinite(reg.predict(Xi)).all()


def test_values_beyond_float32_give_scikit_learns_message():
    Xbig = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
        MLPRegressor().fit(Xbig, np.arange(10.0))
    with pytest.raises(ValueError, match="contains infinity"):
        MLPRegressor().fit(np.full((10, 2), np.inf), np.arange(10.0))
