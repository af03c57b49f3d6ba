"""Behaviour tests for MLPClassifier and MLPRegressor, in the spirit of
scikit-learn's own ``neural_network/tests/test_mlp.py``."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from _reference import ACTIVATIONS, softmax
from sklearn.datasets import load_diabetes, load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor, TrainingDivergedWarning

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits / 16.0
X_small, y_small = X_digits[:300], y_digits[:300]
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_xor = np.array([0, 1, 1, 0])

FAST = dict(
    hidden_layer_sizes=(32,), max_iter=30, learning_rate_init=0.01, random_state=0, device="cpu"
)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# ----------------------------------------------------------------- learning
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_learns_xor(solver):
    params = dict(hidden_layer_sizes=(8,), activation="tanh", solver=solver, random_state=1)
    if solver == "adam":
        params.update(learning_rate_init=0.05, max_iter=500, batch_size=4)
    clf = _quiet(MLPClassifier(**params).fit, X_xor, y_xor)
    assert clf.score(X_xor, y_xor) == 1.0


def test_loss_curve_decreases():
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    curve = clf.loss_curve_
    assert len(curve) == clf.n_iter_ == 30
    assert curve[-1] < 0.5 * curve[0]
    assert clf.loss_ == curve[-1]
    assert clf.best_loss_ == min(curve)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_solvers_reach_good_accuracy(solver):
    Xtr, Xte, ytr, yte = train_test_split(X_digits, y_digits, random_state=0)
    params = dict(hidden_layer_sizes=(64,), random_state=0, device="cpu", max_iter=60)
    if solver == "sgd":
        params["learning_rate_init"] = 0.1
    clf = _quiet(MLPClassifier(solver=solver, **params).fit, Xtr, ytr)
    assert clf.score(Xte, yte) > 0.93


# Early stopping whose validation score goes up and down (a high learning rate) and
# never stops early: a same-seed refit for exactly the best epoch's count replays it.
BEST_EPOCH_PARAMS = dict(
    hidden_layer_sizes=(32,),
    early_stopping=True,
    learning_rate_init=0.05,
    n_iter_no_change=1000,
    max_iter=15,
    random_state=3,
    device="cpu",
)


def test_early_stopping_restores_best_weights():
    # A high learning rate makes the validation score go up and down. Refitting the
    # same seed for exactly (best epoch) epochs replays the same trajectory on CPU,
    # so its weights are the best-epoch weights the early-stopped model must hold.
    params = dict(BEST_EPOCH_PARAMS)
    full = _quiet(MLPClassifier(**params).fit, X_small, y_small)
    scores = np.asarray(full.validation_scores_)
    best = int(np.argmax(scores))
    assert best < len(scores) - 1, "test needs a run whose last epoch is not the best"
    assert full.best_validation_score_ == scores[best]
    replay = _quiet(MLPClassifier(**{**params, "max_iter": best + 1}).fit, X_small, y_small)
    for a, b in zip(full.coefs_, replay.coefs_):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_stops_and_records_scores():
    clf = _quiet(
        MLPClassifier(
            early_stopping=True,
            n_iter_no_change=2,
            max_iter=200,
            **{k: v for k, v in FAST.items() if k != "max_iter"},
        ).fit,
        X_small,
        y_small,
    )
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_loss_ is None
    assert "validation_score" in clf.history_[-1]


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor, SkMLPClassifier, SkMLPRegressor])
def test_validation_set_too_small(Est):
    # The split comes first, as in scikit-learn: a stratified split of one row
    # fails in train_test_split, a one-row validation set after it.
    params = dict(early_stopping=True, validation_fraction=0.01, max_iter=2)
    match = (
        "test_size = 1 should be greater"
        if "Classifier" in Est.__name__
        else ("validation set is too small")
    )
    with pytest.raises(ValueError, match=match):
        Est(**params).fit(X_small[:20], y_small[:20] % 2)


def test_partial_fit_equals_continued_training():
    params = dict(
        hidden_layer_sizes=(16,),
        shuffle=False,
        random_state=0,
        device="cpu",
        tol=0.0,
        n_iter_no_change=100,
        batch_size=50,
    )
    fitted = _quiet(MLPClassifier(max_iter=5, **params).fit, X_small, y_small)
    partial = MLPClassifier(**params)
    for _ in range(5):
        partial.partial_fit(X_small, y_small, classes=np.arange(10))
    for a, b in zip(fitted.coefs_, partial.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert partial.t_ == fitted.t_ == 5 * len(X_small)
    assert partial.n_iter_ == 1  # per call, as in scikit-learn


def test_partial_fit_requires_classes_and_rejects_unknown_labels():
    clf = MLPClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X_small, y_small)
    clf.partial_fit(X_small[:50], y_small[:50] % 3, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X_small[:50], y_small[:50])
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X_small, y_small, classes=range(10))


def test_partial_fit_unavailable_for_lbfgs():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert hasattr(MLPClassifier(solver="adam"), "partial_fit")


def test_warm_start_continues():
    clf = _quiet(
        MLPClassifier(**{**FAST, "warm_start": True, "max_iter": 5}).fit,
        X_small,
        y_small,
    )
    first = list(clf.loss_curve_)
    _quiet(clf.fit, X_small, y_small)
    assert len(clf.loss_curve_) == 10
    assert clf.t_ == 10 * len(X_small)
    assert clf.loss_curve_[5] < first[0]
    cold = _quiet(
        MLPClassifier(**{**FAST, "warm_start": False, "max_iter": 5}).fit,
        X_small,
        y_small,
    )
    _quiet(cold.fit, X_small, y_small)
    assert len(cold.loss_curve_) == 5
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X_small, y_small % 2)


def test_sample_weight_equivalent_to_repetition():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    rng = np.random.RandomState(0)
    sw = rng.randint(0, 3, size=len(y)).astype(float)
    X_rep, y_rep = np.repeat(X, sw.astype(int), axis=0), np.repeat(y, sw.astype(int))
    # full-batch Adam: the weighted and the repeated objectives are the same function
    params = dict(
        hidden_layer_sizes=(8,),
        max_iter=30,
        learning_rate_init=0.01,
        batch_size=len(X_rep),
        shuffle=False,
        random_state=0,
        device="cpu",
    )
    a = _quiet(MLPClassifier(**{**params, "batch_size": len(X)}).fit, X, y, sample_weight=sw)
    b = _quiet(MLPClassifier(**params).fit, X_rep, y_rep)
    # float32 training: agree to float32 round-off accumulated over 30 steps
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-5)


def test_sample_weight_changes_the_fit():
    X, y = make_classification(n_samples=100, n_features=5, random_state=0)
    sw = np.where(y == 1, 10.0, 0.1)
    params = dict(
        hidden_layer_sizes=(8,),
        solver="lbfgs",
        max_iter=30,
        random_state=0,
        device="cpu",
        alpha=1.0,
    )
    plain = _quiet(MLPClassifier(**params).fit, X, y)
    weighted = _quiet(MLPClassifier(**params).fit, X, y, sample_weight=sw)
    assert (weighted.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_class_weight_balanced_helps_minority():
    X, y = make_classification(
        n_samples=400, weights=[0.95, 0.05], flip_y=0, class_sep=0.5, random_state=0
    )
    params = dict(hidden_layer_sizes=(8,), max_iter=40, random_state=0, device="cpu")
    plain = _quiet(MLPClassifier(**params).fit, X, y)
    balanced = _quiet(MLPClassifier(class_weight="balanced", **params).fit, X, y)
    recall = lambda m: (m.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain)
    with pytest.raises(ValueError, match="class_weight has labels"):
        MLPClassifier(class_weight={7: 2.0}, **params).fit(X, y)


# -------------------------------------------------------------------- labels
@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog", "emu"]), np.array([3, 10, -7]), np.array([True, False])],
    ids=["str", "noncontiguous-int", "bool"],
)
def test_any_label_type_round_trips(labels):
    y = labels[y_small % len(labels)]
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y)
    pred = clf.predict(X_small)
    assert pred.dtype == y.dtype
    assert set(pred) <= set(labels)
    assert (pred == y).mean() > 0.8
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    proba = clf.predict_proba(X_small[:5])
    assert proba.shape == (5, len(labels))
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)


def test_binary_uses_one_logistic_output():
    y = y_small % 2
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y)
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 1
    assert clf.coefs_[-1].shape == (32, 1)
    proba = clf.predict_proba(X_small)
    assert proba.shape == (len(y), 2)
    np.testing.assert_array_equal(clf.predict(X_small), proba.argmax(1))


def test_multilabel():
    X, Y = X_small, np.stack([y_small % 2, (y_small > 4), y_small % 3 == 0], 1).astype(int)
    clf = _quiet(
        MLPClassifier(hidden_layer_sizes=(64,), max_iter=100, random_state=0, device="cpu").fit,
        X,
        Y,
    )
    assert clf.out_activation_ == "logistic"
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    assert (pred == Y).mean() > 0.9
    assert clf.predict_proba(X).shape == Y.shape


def test_multiclass_softmax_attributes():
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    assert clf.out_activation_ == "softmax"
    assert clf.n_layers_ == 3
    assert [c.shape for c in clf.coefs_] == [(64, 32), (32, 10)]
    assert [b.shape for b in clf.intercepts_] == [(32,), (10,)]
    assert clf.n_features_in_ == 64


# ------------------------------------------------------------------ regressor
def test_regressor_multioutput_and_1d():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=2, noise=0.1, random_state=0)
    Y = Y / Y.std(0)
    reg = _quiet(
        MLPRegressor(
            hidden_layer_sizes=(32,), solver="lbfgs", max_iter=300, random_state=0, device="cpu"
        ).fit,
        X,
        Y,
    )
    assert reg.predict(X).shape == (200, 2)
    assert reg.score(X, Y) > 0.95
    reg1 = _quiet(MLPRegressor(**FAST).fit, X, Y[:, 0])
    assert reg1.predict(X).shape == (200,)
    assert reg1.out_activation_ == "identity"


def test_poisson_regressor():
    """loss='poisson' fits a log-linear count model: on held-out rows its mean
    Poisson deviance recovers at least half of what scikit-learn's
    PoissonRegressor (the true model family here) gains over a constant."""
    rng = np.random.RandomState(0)
    X_all = rng.uniform(-1, 1, size=(800, 3))
    y_all = rng.poisson(np.exp(X_all @ np.array([0.8, -0.5, 0.3])))
    X, y, X_new, y_new = X_all[:400], y_all[:400], X_all[400:], y_all[400:]
    reg = _quiet(
        MLPRegressor(
            loss="poisson",
            hidden_layer_sizes=(8,),
            solver="lbfgs",
            max_iter=200,
            random_state=0,
            device="cpu",
        ).fit,
        X,
        y,
    )
    assert reg.out_activation_ == "exp"
    constant = mean_poisson_deviance(y_new, np.full(len(y_new), y.mean()))
    glm = mean_poisson_deviance(y_new, PoissonRegressor(alpha=0).fit(X, y).predict(X_new))
    ours = mean_poisson_deviance(y_new, reg.predict(X_new))
    assert constant - ours > 0.5 * (constant - glm), (ours, glm, constant)
    sk = _quiet(
        SkMLPRegressor(
            loss="poisson", hidden_layer_sizes=(8,), solver="lbfgs", max_iter=200, random_state=0
        ).fit,
        X,
        y,
    )
    assert abs(reg.loss_ - sk.loss_) < 0.1
    with pytest.raises(ValueError, match="negative"):
        MLPRegressor(loss="poisson").fit(X, -np.abs(y) - 1)


# ------------------------------------------------------------ parity w/ sklearn
def test_digits_parity_with_sklearn():
    """Same hyperparameters, same split: accuracy within 0.03 of scikit-learn's."""
    Xtr, Xte, ytr, yte = train_test_split(X_digits, y_digits, random_state=0)
    params = dict(hidden_layer_sizes=(100,), max_iter=100, random_state=0)
    ours = _quiet(MLPClassifier(device="cpu", **params).fit, Xtr, ytr).score(Xte, yte)
    theirs = _quiet(SkMLPClassifier(**params).fit, Xtr, ytr).score(Xte, yte)
    # two-sided: far better than scikit-learn would be as suspicious as far worse
    assert abs(ours - theirs) <= 0.03, (ours, theirs)


