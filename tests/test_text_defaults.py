"""The text path's defaults: 'auto' stopping, the RNN's text architecture, the
token cap, the padded (unpacked) recurrent batch, and TextSequencer's n-grams."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sknn import ConvNetClassifier, ConvNetRegressor, RNNClassifier, RNNRegressor, TextSequencer
from sknn.modules import RNNModule
from sknn.utils._tokens import AUTO_STOPPING, TEXT_MAX_TOKENS

SMALL = {
    ConvNetClassifier: dict(channels=8, device="cpu", random_state=0),
    RNNClassifier: dict(device="cpu", random_state=0),
}


def _keyword_tokens(n=80, length=12, seed=0):
    """Token ids whose class is whether token 3 occurs: learnt within a few epochs."""
    rng = np.random.RandomState(seed)
    X = rng.randint(4, 40, size=(n, length))
    y = rng.randint(0, 2, n)
    X[y == 1, rng.randint(0, length, int(y.sum()))] = 3
    X[:, -2:][rng.rand(n) < 0.5] = 0  # some padding
    return X, y


@pytest.mark.parametrize("Estimator", [ConvNetClassifier, RNNClassifier])
def test_default_text_fit_stops_by_itself(Estimator):
    X, y = _keyword_tokens()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # max_iter is never reached
        clf = Estimator(**SMALL[Estimator]).fit(X, y)
    assert clf.embeds_tokens_
    stopping = clf._stopping()
    assert stopping["tol"] == AUTO_STOPPING["tol"][True] == 0.01
    assert stopping["n_iter_no_change"] == AUTO_STOPPING["n_iter_no_change"][True] == 2
    assert clf.n_iter_ < 60 < clf.max_iter
    # it stopped on the rule: the last 3 epochs improved the loss by less than tol
    curve = np.asarray(clf.loss_curve_)
    assert np.all(curve[-3:] > np.minimum.accumulate(curve)[-4:-1] - 0.01)
    assert clf.score(X, y) > 0.9


@pytest.mark.parametrize("Estimator", [ConvNetClassifier, RNNClassifier])
def test_explicit_stopping_values_win_on_text(Estimator):
    X, y = _keyword_tokens()
    clf = Estimator(tol=0.0, n_iter_no_change=50, max_iter=25, **SMALL[Estimator])
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf.fit(X, y)
    assert clf.n_iter_ == 25
    assert clf._stopping()["tol"] == 0.0
    assert clf._stopping()["n_iter_no_change"] == 50


@pytest.mark.parametrize("Estimator", [ConvNetClassifier, RNNClassifier])
def test_auto_stopping_on_numeric_input_is_scikit_learns(Estimator):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 8, 2))
    y = (X[:, 0, 0] > 0).astype(int)
    kwargs = dict(conv_dim=1) if Estimator is ConvNetClassifier else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = Estimator(max_iter=2, **kwargs, **SMALL[Estimator]).fit(X, y)
    assert not clf.embeds_tokens_
    assert clf._stopping()["tol"] == 1e-4
    assert clf._stopping()["n_iter_no_change"] == 10


@pytest.mark.parametrize("Estimator", [ConvNetRegressor, RNNRegressor])
def test_text_regressors_keep_scikit_learns_stopping(Estimator):
    # a regressor's loss is in the units of y squared: targets of 0.01 would make
    # every improvement smaller than the text tolerance of 0.01
    X, _ = _keyword_tokens(n=30)
    y = np.random.RandomState(0).rand(30) * 0.01
    kwargs = dict(channels=8) if Estimator is ConvNetRegressor else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = Estimator(max_iter=2, device="cpu", random_state=0, **kwargs).fit(X, y)
    assert reg.embeds_tokens_
    assert reg._stopping()["tol"] == 1e-4
    assert reg._stopping()["n_iter_no_change"] == 10


def test_lbfgs_on_text_keeps_scikit_learns_tolerance():
    X, y = _keyword_tokens(n=30)
    clf = RNNClassifier(solver="lbfgs", max_iter=3, **SMALL[RNNClassifier])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf._stopping()["tol"] == 1e-4


@pytest.mark.parametrize("Estimator", [ConvNetClassifier, RNNClassifier])
@pytest.mark.parametrize("params", [dict(tol="fast"), dict(n_iter_no_change="never")])
def test_auto_is_the_only_string(Estimator, params):
    X, y = _keyword_tokens(n=20)
    with pytest.raises(InvalidParameterError):
        Estimator(**params).fit(X, y)


def test_rnn_text_architecture_defaults():
    X, y = _keyword_tokens()
    clf = RNNClassifier(max_iter=1, **SMALL[RNNClassifier])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.module_.pooling == "max"
    assert clf.module_.max_len == TEXT_MAX_TOKENS
    assert clf._optimizer_params()["learning_rate_init"] == 0.005
    assert clf._batch_size(1000) == 50
    # numeric sequences keep the former defaults
    rng = np.random.RandomState(0)
    num = RNNClassifier(max_iter=1, **SMALL[RNNClassifier])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        num.fit(rng.normal(size=(20, 6, 2)), np.arange(20) % 2)
    assert num.module_.pooling == "last"
    assert num.module_.max_len is None
    assert num._optimizer_params()["learning_rate_init"] == 0.001
    assert num._batch_size(1000) == 200


def test_rnn_reads_the_first_max_tokens():
    rng = np.random.RandomState(0)
    X = rng.randint(2, 50, size=(12, TEXT_MAX_TOKENS + 40))
    y = np.arange(12) % 2
    reg = RNNRegressor(pooling="last", max_iter=1, hidden_size=4, device="cpu", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    changed = X.copy()
    changed[:, TEXT_MAX_TOKENS:] = rng.randint(2, 50, size=(12, 40))
    np.testing.assert_allclose(reg.predict(changed), reg.predict(X))
    changed[:, TEXT_MAX_TOKENS - 1] = 1 + X[:, TEXT_MAX_TOKENS - 1] % 48
    assert not np.allclose(reg.predict(changed), reg.predict(X))


def test_rnn_pickled_before_the_cap_reads_every_token():
    X, y = _keyword_tokens(n=20)
    clf = RNNClassifier(max_iter=1, **SMALL[RNNClassifier])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    del clf._max_tokens  # as in a model fitted by an earlier sknn
    assert clf._rebuild_module(clf._module_args).max_len is None


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("pooling", ["last", "avg", "max"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_padded_batch_equals_each_sequence_alone(cell, pooling, num_layers):
    """One direction runs the padded batch unpacked: each sequence's summary is the
    one it gets alone, without padding."""
    gen = torch.Generator().manual_seed(0)
    module = RNNModule(
        None,
        2,
        cell=cell,
        hidden_size=5,
        num_layers=num_layers,
        pooling=pooling,
        vocab_size=30,
        embedding_dim=4,
        generator=gen,
    ).eval()
    lengths = [7, 3, 1, 5]
    x = torch.zeros((4, 9), dtype=torch.int64)
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randint(1, 30, (n,), generator=gen)
    with torch.no_grad():
        batch = module.encode(x)
        alone = torch.cat([module.encode(x[i : i + 1, :n]) for i, n in enumerate(lengths)])
    torch.testing.assert_close(batch, alone, rtol=1e-5, atol=1e-6)


def test_text_sequencer_ngram_range():
    seq = TextSequencer(ngram_range=(1, 2)).fit(["the cat sat", "the dog sat"])
    assert "cat sat" in seq.vocabulary_
    ids = seq.transform(["the cat sat"])[0]
    words = seq.get_vocabulary()[ids[ids > 0]]
    assert list(words) == ["the", "cat", "sat", "the cat", "cat sat"]
    assert "cat sat" not in TextSequencer().fit(["the cat sat"]).vocabulary_


@pytest.mark.parametrize("bad", [(2, 1), (0, 1), (1,), (1, 2.5)])
def test_text_sequencer_bad_ngram_range(bad):
    with pytest.raises(ValueError, match="ngram_range"):
        TextSequencer(ngram_range=bad).fit(["the cat sat"])


def test_fasttext_style_pipeline():
    """Averaged word and word-pair embeddings (ConvNetClassifier with kernel_size=1,
    global_pooling='avg', activation='identity') on n-gram token ids."""
    rng = np.random.RandomState(0)
    words = np.array(["good", "bad", "film", "plot", "actor", "the", "was", "very"])
    y = rng.randint(0, 2, 80)
    docs = [" ".join(rng.choice(words[2:], 6)) + (" very good" if c else " very bad") for c in y]
    pipe = make_pipeline(
        TextSequencer(ngram_range=(1, 2)),
        ConvNetClassifier(
            kernel_size=1,
            channels=8,
            global_pooling="avg",
            activation="identity",
            device="cpu",
            random_state=0,
        ),
    )
    pipe.fit(docs, y)
    module = pipe[-1].module_
    assert module.pooling == "avg" and module.kernel_sizes == (1,)
    assert pipe.score(docs, y) > 0.9
