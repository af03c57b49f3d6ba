"""Bad input and bad parameters get a clear ValueError/TypeError naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sknn import MLPClassifier, MLPRegressor, PerceptronClassifier

rng = np.random.RandomState(0)
X = rng.rand(40, 4)
y = np.arange(40) % 2
FAST = dict(hidden_layer_sizes=(4,), max_iter=3, device="cpu", random_state=0)


@pytest.fixture(params=[MLPClassifier, MLPRegressor], ids=["clf", "reg"])
def est(request):
    return request.param(**FAST)


def _fitted(est):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X(est, bad):
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        est.fit(Xb, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        _fitted(est).predict(Xb)


def test_non_finite_y():
    yb = y.astype(float)
    yb[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor(**FAST).fit(X, yb)
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier(**FAST).fit(X, yb)


def test_wrong_n_features_at_predict(est):
    with pytest.raises(ValueError, match="features"):
        _fitted(est).predict(X[:, :3])


def test_empty_X(est):
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="0 sample"):
        _fitted(est).predict(X[:0])


def test_single_class_as_scikit_learn():
    # scikit-learn's MLPClassifier fits a y with one class and always predicts it,
    # with predict_proba's two binary columns.
    clf = MLPClassifier(**FAST).fit(X, np.full(40, 7))
    np.testing.assert_array_equal(clf.classes_, [7])
    np.testing.assert_array_equal(clf.predict(X), np.full(40, 7))
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_perceptron_refuses_one_class_as_scikit_learn():
    from sklearn.linear_model import Perceptron

    msg = "The number of classes has to be greater than one; got 1 class"
    for est in (Perceptron(), PerceptronClassifier(), PerceptronClassifier(batch_size=8)):
        with pytest.raises(ValueError, match=msg):
            est.fit(X, np.zeros(40))


def test_mismatched_lengths(est):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])


def test_three_d_X(est):
    with pytest.raises(ValueError, match="dim"):
        est.fit(X.reshape(40, 2, 2), y)


def test_string_X(est):
    with pytest.raises(ValueError, match="could not convert|string"):
        est.fit(np.array([["a", "b"]] * 40), y)


def test_unknown_regression_target_for_classifier():
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(**FAST).fit(X, rng.rand(40))


def test_not_fitted(est):
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(-3, 4)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(2.5,)), "hidden_layer_sizes"),
        (dict(activation="sigmoid"), "'activation' parameter .* must be a str among"),
        (dict(solver="rmsprop"), "'solver' parameter .* must be a str among"),
        (dict(learning_rate="cosine"), "'learning_rate' parameter"),
        (dict(learning_rate_init=0.0), "'learning_rate_init' parameter"),
        (dict(alpha=-1.0), "'alpha' parameter"),
        (dict(batch_size=0), "'batch_size' parameter"),
        (dict(max_iter=0), "'max_iter' parameter"),
        (dict(dropout=1.0), "'dropout' parameter"),
        (dict(momentum=2.0), "'momentum' parameter"),
        (dict(validation_fraction=1.0), "'validation_fraction' parameter"),
        (dict(weight_init="xavier"), "'weight_init' parameter"),
        (dict(device="tpu"), "'device' parameter"),
        (dict(device=3), "'device' parameter"),
    ],
)
def test_bad_parameters(est, params, match):
    est.set_params(**params)
    with pytest.raises((ValueError, TypeError), match=match):
        est.fit(X, y)


def test_bad_choice_lists_valid_options():
    with pytest.raises(ValueError, match="relu"):
        MLPClassifier(activation="sigmoid").fit(X, y)


def test_bad_loss_for_regressor():
    with pytest.raises(ValueError, match="'loss' parameter"):
        MLPRegressor(loss="huber").fit(X, y)


def test_bad_sample_weight(est):
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="non-negative"):
        est.fit(X, y, sample_weight=-np.ones(40))
    with pytest.raises(ValueError, match="non-zero|positive sum"):
        est.fit(X, y, sample_weight=np.zeros(40))