def test_regression_parity_with_sklearn():
    """Diabetes, standardised: R^2 within 0.05 of scikit-learn's (same settings)."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    params = dict(hidden_layer_sizes=(32,), alpha=1.0, max_iter=200, random_state=0)
    ours = _quiet(MLPRegressor(device="cpu", **params).fit, Xtr, ytr).score(Xte, yte)
    theirs = _quiet(SkMLPRegressor(**params).fit, Xtr, ytr).score(Xte, yte)
    assert abs(ours - theirs) <= 0.05, (ours, theirs)


# ------------------------------------------------------------- model selection
def test_pipeline_gridsearch_cross_val():
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**FAST))
    scores = _quiet(cross_val_score, pipe, X_small, y_small, cv=3)
    assert scores.mean() > 0.8
    grid = GridSearchCV(
        pipe, {"mlpclassifier__alpha": [1e-4, 1e-1], "mlpclassifier__dropout": [0.0, 0.2]}, cv=2
    )
    _quiet(grid.fit, X_small, y_small)
    assert grid.best_score_ > 0.8
    assert set(grid.best_params_) == {"mlpclassifier__alpha", "mlpclassifier__dropout"}


def test_feature_names(tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X_small[:, :5], columns=[f"f{i}" for i in range(5)])
    clf = _quiet(MLPClassifier(**FAST).fit, df, y_small % 2)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    renamed = df.rename(columns={"f0": "zz"})
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(renamed)


# ------------------------------------------------------------- randomness
def test_same_seed_same_predictions_and_global_rng_untouched():
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    params = dict(hidden_layer_sizes=(16,), dropout=0.3, max_iter=5, device="cpu")
    a = _quiet(MLPClassifier(random_state=7, **params).fit, X_small, y_small)
    b = _quiet(MLPClassifier(random_state=7, **params).fit, X_small, y_small)
    c = _quiet(MLPClassifier(random_state=8, **params).fit, X_small, y_small)
    _quiet(MLPClassifier(random_state=None, **params).fit, X_small, y_small)
    np.testing.assert_array_equal(a.predict_proba(X_small), b.predict_proba(X_small))
    assert not np.allclose(a.predict_proba(X_small), c.predict_proba(X_small))
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)


def test_dropout_and_batch_norm_predict_deterministically():
    clf = _quiet(
        MLPClassifier(
            hidden_layer_sizes=(32, 32),
            dropout=0.3,
            batch_norm=True,
            max_iter=50,
            learning_rate_init=0.01,
            random_state=0,
            device="cpu",
        ).fit,
        X_small,
        y_small,
    )
    assert not clf.module_.training
    p1 = clf.predict_proba(X_small)
    p2 = clf.predict_proba(X_small[:10])
    np.testing.assert_allclose(p1[:10], p2, rtol=1e-5, atol=1e-6)
    assert clf.score(X_small, y_small) > 0.8
    names = [type(m).__name__ for m in clf.module_.modules()]
    assert "Dropout" in names and "BatchNorm1d" in names


@pytest.mark.parametrize(
    "activation",
    [
        "identity",
        "logistic",
        "tanh",
        "relu",
        "gelu",
        "leaky_relu",
        "elu",
        "selu",
        "silu",
        "softplus",
    ],
)
def test_activations(activation):
    """The fitted network applies the named activation: its probabilities equal a
    float64 NumPy forward pass with the fitted weights and that activation's
    formula (tests/_reference.py), far below the gap between any two activations."""
    clf = _quiet(MLPClassifier(activation=activation, **FAST).fit, X_small, y_small)
    assert clf.score(X_small, y_small) > 0.7
    act = ACTIVATIONS[activation]
    z = X_small @ clf.coefs_[0].astype(np.float64) + clf.intercepts_[0]
    assert (z < -0.5).any() and (z > 0.5).any()  # both sides of every kink are used
    expected = softmax(act(z) @ clf.coefs_[1].astype(np.float64) + clf.intercepts_[1])
    np.testing.assert_allclose(clf.predict_proba(X_small), expected, rtol=0, atol=1e-10)


def _init_reference(scheme, fan_in, fan_out, activation="relu"):
    """The distribution a weight_init scheme names, as a scipy.stats frozen law,
    and whether biases are drawn from it (Glorot, as scikit-learn) or zero (He)."""
    from scipy import stats

    if scheme == "glorot_uniform":
        # scikit-learn's _init_coef: factor 2 for logistic units, 6 otherwise
        factor = 2.0 if activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        return stats.uniform(-bound, 2 * bound), True
    if scheme == "glorot_normal":
        return stats.norm(0, np.sqrt(2.0 / (fan_in + fan_out))), True
    if scheme == "he_uniform":
        bound = np.sqrt(6.0 / fan_in)
        return stats.uniform(-bound, 2 * bound), False
    return stats.norm(0, np.sqrt(2.0 / fan_in)), False  # he_normal


def _initial_coefs(**params):
    """The estimator's initial weights: one epoch at a learning rate of 1e-12
    moves no weight by more than ~1e-12."""
    clf = MLPClassifier(
        hidden_layer_sizes=(256,),
        max_iter=1,
        learning_rate_init=1e-12,
        random_state=0,
        device="cpu",
        **params,
    )
    _quiet(clf.fit, X_small, y_small)
    return clf


WEIGHT_INITS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"]


@pytest.mark.parametrize("weight_init", WEIGHT_INITS)
def test_weight_init(weight_init):
    """Each scheme draws from the law its name gives (Kolmogorov-Smirnov test on the
    64 x 256 hidden matrix), and from none of the other schemes' laws."""
    from scipy import stats

    clf = _initial_coefs(weight_init=weight_init)
    W, b = clf.coefs_[0].ravel(), clf.intercepts_[0]
    fan_in, fan_out = clf.coefs_[0].shape
    for scheme in WEIGHT_INITS:
        law, drawn_bias = _init_reference(scheme, fan_in, fan_out)
        p = stats.kstest(W, law.cdf).pvalue
        if scheme == weight_init:
            assert p > 1e-3, (scheme, p)
            if drawn_bias:
                assert stats.kstest(b, law.cdf).pvalue > 1e-3
            else:
                np.testing.assert_allclose(b, 0.0, atol=1e-9)
        else:
            assert p < 1e-6, (scheme, p)
    # the output layer (256 x 10) follows the same scheme with its own fans
    law, _ = _init_reference(weight_init, *clf.coefs_[1].shape)
    assert stats.kstest(clf.coefs_[1].ravel(), law.cdf).pvalue > 1e-3


