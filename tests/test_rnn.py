"""Behaviour tests for RNNClassifier, RNNRegressor and RNNModule."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from _reference import ACTIVATIONS, as_float64
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_poisson_deviance
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    check_dtype_object,
    check_estimators_dtypes,
    check_fit2d_1sample,
)

from sknn import MLPClassifier, RNNClassifier, RNNRegressor
from sknn.modules import RNNModule

FAST = dict(hidden_size=8, max_iter=5, learning_rate_init=0.01, random_state=0, device="cpu")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def make_first_element(n, length=30, seed=0):
    """Noise sequences whose class is set by the first element only: solving it
    needs memory over the whole sequence."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = rng.normal(size=(n, length))
    X[:, 0] = np.where(y == 1, 1.0, -1.0) + 0.2 * rng.normal(size=n)
    return X, y


def make_ragged(n, n_features=2, seed=0, low=3, high=12):
    """Sequences of different lengths; the class is the sign of the first step."""
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(rng.randint(low, high), n_features)) for _ in range(n)]
    y = np.array([int(s[0, 0] > 0) for s in X])
    return X, y


# ------------------------------------------------------------- input layouts
def test_univariate_layouts_are_equivalent():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 7))
    y = (X[:, 0] > 0).astype(int)
    layouts = [X, X[:, :, None], list(X), X.reshape(60, 7)]
    params = [{}, {}, {}, {"input_shape": (-1, 1)}]
    probas = []
    for Xl, extra in zip(layouts, params):
        clf = _quiet(RNNClassifier(**FAST, **extra).fit, Xl, y)
        probas.append(clf.predict_proba(Xl))
    for p in probas[1:]:
        np.testing.assert_allclose(p, probas[0], atol=1e-6)


def test_multivariate_rows_with_input_shape():
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(50, 6, 3))
    y = (X3[:, 0, 1] > 0).astype(int)
    a = _quiet(RNNClassifier(**FAST).fit, X3, y)
    b = _quiet(RNNClassifier(input_shape=(6, 3), **FAST).fit, X3.reshape(50, -1), y)
    assert a.input_shape_ == b.input_shape_ == (6, 3)
    assert a.n_features_in_ == 3 and b.n_features_in_ == 18
    np.testing.assert_allclose(a.predict_proba(X3), b.predict_proba(X3.reshape(50, -1)), atol=1e-6)
    # sequences of another length: as 3-D arrays (any length), not as 2-D rows
    assert a.predict(X3[:, :4]).shape == (50,)
    with pytest.raises(ValueError, match="features"):
        b.predict(X3.reshape(50, -1)[:, :12])
    with pytest.raises(ValueError, match="features per time step"):
        a.predict(X3[:, :, :2])


def test_pipeline_with_scaler_and_grid_search():
    X, y = make_first_element(120, length=8)
    pipe = make_pipeline(StandardScaler(), RNNClassifier(input_shape=(8, 1), **FAST))
    search = _quiet(GridSearchCV(pipe, {"rnnclassifier__cell": ["lstm", "gru"]}, cv=2).fit, X, y)
    assert search.best_params_["rnnclassifier__cell"] in ("lstm", "gru")
    assert search.predict(X[:3]).shape == (3,)


# ---------------------------------------------------------------- memory task
def test_lstm_remembers_what_an_mlp_on_the_last_step_cannot():
    X, y = make_first_element(500, seed=0)
    Xt, yt = make_first_element(300, seed=1)
    lstm = _quiet(
        # The loss sits on a plateau for several epochs before the LSTM finds the
        # first element; with the default n_iter_no_change=10, training stopped
        # there (epoch 14, accuracy 0.54) on one thread on an AVX2-only AMD EPYC,
        # and at 2 threads lr 0.02 swung between 0.77 and 1.00 by epoch count.
        # No stopping on the plateau, clipped gradients and lr 0.01: 0.97-1.00
        # for seeds 0-2 on 1 and 2 threads there.
        RNNClassifier(
            hidden_size=16,
            max_iter=40,
            n_iter_no_change=40,
            learning_rate_init=0.01,
            clip_grad_norm=1.0,
            batch_size=32,
            random_state=0,
            device="cpu",
        ).fit,
        X,
        y,
    )
    mlp = _quiet(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0, device="cpu").fit,
        X[:, -1:],
        y,
    )
    assert lstm.n_iter_ == 40  # trained through the plateau
    assert lstm.score(Xt, yt) > 0.9
    assert mlp.score(Xt[:, -1:], yt) < 0.6


