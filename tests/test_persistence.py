"""Persistence of every estimator: pickle, joblib and skops round trips, resumed
training after loading, devices, and refusal of states from an incompatible sknn."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import make_classification
from test_common import TEST_PARAMS  # tests/ is on sys.path (rootdir-relative imports)

import sknn
from sknn import _persistence

OUTPUT_METHODS = (
    "predict",
    "predict_proba",
    "decision_function",
    "transform",
    "score_samples",
)


def _data(est):
    X, y = make_classification(n_samples=80, n_features=6, n_informative=4, random_state=0)
    X = X.astype(np.float32)
    if isinstance(est, RegressorMixin):
        y = X[:, 0] * 2.0 + X[:, 1]
    elif not isinstance(est, ClassifierMixin):
        y = None
    return X, y


def _fitted(cls):
    est = cls(**TEST_PARAMS[cls])
    X, y = _data(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return est, X, y


def _outputs(est, X):
    out = {}
    for name in OUTPUT_METHODS:
        if hasattr(est, name):
            out[name] = np.asarray(getattr(est, name)(X))
    assert out, "no output method"
    return out


def _assert_same_outputs(a, b, X):
    out_a, out_b = _outputs(a, X), _outputs(b, X)
    assert out_a.keys() == out_b.keys()
    for name in out_a:
        np.testing.assert_array_equal(out_a[name], out_b[name], err_msg=name)


def _skops_round_trip(est, tmp_path):
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    # The only types skops does not trust are sknn's estimator classes.
    assert set(untrusted) <= set(sknn.skops_trusted_types()), untrusted
    return sio.load(path, trusted=sknn.skops_trusted_types())


@pytest.mark.parametrize("cls", list(TEST_PARAMS), ids=lambda c: c.__name__)
@pytest.mark.parametrize("how", ["pickle", "joblib", "skops"])
def test_round_trip_gives_identical_outputs(cls, how, tmp_path):
    est, X, _ = _fitted(cls)
    if how == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    elif how == "joblib":
        joblib.dump(est, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
    else:
        loaded = _skops_round_trip(est, tmp_path)
    assert type(loaded) is cls
    assert loaded.get_params() == est.get_params()
    _assert_same_outputs(est, loaded, X)
    # Hyper-parameters and fitted attributes survive; the original is untouched.
    assert loaded.n_features_in_ == est.n_features_in_
    assert hasattr(est, "module_") and hasattr(loaded, "module_")
    assert len(loaded.history_) == len(est.history_)


@pytest.mark.parametrize(
    "cls", [c for c in TEST_PARAMS if hasattr(c, "partial_fit")], ids=lambda c: c.__name__
)
def test_training_resumes_identically_after_loading(cls):
    """The optimizer's state (Adam moments, step counts, RBM chains) is saved too:
    one more partial_fit on the loaded model equals one more on the original."""
    est, X, y = _fitted(cls)
    loaded = pickle.loads(pickle.dumps(est))
    args = (X,) if y is None else (X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.partial_fit(*args)
        loaded.partial_fit(*args)
    _assert_same_outputs(est, loaded, X)


def test_pickle_holds_no_torch_objects():
    """The state is NumPy arrays and plain values: loadable without CUDA, and
    independent of torch's and skorch's internal layouts."""
    est, _, _ = _fitted(sknn.MLPClassifier)
    state = est.__getstate__()
    assert "_engine" not in state and "_engine_state" in state

    def walk(value):
        import torch

        assert not isinstance(value, (torch.Tensor, torch.nn.Module)), type(value)
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(state["_engine_state"])
    assert "_engine" in est.__dict__  # saving did not change the estimator


def test_model_saved_on_a_gpu_loads_on_the_cpu():
    est, X, _ = _fitted(sknn.MLPClassifier)
    state = est.__getstate__()
    state["_engine_state"]["device"] = "cuda:3"  # as if trained on a 4-GPU machine
    import torch

    loaded = sknn.MLPClassifier.__new__(sknn.MLPClassifier)
    if torch.cuda.device_count() > 3:
        loaded.__setstate__(state)
    else:
        with pytest.warns(UserWarning, match="no CUDA devices with that index"):
            loaded.__setstate__(state)
    expected = "cuda:3" if torch.cuda.device_count() > 3 else "cpu"
    assert str(loaded._device) == expected
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_incompatible_version_is_refused_clearly(monkeypatch):
    est, _, _ = _fitted(sknn.RBMTransformer)
    monkeypatch.setattr(_persistence, "PERSISTENCE_FORMAT", _persistence.PERSISTENCE_FORMAT + 1)
    monkeypatch.setattr(_persistence, "__version__", "9.0.0")
    data = pickle.dumps(est)  # saved by a future sknn
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"saved by sknn 9\.0\.0 .* cannot read"):
        pickle.loads(data)
    # A state without sknn's marker (not written by sknn's __getstate__) is refused too.
    state = est.__getstate__()
    del state["_sknn_format"]
    with pytest.raises(ValueError, match="cannot read"):
        sknn.RBMTransformer.__new__(sknn.RBMTransformer).__setstate__(state)
    # An older format goes through the migration hook, which knows none yet.
    state = est.__getstate__()
    state["_sknn_format"] = 0
    with pytest.raises(ValueError, match="cannot migrate"):
        sknn.RBMTransformer.__new__(sknn.RBMTransformer).__setstate__(state)


def test_unfitted_and_cloned_estimators_pickle():
    for cls, params in TEST_PARAMS.items():
        est = cls(**params)
        loaded = pickle.loads(pickle.dumps(est))
        assert loaded.get_params() == est.get_params()
        assert pickle.loads(pickle.dumps(clone(est))).get_params() == est.get_params()


def test_bytes_round_trip_through_a_buffer():
    est, X, _ = _fitted(sknn.PerceptronClassifier)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    _assert_same_outputs(est, joblib.load(buffer), X)