def test_default_init_for_logistic_is_sklearns():
    """activation='logistic' with the default init uses scikit-learn's bound
    sqrt(2 / (fan_in + fan_out)) (_init_coef's factor 2), not sqrt(6 / ...)."""
    from scipy import stats

    clf = _initial_coefs(activation="logistic")
    for W in clf.coefs_:
        bound = np.sqrt(2.0 / sum(W.shape))
        assert np.abs(W).max() <= bound * (1 + 1e-6)
        assert np.abs(W).max() > 0.99 * bound
        law, _ = _init_reference("glorot_uniform", *W.shape, activation="logistic")
        assert stats.kstest(W.ravel(), law.cdf).pvalue > 1e-3


def test_glorot_bound_for_logistic_is_scikit_learns():
    # scikit-learn's _init_coef: U(-b, b), b = sqrt(factor / (fan_in + fan_out)),
    # factor 2 for logistic units and 6 otherwise; biases from the same law.
    from sknn.modules import MLPModule

    gen = torch.Generator().manual_seed(0)
    relu = MLPModule(100, [100], 2, activation="relu", generator=gen)
    logi = MLPModule(100, [100], 2, activation="logistic", generator=gen)
    for module, factor in [(relu, 6), (logi, 2)]:
        bound = np.sqrt(factor / 200)
        for tensor in (module.linears[0].weight, module.linears[0].bias):
            t = tensor.detach().numpy()
            assert np.abs(t).max() <= bound
            assert np.abs(t).max() > 0.95 * bound
        # a uniform law on (-b, b) has standard deviation b / sqrt(3)
        w = module.linears[0].weight.detach().numpy()
        np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.03)