# ------------------------------------------------------- variable-length input
@pytest.mark.parametrize("pooling", ["last", "avg", "max"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_changes_a_prediction(pooling, bidirectional):
    X, y = make_ragged(40)
    clf = _quiet(
        RNNClassifier(pooling=pooling, bidirectional=bidirectional, num_layers=2, **FAST).fit, X, y
    )
    together = clf.predict_proba(X)  # padded to the longest sequence
    alone = np.vstack([clf.predict_proba([s]) for s in X[:8]])  # no padding at all
    np.testing.assert_allclose(together[:8], alone, atol=1e-6)
    # a sequence next to a much longer one
    long = np.zeros((50, 2))
    np.testing.assert_allclose(clf.predict_proba([X[0], long])[0], together[0], atol=1e-6)


def test_variable_length_round_trip(tmp_path):
    X, y = make_ragged(60, n_features=3)
    clf = _quiet(RNNClassifier(**FAST).fit, X, y)
    assert clf.input_shape_ == (None, 3)
    assert clf.n_features_in_ == 3
    obj = np.empty(len(X), dtype=object)
    obj[:] = X
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(obj))
    # univariate sequences of different lengths, as 1-D arrays
    uni = [s[:, 0] for s in X]
    reg = _quiet(RNNRegressor(**FAST).fit, uni, y.astype(float))
    assert reg.input_shape_ == (None, 1)
    # 2-D rows of any width are univariate series for a model fitted on them
    assert reg.predict(np.ones((2, 13))).shape == (2,)
    joblib.dump(clf, tmp_path / "rnn.joblib")
    again = joblib.load(tmp_path / "rnn.joblib")
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    with pytest.raises(ValueError, match="same number of features"):
        clf.predict([np.ones((3, 3)), np.ones((4, 2))])
    with pytest.raises(ValueError, match="features per time step"):
        clf.predict([np.ones((3, 2))])


def test_variable_length_with_early_stopping_and_partial_fit():
    X, y = make_ragged(80)
    clf = _quiet(RNNClassifier(early_stopping=True, validation_fraction=0.25, **FAST).fit, X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    inc = RNNClassifier(**FAST)
    inc.partial_fit(X[:40], y[:40], classes=[0, 1])
    inc.partial_fit(X[40:], y[40:])
    assert inc.n_iter_ == 1 and inc.predict(X).shape == (80,)


# --------------------------------------------------------------- token ids
def _token_data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(2, 30, size=(n, 10))
    lengths = rng.randint(3, 11, n)
    for i, k in enumerate(lengths):
        X[i, k:] = 0  # padding
    y = (X[:, 0] < 16).astype(int)
    return X, y


def test_token_ids_through_an_embedding():
    X, y = _token_data()
    clf = _quiet(RNNClassifier(embedding_dim=8, **{**FAST, "max_iter": 40}).fit, X, y)
    assert clf.vocab_size_ == X.max() + 1
    assert clf.input_shape_ == (10,)
    assert isinstance(clf.module_.embedding, torch.nn.Embedding)
    assert clf.score(X, y) > 0.9
    # padding anywhere is ignored: at the start instead of the end, or extra columns
    pre = np.zeros_like(X)
    for i, row in enumerate(X):
        tokens = row[row > 0]
        pre[i, len(row) - len(tokens) :] = tokens
    np.testing.assert_allclose(clf.predict_proba(pre), clf.predict_proba(X), atol=1e-6)
    # float ids with whole values are accepted
    np.testing.assert_array_equal(clf.predict(X.astype(float)), clf.predict(X))
    with pytest.raises(ValueError, match="vocab_size"):
        clf.predict(np.full((1, 10), 99))
    with pytest.raises(ValueError, match="non-integer"):
        clf.predict(X + 0.5)
    with pytest.raises(ValueError, match=">= 0"):
        clf.predict(-X)
    # vocabulary size given: ids up to it are accepted at prediction
    big = _quiet(RNNClassifier(embedding_dim=4, vocab_size=100, **FAST).fit, X, y)
    assert big.module_.embedding.num_embeddings == 100
    assert big.predict(np.full((1, 10), 99)).shape == (1,)


def test_token_id_lists_of_any_length():
    X, y = _token_data(60)
    seqs = [row[row > 0] for row in X]
    seqs[0] = np.array([], dtype=int)  # an empty document reads one padding step
    clf = _quiet(RNNClassifier(embedding_dim=4, **FAST).fit, seqs, y)
    assert clf.input_shape_ == (None,)
    rows = clf.predict_proba(np.array([np.r_[s, np.zeros(12 - len(s), int)] for s in seqs]))
    np.testing.assert_allclose(clf.predict_proba(seqs), rows, atol=1e-6)


def test_regressor_on_token_ids_and_poisson():
    X, _ = _token_data(80)
    y = (X > 0).sum(1).astype(float)  # sequence length
    reg = _quiet(
        RNNRegressor(embedding_dim=4, loss="poisson", **{**FAST, "max_iter": 30}).fit, X, y
    )
    assert reg.out_activation_ == "exp"
    # the counts are learnt: deviance well below a constant model's (measured: 0.17
    # vs 0.74), predictions follow the lengths
    pred = reg.predict(X)
    constant = mean_poisson_deviance(y, np.full(len(y), y.mean()))
    assert mean_poisson_deviance(y, pred) < 0.5 * constant
    assert np.corrcoef(pred, y)[0, 1] > 0.8


@pytest.mark.parametrize(
    "make_X",
    [
        lambda X: X,  # int64 rows, as TextSequencer's output
        lambda X: X.astype(np.uint8),
        lambda X: X.tolist(),  # a list of integer sequences
        lambda X: [row[row > 0] for row in X],  # of different lengths
        lambda X: [[], *(row[row > 0].tolist() for row in X[1:])],  # [] reads as float
        lambda X: sp.csr_matrix(X),
    ],
)
def test_auto_embeds_integer_X(make_X):
    X, y = _token_data(60)
    clf = _quiet(RNNClassifier(**FAST).fit, make_X(X), y)
    assert clf.embedding_dim == "auto"  # the parameter stays as given
    assert clf.embeds_tokens_ is True
    assert clf.vocab_size_ == X.max() + 1
    assert isinstance(clf.module_.embedding, torch.nn.Embedding)
    assert clf.module_.embedding.embedding_dim == 64
    # prediction reads X as token ids too, whatever its dtype
    np.testing.assert_array_equal(clf.predict(X.astype(float)), clf.predict(X))
    with pytest.raises(ValueError, match="non-integer"):
        clf.predict(X + 0.5)
    reg = _quiet(RNNRegressor(**FAST).fit, make_X(X), y.astype(float))
    assert reg.embeds_tokens_ is True


@pytest.mark.parametrize(
    "params, make_X",
    [
        (dict(), lambda X: X.astype(float)),  # floats are numbers, even whole ones
        (dict(), lambda X: X - 5),  # a negative value: not token ids
        (dict(), lambda X: np.stack([X, X], axis=2)),  # 3-D: numeric steps
        (dict(), lambda X: X > 10),  # booleans
        (dict(input_shape=(-1, 2)), lambda X: X),  # rows reshaped into numeric steps
        (dict(embedding_dim=None), lambda X: X),  # never embed
    ],
)
def test_numeric_X_keeps_the_numeric_path(params, make_X):
    X, y = _token_data(60)
    X = make_X(X)
    clf = _quiet(RNNClassifier(**params, **FAST).fit, X, y)
    assert clf.embeds_tokens_ is False
    assert not hasattr(clf, "vocab_size_")
    assert not isinstance(getattr(clf.module_, "embedding", None), torch.nn.Embedding)
    # the same network, weights and predictions as with embedding_dim=None
    numeric = _quiet(RNNClassifier(**{**params, "embedding_dim": None}, **FAST).fit, X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), numeric.predict_proba(X))
    # integers at prediction stay numbers
    if np.asarray(X).dtype.kind == "f":
        np.testing.assert_array_equal(
            clf.predict_proba(np.round(X).astype(int)), clf.predict_proba(np.round(X))
        )


@pytest.mark.parametrize(
    "check", [check_estimators_dtypes, check_dtype_object, check_fit2d_1sample]
)
@pytest.mark.parametrize("cls", [RNNClassifier, RNNRegressor])
def test_common_checks_with_integer_X_take_the_token_path(cls, check):
    # Without input_shape, the int32/int64 X (values 0 .. 2) of
    # check_estimators_dtypes is read as token ids: that path must pass too.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(cls.__name__, cls(**FAST))


def test_token_decision_is_retaken_by_a_new_fit():
    X, y = _token_data(60)
    clf = _quiet(RNNClassifier(**FAST).fit, X, y)
    assert clf.embeds_tokens_ and clf.vocab_size_ == X.max() + 1
    _quiet(clf.fit, X.astype(float) / 30, y)
    assert clf.embeds_tokens_ is False and not hasattr(clf, "vocab_size_")
    assert clf.predict(X).shape == (60,)  # integer X, now read as numbers
    _quiet(clf.set_params(embedding_dim=4).fit, X, y)
    assert clf.embeds_tokens_ and clf.module_.embedding.embedding_dim == 4


# ------------------------------------------------------------- architectures
@pytest.mark.parametrize(
    "cell, cls", [("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU), ("rnn", torch.nn.RNN)]
)
def test_cells_and_module_shapes(cell, cls):
    X, y = make_ragged(30, n_features=3)
    clf = _quiet(
        RNNClassifier(
            cell=cell,
            hidden_size=5,
            num_layers=2,
            bidirectional=True,
            hidden_layer_sizes=(7,),
            dropout=0.2,
            **{k: v for k, v in FAST.items() if k != "hidden_size"},
        ).fit,
        X,
        y,
    )
    rnn = clf.module_.rnn
    assert isinstance(rnn, cls)
    assert (rnn.input_size, rnn.hidden_size, rnn.num_layers) == (3, 5, 2)
    assert rnn.bidirectional and rnn.dropout == 0.2
    assert clf.module_.head.linears[0].in_features == 10
    assert clf.module_.head.linears[-1].out_features == 1
    # dropout is off at prediction: predictions are repeatable
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    if cell == "lstm":  # Keras' unit forget-gate bias
        np.testing.assert_array_equal(rnn.bias_ih_l0.detach()[5:10].numpy() != 0, True)


def test_module_takes_explicit_lengths():
    gen = torch.Generator().manual_seed(0)
    module = RNNModule(2, 3, hidden_size=4, pooling="avg", generator=gen).eval()
    x = torch.randn(4, 6, 2)
    lengths = torch.tensor([6, 3, 1, 4])
    padded = x.clone()
    for i, k in enumerate(lengths):
        padded[i, k:] = float("nan")
    with torch.no_grad():
        out = module(x, lengths)
        np.testing.assert_allclose(module(padded), out, atol=1e-6)
        np.testing.assert_allclose(module(x[1:2, :3]), out[1:2], atol=1e-6)


def test_gradient_clipping_bounds_each_step():
    X, y = make_first_element(64, length=5)
    kw = dict(
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1.0,
        alpha=0.0,
        max_iter=1,
        batch_size=64,
        shuffle=False,
        hidden_size=8,
        random_state=0,
        device="cpu",
    )
    before = _quiet(RNNClassifier(**{**kw, "learning_rate_init": 1e-12}).fit, X, y)
    w0 = torch.cat([p.detach().ravel() for p in before.module_.parameters()])
    clipped = _quiet(RNNClassifier(clip_grad_norm=1e-3, **kw).fit, X, y)
    w1 = torch.cat([p.detach().ravel() for p in clipped.module_.parameters()])
    assert float((w1 - w0).norm()) <= 1e-3 * (1 + 1e-4)
    free = _quiet(RNNClassifier(clip_grad_norm=None, **kw).fit, X, y)
    w2 = torch.cat([p.detach().ravel() for p in free.module_.parameters()])
    assert float((w2 - w0).norm()) > 1e-2


# ---------------------------------------------------------- training options
def test_lbfgs_sample_weight_class_weight_and_string_labels():
    X, y = make_ragged(60)
    labels = np.array(["neg", "pos"])[y]
    clf = _quiet(
        RNNClassifier(solver="lbfgs", class_weight="balanced", **FAST).fit,
        X,
        labels,
        sample_weight=np.linspace(0.5, 1.5, 60),
    )
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert list(clf.classes_) == ["neg", "pos"]
    multilabel = np.c_[y, 1 - y]
    ml = _quiet(RNNClassifier(**FAST).fit, X, multilabel)
    assert ml.predict(X).shape == (60, 2)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activation_of_the_dense_head(activation):
    """``activation`` follows the head's hidden layers: predict_proba of float64 X
    (computed in float64) equals the recurrent summary (module_.encode, float64)
    sent through a NumPy head with that activation's formula."""
    X, y = make_first_element(60, length=6)
    clf = _quiet(RNNClassifier(activation=activation, hidden_layer_sizes=(12,), **FAST).fit, X, y)
    module = pickle.loads(pickle.dumps(clf.module_)).double()
    with torch.no_grad():
        summary = module.encode(torch.as_tensor(X)[:, :, None]).numpy()
    head = clf.module_.head
    z = summary @ as_float64(head.linears[0].weight).T + as_float64(head.linears[0].bias)
    assert np.abs(z).max() > 0.25  # where the activations differ by > 1e-5
    logit = ACTIVATIONS[activation](z) @ as_float64(head.output.weight).T
    p1 = 1.0 / (1.0 + np.exp(-(logit[:, 0] + as_float64(head.output.bias)[0])))  # one output
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], p1, rtol=0, atol=1e-10)


@pytest.mark.parametrize("layout", ["3d", "rows", "ragged"])
def test_float64_sequences_are_predicted_in_float64(layout):
    """As the other estimators (sknn/_base.py's _forward), float64 X is computed in
    float64 on the CPU: the probabilities equal a float64 copy of the module's far
    below float32's 1e-7, whatever the layout X comes in."""
    X, y = make_first_element(40, length=6)
    extra = {"input_shape": (-1, 1)} if layout == "rows" else {}
    clf = _quiet(RNNClassifier(**FAST, **extra).fit, X, y)
    module = pickle.loads(pickle.dumps(clf.module_)).double()
    with torch.no_grad():
        expected = torch.sigmoid(module(torch.as_tensor(X)[:, :, None]))[:, 0].numpy()
    Xl = {"3d": X[:, :, None], "rows": X, "ragged": list(X[:, :, None])}[layout]
    proba = clf.predict_proba(Xl)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba[:, 1], expected, rtol=0, atol=1e-12)


