"""What makes small fits cheap (issue 14): one intra-op thread for small dense
networks, history rows written directly, no per-epoch work a one-batch epoch does
not need. Behaviour only; speed itself is measured in benchmarks/."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

import sknn._engine as engine_module
from sknn import ConvNetClassifier, MLPClassifier, MLPRegressor
from sknn._engine import SERIAL_WORK, TensorBatches, runs_serially, serial_threads

CPU = torch.device("cpu")


@pytest.fixture
def two_threads():
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(old)


def _data(n=60, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, d).astype(np.float32)
    return X, (X[:, 0] > 0.5).astype(int)


def _quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_runs_serially_rule():
    dense = torch.nn.Sequential(torch.nn.Linear(10, 20), torch.nn.ReLU(), torch.nn.Linear(20, 3))
    n_params = sum(p.numel() for p in dense.parameters())
    limit = SERIAL_WORK // n_params
    assert runs_serially(dense, 200, CPU)
    assert runs_serially(dense, limit, CPU) == (limit * n_params < SERIAL_WORK)
    assert not runs_serially(dense, limit + 1, CPU)
    assert not runs_serially(dense, 1, CPU)  # one row is not split anyway
    assert not runs_serially(dense, 200, torch.device("cuda"))
    conv = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten())
    assert not runs_serially(conv, 10, CPU)
    rnn = torch.nn.Sequential(torch.nn.GRU(3, 4))
    assert not runs_serially(rnn, 10, CPU)


def test_serial_threads_restores_the_count(two_threads):
    with serial_threads(True):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with serial_threads(False):
        assert torch.get_num_threads() == 2
    with pytest.raises(RuntimeError), serial_threads(True):
        raise RuntimeError("restored on errors too")
    assert torch.get_num_threads() == 2


def _threads_seen(monkeypatch):
    """Record torch's thread count at each training step."""
    seen = []
    cls = engine_module._Engine
    original = cls.train_step

    def train_step(self, batch, **fit_params):
        seen.append(torch.get_num_threads())
        return original(self, batch, **fit_params)

    monkeypatch.setattr(cls, "train_step", train_step)
    return seen


def test_small_fit_and_predict_run_on_one_thread(two_threads, monkeypatch):
    seen = _threads_seen(monkeypatch)
    X, y = _data()
    clf = _quiet_fit(MLPClassifier((5,), max_iter=3, random_state=0), X, y)
    assert seen == [1, 1, 1] and torch.get_num_threads() == 2
    predicted = []
    clf.module_.register_forward_hook(lambda *args: predicted.append(torch.get_num_threads()))
    clf.predict_proba(X)
    clf.predict(X[:1])
    assert predicted == [1, 2] and torch.get_num_threads() == 2


def test_larger_fits_keep_the_thread_count(two_threads, monkeypatch):
    seen = _threads_seen(monkeypatch)
    X, y = _data(n=300, d=64)
    # 64*300 + 300 + 301 parameters times 100-row batches: above SERIAL_WORK
    _quiet_fit(
        MLPRegressor(hidden_layer_sizes=(300,), max_iter=1, batch_size=100, random_state=0), X, y
    )
    assert seen == [2, 2, 2]
    seen.clear()
    X = np.random.RandomState(0).rand(20, 1, 6, 6).astype(np.float32)
    y = np.arange(20) % 2
    _quiet_fit(ConvNetClassifier(channels=(2,), hidden_layer_sizes=(4,), max_iter=1), X, y)
    assert seen == [2]


def test_history_rows_without_history_indexing(monkeypatch):
    from skorch.history import History

    X, y = _data()
    clf = MLPClassifier((5,), max_iter=4, random_state=0, alpha=0.01)
    calls = []
    original = History.__getitem__
    monkeypatch.setattr(
        History, "__getitem__", lambda self, i: calls.append(i) or original(self, i)
    )
    _quiet_fit(clf, X, y)
    clf.partial_fit(X, y)
    # skorch's History indexing copies the whole history: training never uses it.
    assert calls == []
    assert [row["epoch"] for row in clf.history_] == [1, 2, 3, 4, 5]
    for row in clf.history_:
        assert set(row) == {
            "batches",
            "epoch",
            "train_loss",
            "train_batch_count",
            "dur",
            "loss",
            "lr",
        }
        assert row["dur"] > 0 and row["train_batch_count"] == 1 and row["batches"] == []
    np.testing.assert_allclose(clf.history_[:, "loss"], clf.loss_curve_)