# --------------------------------------------------------------- schedules
def test_invscaling_schedule():
    clf = _quiet(
        MLPClassifier(
            **{
                **FAST,
                "solver": "sgd",
                "learning_rate": "invscaling",
                "power_t": 0.5,
                "learning_rate_init": 0.5,
            }
        ).fit,
        X_small,
        y_small,
    )
    lrs = clf.history_[:, "lr"]
    t = np.arange(1, len(lrs) + 1) * len(X_small)
    np.testing.assert_allclose(lrs, 0.5 / (t + 1) ** 0.5, rtol=1e-6)


def test_adaptive_schedule_divides_learning_rate():
    clf = _quiet(
        MLPClassifier(
            **{
                **FAST,
                "solver": "sgd",
                "learning_rate": "adaptive",
                "tol": 10.0,
                "n_iter_no_change": 1,
                "learning_rate_init": 0.1,
            }
        ).fit,
        X_small,
        y_small,
    )
    lrs = clf.history_[:, "lr"]
    assert min(lrs) < 0.1 / 4
    assert clf.n_iter_ < 30  # stops once the rate falls below 1e-6 or max_iter


def test_verbose_output(capsys):
    _quiet(MLPClassifier(verbose=True, early_stopping=True, **FAST).fit, X_small, y_small)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out
    assert "Validation score: " in out