def test_zero_sample_weight_equals_dropping_the_rows():
    """Full-batch Adam without shuffling: rows of weight 0 change nothing, so the
    fit equals the fit on the other rows (float32 round-off over 20 steps)."""
    X, y = make_first_element(60, length=6)
    w = np.r_[np.ones(40), np.zeros(20)]
    params = {**FAST, "max_iter": 20, "shuffle": False}
    weighted = _quiet(RNNClassifier(batch_size=60, **params).fit, X, y, sample_weight=w)
    dropped = _quiet(RNNClassifier(batch_size=40, **params).fit, X[:40], y[:40])
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), atol=1e-5)
    plain = _quiet(RNNClassifier(batch_size=60, **params).fit, X, y)
    assert np.abs(plain.predict_proba(X) - dropped.predict_proba(X)).max() > 1e-3


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_weights_move_the_fit_towards_the_upweighted_class(solver):
    """On overlapping classes, upweighting class 1 (sample_weight or class_weight)
    raises its predicted share; class_weight={1: 10} is sample_weight 10 on those
    rows."""
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 200)
    X = rng.normal(size=(200, 5))
    X[:, 0] = np.where(y == 1, 0.5, -0.5) + rng.normal(size=200)  # much overlap
    params = {**FAST, "solver": solver, "max_iter": 30}
    plain = _quiet(RNNClassifier(**params).fit, X, y)
    sw = _quiet(RNNClassifier(**params).fit, X, y, sample_weight=np.where(y == 1, 10.0, 1.0))
    cw = _quiet(RNNClassifier(class_weight={0: 1.0, 1: 10.0}, **params).fit, X, y)
    down = _quiet(RNNClassifier(class_weight={0: 10.0, 1: 1.0}, **params).fit, X, y)
    share = {
        name: (m.predict(X) == 1).mean()
        for name, m in [("plain", plain), ("sw", sw), ("cw", cw), ("down", down)]
    }
    assert share["sw"] > share["plain"] + 0.1 and share["cw"] > share["plain"] + 0.1, share
    assert share["down"] < share["plain"] - 0.1, share
    np.testing.assert_allclose(cw.predict_proba(X), sw.predict_proba(X), atol=1e-6)