def test_one_batch_epochs_use_the_whole_tensors(monkeypatch):
    X = torch.arange(12.0).reshape(6, 2)
    y = torch.arange(6)
    gen = torch.Generator().manual_seed(0)
    batches = TensorBatches(X, y, None, 6, True, gen, CPU)
    ((Xb, target),) = list(batches)
    assert Xb is X and target.y is y and target.w_sum == 6.0
    # Batch sums do not change between epochs without sample weights: computed once.
    counts = []
    original = TensorBatches._compute_batch_sums
    monkeypatch.setattr(
        TensorBatches, "_compute_batch_sums", lambda self, o: counts.append(o) or original(self, o)
    )
    shuffled = TensorBatches(X, y, None, 4, True, torch.Generator().manual_seed(0), CPU)
    for _ in range(3):
        assert [t.w_sum for _, t in shuffled] == [4.0, 2.0]
    assert len(counts) == 1
    weighted = TensorBatches(
        X, y, np.arange(1.0, 7.0), 4, True, torch.Generator().manual_seed(0), CPU
    )
    sums = [[t.w_sum for _, t in weighted] for _ in range(3)]
    assert len(counts) == 4  # shuffled with weights: the sums change every epoch
    assert all(sum(s) == 21.0 for s in sums) and len({tuple(s) for s in sums}) > 1


# -- label encoding: the target type computed once a fit, binary labels directly ----
LABELS = {
    "binary int": np.array([3, 7, 7, 3, 7] * 6),
    "binary str": np.array(["no", "yes", "yes", "no", "no"] * 6),
    "binary bool": np.array([True, False, False, True, True] * 6),
    "binary float": np.array([0.0, 2.0, 2.0, 0.0, 2.0] * 6),
    "multiclass int": np.arange(30) % 4,
    "multiclass str": np.array(["a", "b", "c"] * 10),
    "one class": np.zeros(30, dtype=int),
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_label_binarizer_shortcuts_equal_scikit_learn(name):
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils.multiclass import type_of_target

    from sknn._mixins import _binarize, _fit_binarizer

    y = LABELS[name]
    ours, theirs = LabelBinarizer(), LabelBinarizer().fit(y)
    _fit_binarizer(ours, y, type_of_target(y))
    assert vars(ours).keys() == vars(theirs).keys()  # the whole fitted state
    for key, value in vars(theirs).items():
        np.testing.assert_array_equal(getattr(ours, key), value)
        assert type(getattr(ours, key)) is type(value)
    assert ours.classes_.dtype == theirs.classes_.dtype
    for rows in (y, y[:7], y[::-1], y[y == y[0]]):  # (_encode_y rejects unknown labels)
        got, expected = _binarize(ours, rows), theirs.transform(rows).astype(np.float32)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_label_checks_keep_scikit_learn_errors_and_warnings():
    from sknn._mixins import _check_classification_targets

    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        _check_classification_targets(np.linspace(0, 1, 30))
    with pytest.warns(UserWarning, match="number of unique classes is greater than 50%"):
        _check_classification_targets(np.arange(30))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _check_classification_targets(np.arange(30) % 4) == "multiclass"


@pytest.mark.parametrize("y", [np.arange(60) % 3, np.arange(60) % 2], ids=["multiclass", "binary"])
def test_a_fit_computes_the_type_of_target_once(y, monkeypatch):
    import sklearn.preprocessing._label as label_module
    import sklearn.utils.multiclass as multiclass_module

    import sknn._mixins as mixins_module

    calls = []
    original = multiclass_module.type_of_target

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    for module in (multiclass_module, label_module, mixins_module):
        monkeypatch.setattr(module, "type_of_target", counted)
    X = np.random.RandomState(0).rand(60, 3)
    clf = _quiet_fit(MLPClassifier((3,), max_iter=2, random_state=0), X, y)
    assert len(calls) == 1
    assert clf.predict(X).shape == (60,)