def test_convergence_warning():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(**{**FAST, "max_iter": 2}).fit(X_small, y_small)


# ----------------------------------------------------------------- faults
def test_divergence_keeps_finite_weights():
    X = X_small * 1e3
    clf = MLPRegressor(
        solver="sgd",
        learning_rate_init=10.0,
        momentum=0.9,
        hidden_layer_sizes=(16,),
        max_iter=20,
        random_state=0,
        device="cpu",
    )
    with pytest.warns(TrainingDivergedWarning, match="diverged"):
        clf.fit(X, y_small.astype(float))
    assert all(np.isfinite(c).all() for c in clf.coefs_)
    assert all(np.isfinite(b).all() for b in clf.intercepts_)
    assert np.isfinite(clf.predict(X)).all()
    assert len(clf.loss_curve_) == clf.n_iter_


def test_keyboard_interrupt_keeps_usable_model(monkeypatch):
    clf = MLPClassifier(**{**FAST, "max_iter": 50})
    from sknn import _engine

    calls = {"n": 0}
    original = _engine._Engine.train_step

    def interrupting(self, batch, **kw):
        calls["n"] += 1
        if calls["n"] == 7:  # during the 3rd epoch (2 batches per epoch)
            raise KeyboardInterrupt
        return original(self, batch, **kw)

    monkeypatch.setattr(_engine._Engine, "train_step", interrupting)
    with pytest.warns(UserWarning, match="interrupted by user"):
        clf.fit(X_small, y_small)
    assert clf.n_iter_ == 3
    assert clf.predict(X_small).shape == (len(X_small),)


# ------------------------------------------------------------- persistence
def test_pickle_and_joblib_round_trip(tmp_path):
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    expected = clf.predict_proba(X_small)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X_small), expected)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_small), expected)
    # training continues after loading, with the L2 term still wired to module_
    loaded.partial_fit(X_small, y_small)
    assert loaded.t_ == clf.t_ + len(X_small)
    assert not np.array_equal(loaded.coefs_[0], clf.coefs_[0])
    assert loaded.module_ is loaded._engine.module_


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_model_loads_on_cpu_only_machine(tmp_path):
    import subprocess
    import sys

    clf = _quiet(MLPClassifier(**{**FAST, "device": "cuda"}).fit, X_small, y_small)
    path = tmp_path / "cuda.pkl"
    with open(path, "wb") as f:
        pickle.dump(clf, f)
    np.save(tmp_path / "expected.npy", clf.predict(X_small))
    code = (
        "import pickle, numpy as np, warnings; warnings.simplefilter('ignore');"
        "from sklearn.datasets import load_digits;"
        f"m = pickle.load(open({str(path)!r}, 'rb'));"
        "X = load_digits().data[:300] / 16.0;"
        f"assert (m.predict(X) == np.load({str(tmp_path / 'expected.npy')!r})).mean() > 0.99;"
        "assert str(m.module_.output.weight.device) == 'cpu'"
    )
    env = {**__import__("os").environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# ----------------------------------------------------------------- devices
def test_device_parameter_kept_and_resolved():
    clf = _quiet(MLPClassifier(**{**FAST, "device": "auto", "max_iter": 2}).fit, X_small, y_small)
    assert clf.device == "auto"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert clf._device.type == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on CPU-only machines")
def test_cuda_requested_without_cuda():
    with pytest.raises(ValueError, match="CUDA is not available"):
        MLPClassifier(device="cuda").fit(X_small, y_small)


def test_bad_device_string():
    with pytest.raises(ValueError, match="'device' parameter"):
        MLPClassifier(device="gpu0").fit(X_small, y_small)


# ---------------------------------------------------------- batching paths
def test_batched_prediction_matches(monkeypatch):
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    full = clf.predict_proba(X_small)
    monkeypatch.setattr(MLPClassifier, "_predict_batch_size", 7)
    np.testing.assert_allclose(clf.predict_proba(X_small), full, rtol=1e-5, atol=1e-6)


def test_sparse_input_matches_dense():
    import scipy.sparse as sp

    dense = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    sparse = _quiet(MLPClassifier(**FAST).fit, sp.csr_matrix(X_small), y_small)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X_small)),
        dense.predict_proba(X_small),
        rtol=1e-4,
        atol=1e-5,
    )