def test_warm_start_continues_training():
    X, y = make_first_element(80, length=6)
    clf = _quiet(RNNClassifier(warm_start=True, **FAST).fit, X, y)
    first = clf.loss_curve_[-1]
    _quiet(clf.fit, X, y)
    assert clf.loss_curve_[-1] < first


def test_same_seed_same_predictions_and_global_rng_untouched():
    X, y = make_ragged(40)
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = _quiet(RNNClassifier(dropout=0.3, **FAST).fit, X, y).predict_proba(X)
    b = _quiet(RNNClassifier(dropout=0.3, **FAST).fit, X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)


def test_pickle_round_trip():
    X, y = make_ragged(30)
    clf = _quiet(RNNClassifier(**FAST).fit, X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()


def test_forecasting_windows_beat_the_mean():
    t = np.arange(400)
    series = np.sin(t / 6.0) + 0.05 * np.random.RandomState(0).normal(size=400)
    window = 12
    X = np.stack([series[i : i + window] for i in range(len(series) - window)])
    y = series[window:]
    reg = _quiet(
        RNNRegressor(
            cell="gru",
            hidden_size=16,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            device="cpu",
        ).fit,
        X[:300],
        y[:300],
    )
    assert reg.score(X[300:], y[300:]) > 0.8


@pytest.mark.parametrize(
    "params, X, match",
    [
        (dict(input_shape=(3, 3, 3)), np.ones((4, 9)), "input_shape must be"),
        (dict(input_shape=(4, 2)), np.ones((4, 9)), "has 8 values per sample"),
        (dict(input_shape=(-1, 2)), np.ones((4, 9)), "Cannot reshape"),
        (dict(embedding_dim=None, vocab_size=10), np.ones((4, 5)), "needs embedding_dim"),
        (dict(vocab_size=10), np.ones((4, 5)), "does not hold token ids"),
        (dict(), np.full((4, 5), 2**20), "pass embedding_dim=None"),
        (dict(embedding_dim=4, input_shape=(5, 1)), np.ones((4, 5)), "already one sequence"),
        (dict(embedding_dim=4), np.ones((4, 5, 2)), "token ids of shape"),
        (dict(embedding_dim=4, vocab_size=3), np.full((4, 5), 3), "vocab_size=3"),
        (dict(), np.ones((4, 2, 2, 2)), "timesteps, n_features"),
        (dict(), [np.ones((3, 2)), np.ones((4, 1))], "same number of features"),
        (dict(input_shape=(-1, 3)), np.ones((4, 5, 2)), "does not match input_shape"),
    ],
)
def test_clear_errors(params, X, match):
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**params, **FAST).fit(X, [0, 1, 0, 1][: len(X)])
