"""Behaviour tests for PerceptronClassifier."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, PerceptronClassifier

X_sep, y_sep = make_blobs(n_samples=120, centers=[[-3, -3], [3, 3], [-3, 4]],
                          cluster_std=0.7, random_state=0)
X_iris, y_iris = load_iris(return_X_y=True)
X_iris = StandardScaler().fit_transform(X_iris)
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_xor = np.array([0, 1, 1, 0])
FAST = dict(random_state=0, device="cpu")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize("batch_size", [1, 16, "full"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_separates_linearly_separable_data_like_sklearn(batch_size, n_classes):
    mask = y_sep < n_classes
    X, y = X_sep[mask], y_sep[mask]
    ours = _quiet(PerceptronClassifier(batch_size=batch_size, **FAST).fit, X, y)
    theirs = Perceptron(random_state=0).fit(X, y)
    assert theirs.score(X, y) == 1.0
    assert ours.score(X, y) == 1.0
    # the learned hyperplane(s) really separate: margins of the right sign everywhere
    scores = ours.decision_function(X)
    if n_classes == 2:
        assert np.all((scores > 0) == (y == ours.classes_[1]))
    else:
        assert np.all(scores.argmax(1) == y)


def test_threshold_rule_cannot_learn_xor_but_mlp_can():
    perceptron = _quiet(PerceptronClassifier(max_iter=200, **FAST).fit, X_xor, y_xor)
    assert perceptron.score(X_xor, y_xor) <= 0.75
    mlp = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs",
                        random_state=1, device="cpu").fit(X_xor, y_xor)
    assert mlp.score(X_xor, y_xor) == 1.0


@pytest.mark.parametrize(
    "activation, X, y",
    [
        ("softmax", X_iris, y_iris),
        ("logistic", *load_breast_cancer(return_X_y=True)),
    ],
    ids=["softmax-iris", "logistic-breast-cancer"],
)
def test_probabilistic_forms_match_logistic_regression(activation, X, y):
    """Full-batch gradient descent on mean log-loss + alpha/2 ||w||^2 converges to
    LogisticRegression(C = 1 / (alpha * n)). Tolerance: probabilities within 0.02,
    predictions identical on at least 99% of the rows."""
    X = StandardScaler().fit_transform(X)
    alpha = 0.01
    ours = PerceptronClassifier(activation=activation, penalty="l2", alpha=alpha,
                                batch_size="full", eta0=0.5, max_iter=3000, tol=None,
                                **FAST).fit(X, y)
    theirs = LogisticRegression(C=1.0 / (alpha * len(y)), tol=1e-8, max_iter=10000).fit(X, y)
    p_ours, p_theirs = ours.predict_proba(X), theirs.predict_proba(X)
    assert np.abs(p_ours - p_theirs).max() < 0.02
    assert np.mean(ours.predict(X) == theirs.predict(X)) >= 0.99
    np.testing.assert_allclose(p_ours.sum(1), 1.0, rtol=1e-6)


def test_predict_proba_only_where_probabilistic():
    assert not hasattr(PerceptronClassifier(activation="threshold"), "predict_proba")
    assert not hasattr(PerceptronClassifier(activation="threshold"), "predict_log_proba")
    for act in ("logistic", "softmax"):
        clf = _quiet(PerceptronClassifier(activation=act, batch_size=16, **FAST).fit,
                     X_sep, y_sep)
        assert clf.predict_proba(X_sep).shape == (len(X_sep), 3)
        np.testing.assert_array_equal(clf.classes_[clf.predict_proba(X_sep).argmax(1)],
                                      clf.predict(X_sep))
    with pytest.raises(AttributeError, match="predict_proba"):
        PerceptronClassifier().predict_proba(X_sep)


def test_shapes_like_sklearn_linear_models():
    binary = _quiet(PerceptronClassifier(**FAST).fit, X_sep[y_sep < 2], y_sep[y_sep < 2])
    assert binary.coef_.shape == (1, 2) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X_sep).shape == (len(X_sep),)
    multi = _quiet(PerceptronClassifier(**FAST).fit, X_sep, y_sep)
    assert multi.coef_.shape == (3, 2) and multi.intercept_.shape == (3,)
    assert multi.decision_function(X_sep).shape == (len(X_sep), 3)
    np.testing.assert_allclose(multi.decision_function(X_sep),
                               X_sep @ multi.coef_.T + multi.intercept_, rtol=1e-5, atol=1e-4)


def test_no_intercept():
    clf = _quiet(PerceptronClassifier(fit_intercept=False, **FAST).fit, X_sep, y_sep)
    np.testing.assert_array_equal(clf.intercept_, np.zeros(3))
    assert clf.module_.linear.bias is None


def test_l1_gives_sparser_weights_than_l2():
    rng = np.random.RandomState(0)
    X = np.hstack([X_iris, rng.randn(len(X_iris), 20)])  # 20 useless features
    kw = dict(activation="softmax", alpha=0.05, batch_size="full", eta0=0.5, max_iter=500,
              **FAST)
    l1 = _quiet(PerceptronClassifier(penalty="l1", **kw).fit, X, y_iris)
    l2 = _quiet(PerceptronClassifier(penalty="l2", **kw).fit, X, y_iris)
    enet = _quiet(PerceptronClassifier(penalty="elasticnet", l1_ratio=0.5, **kw).fit, X, y_iris)
    zeros = lambda c: np.mean(c.coef_ == 0.0)  # noqa: E731
    assert zeros(l1) > 0.5  # most of the 20 noise features are dropped
    assert zeros(l2) == 0.0
    assert zeros(l1) >= zeros(enet) > zeros(l2)
    assert l1.score(X, y_iris) > 0.9


def test_max_norm_constraint_holds():
    clf = _quiet(PerceptronClassifier(max_norm=0.5, **FAST).fit, X_sep, y_sep)
    assert np.all(np.linalg.norm(clf.coef_, axis=1) <= 0.5 + 1e-5)
    free = _quiet(PerceptronClassifier(**FAST).fit, X_sep, y_sep)
    assert np.linalg.norm(free.coef_, axis=1).max() > 0.5


def test_string_labels_round_trip():
    labels = np.array(["setosa", "versicolor", "virginica"])
    clf = _quiet(PerceptronClassifier(activation="softmax", batch_size=16, **FAST).fit,
                 X_iris, labels[y_iris])
    assert set(clf.predict(X_iris)) <= set(labels)
    assert clf.score(X_iris, labels[y_iris]) > 0.9


def test_class_weight_and_sample_weight():
    X, y = make_blobs(n_samples=200, centers=[[0, 0], [1.5, 1.5]], cluster_std=1.0,
                      random_state=0)
    kw = dict(activation="logistic", batch_size=20, max_iter=50, **FAST)
    plain = _quiet(PerceptronClassifier(**kw).fit, X, y)
    favour1 = _quiet(PerceptronClassifier(class_weight={0: 1.0, 1: 10.0}, **kw).fit, X, y)
    assert (favour1.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    sw = np.where(y == 1, 10.0, 1.0)
    weighted = _quiet(PerceptronClassifier(**kw).fit, X, y, sample_weight=sw)
    np.testing.assert_allclose(weighted.coef_, favour1.coef_, rtol=1e-4, atol=1e-5)


def test_partial_fit():
    clf = PerceptronClassifier(**FAST)
    for _ in range(5):
        clf.partial_fit(X_sep, y_sep, classes=[0, 1, 2])
    assert clf.t_ == 5 * len(X_sep)
    assert clf.score(X_sep, y_sep) == 1.0
    with pytest.raises(ValueError, match="classes must be passed"):
        PerceptronClassifier().partial_fit(X_sep, y_sep)


def test_same_seed_same_model_and_pickle():
    a = _quiet(PerceptronClassifier(**FAST).fit, X_iris, y_iris)
    b = _quiet(PerceptronClassifier(**FAST).fit, X_iris, y_iris)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.decision_function(X_iris), a.decision_function(X_iris))


def test_decision_function_subset_invariance_float32_tolerance():
    clf = _quiet(PerceptronClassifier(**FAST).fit, X_iris, y_iris)
    full = clf.decision_function(X_iris)
    np.testing.assert_allclose(clf.decision_function(X_iris[:7]), full[:7], rtol=1e-5,
                               atol=1e-5)


def test_multilabel_rejected():
    with pytest.raises(ValueError, match="multilabel"):
        PerceptronClassifier().fit(X_sep, np.stack([y_sep == 0, y_sep == 1], 1).astype(int))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(activation="relu"), "'activation' parameter"),
        (dict(penalty="l3"), "'penalty' parameter"),
        (dict(eta0=-1.0), "'eta0' parameter"),
        (dict(l1_ratio=2.0), "'l1_ratio' parameter"),
        (dict(batch_size=0), "'batch_size' parameter"),
        (dict(max_norm=0.0), "'max_norm' parameter"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        PerceptronClassifier(**params).fit(X_sep, y_sep)