def test_history_records_epochs():
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    assert len(clf.history_) == clf.n_iter_
    assert {"loss", "train_loss", "dur", "lr"} <= set(clf.history_[-1])
    np.testing.assert_allclose(clf.history_[:, "loss"], clf.loss_curve_)


# --------------------------------------------------------------- gradients
def test_training_gradient_matches_finite_differences():
    """The gradient a training step applies is that of the documented objective:
    weighted mean loss + 0.5 * alpha * ||W||^2 / sum(batch weights)."""
    from sknn._engine import Target, make_engine
    from sknn.modules import MLPModule, SampleLoss

    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.randn(12, 4))
    y = torch.from_numpy(rng.randint(0, 3, 12))
    w = torch.from_numpy(rng.uniform(0.5, 2.0, 12))
    alpha = 0.3
    module = MLPModule(4, [5], 3, activation="tanh").double()
    loss = SampleLoss("cross_entropy")
    params = {"learning_rate_init": 1.0, "momentum": 0.0, "nesterovs_momentum": False}
    engine = make_engine(module, loss, "sgd", params, torch.device("cpu"), [], alpha)
    theta = [p.detach().clone() for p in module.parameters()]

    def objective():
        with torch.no_grad():
            penalty = sum(p.square().sum() for p in module.parameters() if p.ndim >= 2)
            return float(loss(module(X), y, w) + 0.5 * alpha * penalty / w.sum())

    eps = 1e-6
    numeric = []
    for p in module.parameters():
        g = torch.zeros_like(p)
        flat = p.data.view(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            up = objective()
            flat[i] = old - eps
            down = objective()
            flat[i] = old
            g.view(-1)[i] = (up - down) / (2 * eps)
        numeric.append(g)
    engine.train_step((X, Target(y, w, float(w.sum()))))
    applied = [t - p.detach() for t, p in zip(theta, module.parameters())]  # lr = 1
    for a, n in zip(applied, numeric):
        torch.testing.assert_close(a, n, rtol=1e-5, atol=1e-7)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_partial_fit_after_changing_device_moves_the_model():
    clf = MLPClassifier(**FAST)
    clf.partial_fit(X_small, y_small, classes=np.arange(10))
    before = clf.coefs_[0]
    clf.set_params(device="cuda")
    clf.partial_fit(X_small, y_small)
    assert clf.module_.output.weight.is_cuda
    assert clf.t_ == 2 * len(X_small)
    assert np.abs(clf.coefs_[0] - before).max() < 0.5  # continued, not re-initialised


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a CPU-only machine")
def test_model_saved_on_cuda_loads_on_cpu_only_machine():
    """The state of a CUDA-trained model says device 'cuda'; on a machine without CUDA
    it must load onto the CPU and predict. (The real CUDA round trip is
    test_cuda_model_loads_on_cpu_only_machine, run where a GPU exists.)"""
    clf = _quiet(MLPClassifier(**FAST).fit, X_small, y_small)
    expected = clf.predict(X_small)
    clf._engine.device = "cuda"  # what a CUDA-trained model carries in its state
    with pytest.warns(UserWarning, match="no CUDA devices"):
        loaded = pickle.loads(pickle.dumps(clf))
    assert loaded._device.type == "cpu"
    assert loaded.device == clf.device == "cpu"  # the parameter is kept as given
    np.testing.assert_array_equal(loaded.predict(X_small), expected)


def test_regressor_predictions_subset_invariant_at_float32_tolerance():
    X, y = make_regression(n_samples=120, n_features=6, noise=0.1, random_state=0)
    reg = _quiet(MLPRegressor(**FAST).fit, X, y / y.std())
    full = reg.predict(X)
    for rows in (slice(0, 1), slice(3, 20), slice(50, 120)):
        np.testing.assert_allclose(reg.predict(X[rows]), full[rows], rtol=1e-5, atol=1e-5)


def test_batch_norm_with_a_trailing_single_row():
    X, y = X_digits[:201], y_digits[:201]  # batch 200 would leave a batch of one row
    clf = _quiet(MLPClassifier(batch_norm=True, **FAST).fit, X, y)
    assert clf.score(X, y) > 0.8
    clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="batch_norm=True needs batches of at least 2"):
        MLPClassifier(batch_norm=True, batch_size=1, **FAST).fit(X, y)


