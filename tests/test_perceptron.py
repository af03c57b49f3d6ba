"""Behaviour tests for PerceptronClassifier."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_classifiers_classes,
    check_classifiers_train,
    check_decision_proba_consistency,
    check_fit_idempotent,
    check_methods_sample_order_invariance,
    check_methods_subset_invariance,
)

from sknn import MLPClassifier, PerceptronClassifier

X_sep, y_sep = make_blobs(
    n_samples=120, centers=[[-3, -3], [3, 3], [-3, 4]], cluster_std=0.7, random_state=0
)
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


@pytest.mark.parametrize("classes", [(0, 1), (1, 2), (0, 1, 2)], ids=["bin01", "bin12", "multi"])
def test_online_rule_reproduces_sklearn_perceptron_update_for_update(classes):
    """batch_size=1, no shuffling, eta0=1, zero start: each step is Rosenblatt's
    ``w += y * x`` on a sample with margin <= 0, exactly scikit-learn's Perceptron
    (one-vs-rest units for several classes). Measured max |coef difference| after 20
    epochs on iris: 4e-6 (float32 vs float64 sums); tolerance 1e-4."""
    mask = np.isin(y_iris, classes)
    X, y = X_iris[mask], y_iris[mask]
    ours = PerceptronClassifier(
        batch_size=1, shuffle=False, max_iter=20, tol=None, device="cpu"
    ).fit(X, y)
    theirs = _quiet(Perceptron(shuffle=False, max_iter=20, tol=None).fit, X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 20
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X_iris), theirs.predict(X_iris))


def test_threshold_rule_cannot_learn_xor_but_mlp_can():
    perceptron = _quiet(PerceptronClassifier(max_iter=200, **FAST).fit, X_xor, y_xor)
    assert perceptron.score(X_xor, y_xor) <= 0.75
    mlp = MLPClassifier(
        hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs", random_state=1, device="cpu"
    ).fit(X_xor, y_xor)
    assert mlp.score(X_xor, y_xor) == 1.0


@pytest.mark.parametrize(
    "activation, X, y",
    [
        ("softmax", X_iris, y_iris),
        ("logistic", X_iris, y_iris),
        ("logistic", *load_breast_cancer(return_X_y=True)),
    ],
    ids=["softmax-iris", "logistic-ovr-iris", "logistic-breast-cancer"],
)
def test_probabilistic_forms_match_logistic_regression(activation, X, y):
    """Full-batch gradient descent on mean log-loss + alpha/2 ||w||^2 converges to
    LogisticRegression(C = 1 / (alpha * n)) (multinomial for 'softmax', one-vs-rest
    with normalised probabilities for 'logistic' on several classes).

    1000 full-batch epochs at the default eta0=1. Measured: max |probability
    difference| 2.6e-6 (softmax-iris), 4.8e-6 (logistic-ovr-iris), 6.4e-7
    (breast cancer); identical predictions on every row. Tolerance: probabilities
    within 1e-3, coefficients within 1e-2, predictions identical on >= 99% of rows.
    """
    X = StandardScaler().fit_transform(X)
    alpha = 0.01
    ours = PerceptronClassifier(
        activation=activation,
        penalty="l2",
        alpha=alpha,
        batch_size="full",
        max_iter=1000,
        tol=None,
        **FAST,
    ).fit(X, y)
    theirs = LogisticRegression(C=1.0 / (alpha * len(y)), tol=1e-10, max_iter=10000)
    if activation == "logistic" and len(np.unique(y)) > 2:
        theirs = OneVsRestClassifier(theirs)
    theirs.fit(X, y)
    p_ours, p_theirs = ours.predict_proba(X), theirs.predict_proba(X)
    assert np.abs(p_ours - p_theirs).max() < 1e-3
    assert np.mean(ours.predict(X) == theirs.predict(X)) >= 0.99
    np.testing.assert_allclose(p_ours.sum(1), 1.0, rtol=1e-12)
    coef = getattr(theirs, "coef_", None)
    if coef is None:
        coef = np.vstack([est.coef_ for est in theirs.estimators_])
    np.testing.assert_allclose(ours.coef_, coef, atol=1e-2)


def test_predict_proba_only_where_probabilistic():
    assert not hasattr(PerceptronClassifier(activation="threshold"), "predict_proba")
    assert not hasattr(PerceptronClassifier(activation="threshold"), "predict_log_proba")
    for act in ("logistic", "softmax"):
        clf = _quiet(PerceptronClassifier(activation=act, batch_size=16, **FAST).fit, X_sep, y_sep)
        assert clf.predict_proba(X_sep).shape == (len(X_sep), 3)
        np.testing.assert_array_equal(
            clf.classes_[clf.predict_proba(X_sep).argmax(1)], clf.predict(X_sep)
        )
    with pytest.raises(AttributeError, match="predict_proba"):
        PerceptronClassifier().predict_proba(X_sep)


def test_shapes_like_sklearn_linear_models():
    binary = _quiet(PerceptronClassifier(**FAST).fit, X_sep[y_sep < 2], y_sep[y_sep < 2])
    assert binary.coef_.shape == (1, 2) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X_sep).shape == (len(X_sep),)
    multi = _quiet(PerceptronClassifier(**FAST).fit, X_sep, y_sep)
    assert multi.coef_.shape == (3, 2) and multi.intercept_.shape == (3,)
    assert multi.decision_function(X_sep).shape == (len(X_sep), 3)
    # the scores are the trained layer's outputs (float32 forward vs float64 host)
    with torch.no_grad():
        raw = multi.module_(torch.as_tensor(X_sep, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(multi.decision_function(X_sep), raw, rtol=1e-5, atol=1e-4)


def test_no_intercept():
    clf = _quiet(PerceptronClassifier(fit_intercept=False, **FAST).fit, X_sep, y_sep)
    np.testing.assert_array_equal(clf.intercept_, np.zeros(3))
    assert clf.module_.linear.bias is None


def test_l1_gives_sparser_weights_than_l2():
    rng = np.random.RandomState(0)
    X = np.hstack([X_iris, rng.randn(len(X_iris), 20)])  # 20 useless features
    kw = dict(activation="softmax", alpha=0.05, batch_size="full", eta0=0.5, max_iter=500, **FAST)
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
    assert np.all(np.linalg.norm(clf.coef_, axis=1) <= 0.5 + 1e-6)
    free = _quiet(PerceptronClassifier(**FAST).fit, X_sep, y_sep)
    assert np.linalg.norm(free.coef_, axis=1).max() > 0.5


def test_string_labels_round_trip():
    labels = np.array(["setosa", "versicolor", "virginica"])
    clf = _quiet(
        PerceptronClassifier(activation="softmax", batch_size=16, **FAST).fit,
        X_iris,
        labels[y_iris],
    )
    assert set(clf.predict(X_iris)) <= set(labels)
    assert clf.score(X_iris, labels[y_iris]) > 0.9


def test_class_weight_and_sample_weight():
    X, y = make_blobs(n_samples=200, centers=[[0, 0], [1.5, 1.5]], cluster_std=1.0, random_state=0)
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
    assert clf.t_ == 5 * len(X_sep) + 1  # as scikit-learn: samples seen, plus one
    assert clf.score(X_sep, y_sep) == 1.0
    with pytest.raises(ValueError, match="classes must be passed"):
        PerceptronClassifier().partial_fit(X_sep, y_sep)


def test_same_seed_same_model_and_pickle():
    # iris is not linearly separable, so the online fit depends on the sample order
    a = _quiet(PerceptronClassifier(max_iter=20, **FAST).fit, X_iris, y_iris)
    b = _quiet(PerceptronClassifier(max_iter=20, **FAST).fit, X_iris, y_iris)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.predict(X_iris), b.predict(X_iris))
    other = _quiet(
        PerceptronClassifier(max_iter=20, random_state=1, device="cpu").fit, X_iris, y_iris
    )
    assert not np.array_equal(a.coef_, other.coef_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.decision_function(X_iris), a.decision_function(X_iris))
    np.testing.assert_array_equal(c.predict(X_iris), a.predict(X_iris))


def test_scores_do_not_depend_on_batching(monkeypatch):
    clf = _quiet(PerceptronClassifier(activation="softmax", **FAST).fit, X_iris, y_iris)
    full = clf.decision_function(X_iris)
    proba = clf.predict_proba(X_iris)
    np.testing.assert_allclose(clf.decision_function(X_iris[:7]), full[:7], rtol=1e-12)
    monkeypatch.setattr(PerceptronClassifier, "_predict_batch_size", 16)
    np.testing.assert_allclose(clf.decision_function(X_iris), full, rtol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X_iris), proba, rtol=1e-12)


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


# scikit-learn's checks that involve probabilities or scores, for the probabilistic
# forms (tests/test_common.py runs the full suite on the default, 'threshold').
@pytest.mark.parametrize(
    "check",
    [
        check_classifiers_train,
        check_classifiers_classes,
        check_decision_proba_consistency,
        check_methods_subset_invariance,
        check_methods_sample_order_invariance,
        check_fit_idempotent,
    ],
    ids=lambda check: check.__name__,
)
@pytest.mark.parametrize("activation", ["logistic", "softmax"])
def test_sklearn_checks_for_probabilistic_forms(activation, check):
    est = PerceptronClassifier(activation=activation, batch_size=16, max_iter=50, **FAST)
    _quiet(check, type(est).__name__, est)


def test_early_stopping_records_validation_accuracy():
    clf = _quiet(
        PerceptronClassifier(early_stopping=True, n_iter_no_change=3, batch_size=16, **FAST).fit,
        X_iris,
        y_iris,
    )
    assert len(clf.validation_scores_) == clf.n_iter_ < 1000
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.score(X_iris, y_iris) > 0.8


@pytest.mark.parametrize("pair", [(0, 1), (1, 2)])
def test_binary_online_rule_stops_when_sklearn_does(pair):
    """Same updates and the same tol / n_iter_no_change stopping epoch as scikit-learn
    (its SGD loop stops once the no-improvement count reaches n_iter_no_change)."""
    mask = np.isin(y_iris, pair)
    theirs = Perceptron(shuffle=False).fit(X_iris[mask], y_iris[mask])
    ours = PerceptronClassifier(shuffle=False, device="cpu").fit(X_iris[mask], y_iris[mask])
    assert ours.n_iter_ == theirs.n_iter_ < 1000
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)


# ------------------------------------------------ a drop-in for sklearn's Perceptron
from sklearn.datasets import load_digits  # noqa: E402

import sknn._perceptron  # noqa: E402
from sknn import TrainingDivergedWarning  # noqa: E402

X_digits, y_digits = load_digits(return_X_y=True)
CPU = dict(device="cpu")


def test_defaults_are_sklearn_perceptrons():
    ours, theirs = PerceptronClassifier().get_params(), Perceptron().get_params()
    assert {k: ours[k] for k in theirs} == theirs
    extras = {
        "activation",
        "batch_size",
        "max_norm",
        "device",
        "checkpoint_dir",
        "checkpoint_every",
        "precision",
        "compile",
    }
    assert set(ours) - set(theirs) == extras


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_default_online_fit_is_sklearns(dtype):
    """The classic online perceptron runs in scikit-learn's compiled loop: the same
    epochs, weights, t_ and dtypes as Perceptron, and two default fits agree."""
    X = X_digits.astype(dtype)
    ours = PerceptronClassifier(**CPU).fit(X, y_digits)
    theirs = Perceptron().fit(X, y_digits)
    assert ours.n_iter_ == theirs.n_iter_ < 1000
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.intercept_, theirs.intercept_)
    assert ours.coef_.dtype == ours.intercept_.dtype == theirs.coef_.dtype == dtype
    assert isinstance(ours.t_, float) and ours.t_ == theirs.t_ == ours.n_iter_ * len(X) + 1
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.decision_function(X).dtype == theirs.decision_function(X).dtype
    np.testing.assert_allclose(
        ours.decision_function(X),
        theirs.decision_function(X),
        rtol=1e-5 if dtype == np.float32 else 1e-12,
    )
    again = PerceptronClassifier(**CPU).fit(X, y_digits)
    np.testing.assert_array_equal(again.coef_, ours.coef_)
    # the module holds the same weights (float32), for the PyTorch path and devices
    np.testing.assert_allclose(ours.module_.linear.weight.detach().numpy(), ours.coef_, rtol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        dict(penalty="l1", alpha=1e-3),
        dict(penalty="elasticnet", l1_ratio=0.5, alpha=1e-3, eta0=0.5),
        dict(penalty="l2", alpha=1e-3, fit_intercept=False),
        dict(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
        dict(class_weight="balanced", shuffle=False),
        dict(class_weight={0: 3.0, 9: 0.5}, tol=None, max_iter=5),
        dict(random_state=7, n_jobs=2),
    ],
    ids=lambda p: "-".join(sorted(p)),
)
def test_every_parameter_of_the_compiled_path_maps_onto_sklearns(params):
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y_digits))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = PerceptronClassifier(**params, **CPU).fit(X_digits, y_digits, sample_weight=sw)
        theirs = Perceptron(**params).fit(X_digits, y_digits, sample_weight=sw)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.intercept_, theirs.intercept_)


def test_binary_string_labels_and_sparse_input_on_the_compiled_path():
    import scipy.sparse as sp

    labels = np.array(["no", "yes"])[(y_digits > 4).astype(int)]
    X = sp.csr_matrix(X_digits)
    X.indices, X.indptr = X.indices.astype(np.int64), X.indptr.astype(np.int64)
    ours = PerceptronClassifier(**CPU).fit(X, labels)
    theirs = Perceptron().fit(sp.csr_matrix(X_digits), labels)  # (its sparse intercept
    assert ours.coef_.shape == (1, 64)  # steps are 100 times smaller than dense ones)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.intercept_, theirs.intercept_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X_digits))


def test_partial_fit_on_the_compiled_path_is_sklearns():
    ours, theirs = PerceptronClassifier(**CPU), Perceptron()
    for start in range(0, 1500, 300):
        rows = slice(start, start + 300)
        ours.partial_fit(X_digits[rows], y_digits[rows], classes=np.arange(10))
        theirs.partial_fit(X_digits[rows], y_digits[rows], classes=np.arange(10))
        np.testing.assert_array_equal(ours.coef_, theirs.coef_)
        assert ours.t_ == theirs.t_ and ours.n_iter_ == theirs.n_iter_ == 1


def test_fit_signature_and_coef_init_as_sklearn():
    import inspect

    ours = inspect.signature(PerceptronClassifier.fit).parameters
    theirs = inspect.signature(Perceptron.fit).parameters
    assert list(ours) == list(theirs)
    assert list(inspect.signature(PerceptronClassifier.partial_fit).parameters) == list(
        inspect.signature(Perceptron.partial_fit).parameters
    )
    rng = np.random.RandomState(0)
    coef, intercept = rng.randn(10, 64), rng.randn(10)
    ours = PerceptronClassifier(**CPU).fit(X_digits, y_digits, coef, intercept)
    np.testing.assert_array_equal(coef, np.random.RandomState(0).randn(10, 64))  # unchanged
    theirs = Perceptron().fit(X_digits, y_digits, coef, intercept)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    with pytest.raises(ValueError, match="shape"):
        PerceptronClassifier(**CPU).fit(X_digits, y_digits, coef_init=coef[:3])
    # the PyTorch path starts from coef_init too: a separating start makes no update
    sep = PerceptronClassifier(**CPU).fit(X_sep, y_sep)
    torch_fit = PerceptronClassifier(batch_size=8, max_iter=1, tol=None, **CPU)
    torch_fit.fit(X_sep, y_sep, coef_init=sep.coef_, intercept_init=sep.intercept_)
    np.testing.assert_allclose(torch_fit.coef_, sep.coef_, rtol=1e-6)


@pytest.mark.parametrize("batch_size", [1, 16], ids=["compiled", "torch"])
def test_coef_and_intercept_are_the_model(batch_size, tmp_path):
    """As in scikit-learn: assigning coef_ / intercept_ or editing them in place
    changes predictions; pickles keep the edit; warm_start continues from it."""
    clf = _quiet(PerceptronClassifier(batch_size=batch_size, **CPU).fit, X_iris, y_iris)
    clf.coef_[:] = 0.0
    clf.intercept_[:] = [0.0, 1.0, 0.0]
    assert np.all(clf.predict(X_iris) == 1)
    np.testing.assert_array_equal(clf.decision_function(X_iris[:3]), [[0, 1, 0]] * 3)
    assert np.all(pickle.loads(pickle.dumps(clf)).predict(X_iris) == 1)
    clf.coef_ = np.zeros((3, 4))
    clf.intercept_ = np.array([2.0, 0.0, 0.0])
    assert np.all(clf.predict(X_iris) == 0)
    # warm_start from the edited weights, as scikit-learn's Perceptron does
    sep = PerceptronClassifier(**CPU).fit(X_sep, y_sep)
    ours = PerceptronClassifier(
        batch_size=batch_size, warm_start=True, max_iter=1, tol=None, **CPU
    ).fit(X_sep, y_sep)
    ours.coef_, ours.intercept_ = sep.coef_.copy(), sep.intercept_.copy()
    ours.fit(X_sep, y_sep)  # already separating: no update
    np.testing.assert_allclose(ours.coef_, sep.coef_, rtol=1e-6)
    if batch_size == 1:
        theirs = Perceptron(warm_start=True, max_iter=1, tol=None).fit(X_iris, y_iris)
        ours = PerceptronClassifier(warm_start=True, max_iter=1, tol=None, **CPU)
        ours.fit(X_iris, y_iris)
        ours.coef_ *= 0.5
        theirs.coef_ *= 0.5
        np.testing.assert_array_equal(
            ours.fit(X_iris, y_iris).coef_, theirs.fit(X_iris, y_iris).coef_
        )


def test_sparsify_densify():
    clf = PerceptronClassifier(penalty="l1", alpha=0.01, **CPU).fit(X_digits, y_digits)
    dense_pred, dense_scores = clf.predict(X_digits), clf.decision_function(X_digits)
    import scipy.sparse as sp

    assert sp.issparse(clf.sparsify().coef_)
    np.testing.assert_array_equal(clf.predict(X_digits), dense_pred)
    np.testing.assert_allclose(clf.decision_function(X_digits), dense_scores)
    clf2 = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clf2.predict(X_digits), dense_pred)
    assert isinstance(clf.densify().coef_, np.ndarray)
    np.testing.assert_array_equal(clf.predict(X_digits), dense_pred)
    with pytest.raises(Exception, match="fitted"):
        PerceptronClassifier().sparsify()


@pytest.mark.parametrize("batch_size", [1, 16], ids=["compiled", "torch"])
def test_convergence_warning_as_sklearn(batch_size):
    kw = dict(batch_size=batch_size, max_iter=2, **CPU)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PerceptronClassifier(tol=None, **kw).fit(X_iris, y_iris)  # no warning
        PerceptronClassifier(tol=None, **kw).partial_fit(X_iris, y_iris, classes=[0, 1, 2])
    with pytest.warns(
        ConvergenceWarning,
        match=r"^Maximum number of iteration reached "
        r"before convergence. Consider increasing max_iter to improve the fit.$",
    ):
        PerceptronClassifier(tol=1e-9, n_iter_no_change=10, **kw).fit(X_iris, y_iris)


def test_verbose_output_is_sgds(capsys):
    PerceptronClassifier(verbose=1, max_iter=3, tol=None, **CPU).fit(X_iris, y_iris == 0)
    out = capsys.readouterr().out
    assert out.startswith("-- Epoch 1\nNorm: ")
    assert "NNZs: " in out and "Avg. loss: " in out and "Total training time: " in out


def test_ctrl_c_in_the_compiled_loop_keeps_the_starting_weights(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sknn._perceptron, "run_sklearn_perceptron", interrupted)
    with pytest.warns(UserWarning, match="interrupted by user"):
        clf = PerceptronClassifier(**CPU).fit(X_iris, y_iris)
    assert clf.n_iter_ == 0 and np.all(clf.coef_ == 0)
    clf.predict(X_iris)


def test_overflow_in_the_compiled_loop_falls_back_to_torch():
    # scikit-learn's loop raises "Floating-point under-/overflow occurred at epoch
    # #1"; the PyTorch path keeps the last finite weights (here the initial zeros)
    X = (X_iris * 1e10).astype(np.float32)
    with pytest.raises(ValueError, match="overflow"):
        Perceptron(eta0=1e30).fit(X, y_iris)
    with pytest.warns(TrainingDivergedWarning):
        clf = PerceptronClassifier(eta0=1e30, **CPU).fit(X, y_iris)
    # the diverged epoch is counted (as scikit-learn counts epochs), its weights not kept
    assert clf.n_iter_ == 1 and np.all(clf.coef_ == 0)


@pytest.mark.parametrize(
    "params",
    [
        dict(max_norm=1.0),
        dict(activation="softmax"),
        dict(batch_size=2),
        dict(precision="bf16"),
        dict(compile=True),
    ],
    ids=lambda p: next(iter(p)),
)
def test_options_without_a_sklearn_equivalent_train_with_torch(params, monkeypatch):
    def not_called(*args, **kwargs):
        raise AssertionError("the compiled loop ran")

    monkeypatch.setattr(sknn._perceptron, "run_sklearn_perceptron", not_called)
    clf = PerceptronClassifier(max_iter=1, tol=None, **params, **CPU)
    if params.get("compile"):  # checked, not run: compiling is slow
        from sknn._online import compiled_loop_applies

        assert not compiled_loop_applies(clf, torch.device("cpu"))
        return
    clf.fit(X_sep, y_sep)
    assert clf.coef_.dtype == np.float64 and clf.t_ == len(X_sep) + 1