# ------------------------------------------- probabilities, splits, partial_fit
def test_predict_proba_rows_sum_to_one_in_float64():
    X, y = load_digits(return_X_y=True)
    clf = _quiet(MLPClassifier(**{**FAST, "max_iter": 5}).fit, X, y)
    for Xp in (X, X.astype(np.float32)):
        proba = clf.predict_proba(Xp)
        assert proba.dtype == np.float64
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_float64_prediction_is_computed_in_float64():
    """Float64 X goes through the network in float64: the probabilities equal a
    float64 NumPy forward pass with the fitted weights far below float32's 1e-7."""
    X, y = load_digits(return_X_y=True)
    clf = _quiet(MLPClassifier(**{**FAST, "hidden_layer_sizes": (16,), "max_iter": 5}).fit, X, y)
    h = np.maximum(X @ clf.coefs_[0].astype(np.float64) + clf.intercepts_[0], 0)
    z = h @ clf.coefs_[1].astype(np.float64) + clf.intercepts_[1]
    z -= z.max(axis=1, keepdims=True)
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=0, atol=1e-12)
    # float32 X keeps float32 arithmetic (it differs at the float32 level)
    assert np.abs(clf.predict_proba(X.astype(np.float32)) - expected).max() > 1e-12


def test_early_stopping_stratifies_binary_targets_as_sklearn():
    """scikit-learn's MLP stratifies the validation split exactly when there is one
    output: with 5 % positives, every binary split holds its share of positives;
    multiclass (one-hot) targets are not stratified."""
    rng = np.random.RandomState(0)
    X = rng.rand(200, 4).astype(np.float32)
    y = (np.arange(200) % 20 == 0).astype(int)  # 10 positives
    clf = MLPClassifier((4,), max_iter=1, early_stopping=True, device="cpu")
    _quiet(clf.fit, X, y)
    y_enc, _ = clf._encode_y(y, first_call=False, incremental=False)
    assert y_enc.shape == (200, 1)
    positives = []
    for seed in range(20):
        _, y_train, _, _ = clf._split_validation(X, y_enc, None, seed)
        positives.append(int(y_train.sum()))
    assert positives == [9] * 20  # 20 validation rows: always 1 of the 10 positives
    y3 = np.arange(200) % 3
    clf3 = _quiet(MLPClassifier((4,), max_iter=1, device="cpu").fit, X, y3)
    assert clf3._stratify_labels(clf3._encode_y(y3, first_call=False, incremental=False)[0]) is None


def test_partial_fit_refuses_other_classes():
    clf = MLPClassifier(**FAST)
    clf.partial_fit(X_small, y_small, classes=np.unique(y_small))
    with pytest.raises(ValueError, match="is not the same as on last call to partial_fit"):
        clf.partial_fit(X_small, y_small, classes=np.arange(20))
    clf.partial_fit(X_small, y_small, classes=np.unique(y_small))  # the same: fine


def test_batches_whose_weights_are_all_zero():
    """A mini-batch of zero-weight rows has zero loss and no L2 term (it used to
    raise ZeroDivisionError in the L2 step and give 0/0 in the loss)."""
    from sknn.modules import SampleLoss

    loss = SampleLoss("cross_entropy")
    raw = torch.randn(4, 3, requires_grad=True)
    value = loss(raw, torch.tensor([0, 1, 2, 0]), torch.zeros(4))
    value.backward()
    assert float(value) == 0.0 and float(raw.grad.abs().sum()) == 0.0
    X, y = X_small[:80], y_small[:80]
    w = np.r_[np.ones(40), np.zeros(40)]
    params = {**FAST, "batch_size": 20, "shuffle": False, "max_iter": 5, "alpha": 0.01}
    clf = _quiet(MLPClassifier(**params).fit, X, y, sample_weight=w)
    assert clf.n_iter_ == 5 and np.isfinite(clf.loss_curve_).all()
    assert all(np.isfinite(c).all() for c in clf.coefs_)


# ----------------------------------------- documented behaviours, public API only
def test_keyboard_interrupt_with_early_stopping_restores_the_best_weights(monkeypatch):
    """Ctrl-C during an early-stopped fit keeps the weights of the best validation
    epoch so far (the user guide's early-stopping promise), not the last ones: they
    equal a fit of the same seed stopped after exactly that many epochs."""
    from sknn import _engine

    params = dict(BEST_EPOCH_PARAMS)
    scores = _quiet(MLPClassifier(**params).fit, X_small, y_small).validation_scores_
    # interrupt after the first epoch count whose best epoch is not its last one
    done = next(k for k in range(2, len(scores)) if np.argmax(scores[:k]) < k - 1)
    best = int(np.argmax(scores[:done]))
    steps_per_epoch = 2  # 270 training rows in batches of 200
    calls, interrupted_at = {"n": 0}, []
    original = _engine._Engine.train_step

    def interrupting(self, batch, **kw):
        calls["n"] += 1
        if calls["n"] == steps_per_epoch * done + 2:  # the 2nd step of the next epoch
            interrupted_at.extend(p.detach().clone().numpy() for p in self.module_.parameters())
            raise KeyboardInterrupt
        return original(self, batch, **kw)

    monkeypatch.setattr(_engine._Engine, "train_step", interrupting)
    clf = MLPClassifier(**params)
    with pytest.warns(UserWarning, match="best weights so far were restored"):
        clf.fit(X_small, y_small)
    monkeypatch.undo()
    assert clf.n_iter_ == done
    np.testing.assert_array_equal(clf.validation_scores_, scores[:done])
    at_best = _quiet(MLPClassifier(**{**params, "max_iter": best + 1}).fit, X_small, y_small)
    for ours, expected in zip(clf.coefs_, at_best.coefs_):
        np.testing.assert_array_equal(ours, expected)
    for ours, expected in zip(clf.intercepts_, at_best.intercepts_):
        np.testing.assert_array_equal(ours, expected)
    # and not the weights training had reached when Ctrl-C came
    assert not np.array_equal(clf.coefs_[0], interrupted_at[0].T)


def test_warm_start_fit_starts_with_a_fresh_adam():
    """The user guide: warm_start=True makes fit start from the current weights
    'with a fresh optimizer'. With full batches, the second fit's first step is
    then a first Adam step from the warm weights: -lr * g / (|g| + eps), with g the
    gradient of the documented objective (mean cross-entropy + alpha/2 ||W||^2 / n),
    whatever the moments the first fit built."""
    import torch.nn.functional as F

    lr, alpha, n = 0.01, 1e-3, len(X_small)
    params = dict(
        hidden_layer_sizes=(16,),
        learning_rate_init=lr,
        alpha=alpha,
        batch_size=n,
        shuffle=False,
        random_state=0,
        device="cpu",
        warm_start=True,
    )
    clf = _quiet(MLPClassifier(max_iter=5, **params).fit, X_small, y_small)
    module = pickle.loads(pickle.dumps(clf.module_)).double()  # the warm weights
    before = [p.detach().clone() for p in module.parameters()]
    logits = module(torch.as_tensor(X_small))
    penalty = sum(p.square().sum() for p in module.parameters() if p.ndim == 2)
    loss = F.cross_entropy(logits, torch.as_tensor(y_small)) + 0.5 * alpha * penalty / n
    grads = torch.autograd.grad(loss, list(module.parameters()))
    clf.set_params(max_iter=1)
    _quiet(clf.fit, X_small, y_small)
    after = [p.detach().double() for p in clf.module_.parameters()]
    for w0, g, w1 in zip(before, grads, after):
        expected = w0 - lr * g / (g.abs() + 1e-8)
        clear = g.abs() > 1e-5  # where float32 round-off cannot flip the step
        torch.testing.assert_close(w1[clear], expected[clear], rtol=0, atol=1e-3 * lr)


def test_random_state_none_reseeds_each_fit_and_an_int_repeats():
    params = dict(hidden_layer_sizes=(16,), dropout=0.2, max_iter=3, device="cpu")
    free = MLPClassifier(random_state=None, **params)
    first = _quiet(free.fit, X_small, y_small).coefs_[0]
    second = _quiet(free.fit, X_small, y_small).coefs_[0]
    other = _quiet(MLPClassifier(random_state=None, **params).fit, X_small, y_small).coefs_[0]
    assert not np.array_equal(first, second) and not np.array_equal(first, other)
    seeded = MLPClassifier(random_state=5, **params)
    a = _quiet(seeded.fit, X_small, y_small).predict_proba(X_small)
    b = _quiet(seeded.fit, X_small, y_small).predict_proba(X_small)
    c = _quiet(MLPClassifier(random_state=5, **params).fit, X_small, y_small)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c.predict_proba(X_small))


@pytest.mark.parametrize("n_classes", [2, 10])
def test_float64_X_gives_float64_probabilities_summing_to_one(n_classes):
    y = y_small % n_classes
    clf = _quiet(MLPClassifier(**{**FAST, "max_iter": 3}).fit, X_small, y)
    proba = clf.predict_proba(X_small.astype(np.float64))
    assert proba.dtype == np.float64 and proba.shape == (len(y), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_binary_early_stopping_validation_sets_always_hold_positives(monkeypatch):
    """5 % positives, validation_fraction=0.1: the split is stratified, so every
    seed's 20 validation rows hold exactly one of the 10 positives (unstratified,
    a 20-row draw misses them all about a third of the time)."""
    import sklearn.model_selection

    seen = []
    original = sklearn.model_selection.train_test_split

    def recording(*arrays, **kwargs):
        parts = original(*arrays, **kwargs)
        seen.append(np.asarray(parts[3]))  # y_val
        return parts

    monkeypatch.setattr(sklearn.model_selection, "train_test_split", recording)
    rng = np.random.RandomState(0)
    X = rng.rand(200, 4)
    y = (np.arange(200) % 20 == 0).astype(int)
    for seed in range(20):
        clf = MLPClassifier(
            (4,), max_iter=1, early_stopping=True, validation_fraction=0.1, random_state=seed
        )
        _quiet(clf.fit, X, y)
    assert len(seen) == 20
    assert [int(v.sum()) for v in seen] == [1] * 20 and all(len(v) == 20 for v in seen)
