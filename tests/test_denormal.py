"""Subnormal floats are flushed to zero during a CPU training call, and the
caller's setting is restored afterwards (issue 14)."""

import warnings

import numpy as np
import pytest
import torch

from sknn import MLPClassifier, RBMTransformer, _engine
from sknn._engine import AfterStep
from sknn.utils._torch import flush_denormal, flush_denormal_enabled

if not torch.set_flush_denormal(False):  # this CPU cannot flush: nothing to test
    pytest.skip("torch cannot flush denormals on this CPU", allow_module_level=True)

rng = np.random.RandomState(0)
X = rng.rand(60, 4)
y = np.arange(60) % 2
FAST = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0, device="cpu")


@pytest.fixture(autouse=True)
def _flush_off_afterwards():
    yield
    torch.set_flush_denormal(False)


def _fit(est, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(*args)


def test_probe_reads_the_setting():
    assert not flush_denormal_enabled()
    torch.set_flush_denormal(True)
    assert flush_denormal_enabled()
    torch.set_flush_denormal(False)
    assert not flush_denormal_enabled()


@pytest.mark.parametrize("before", [False, True])
def test_context_restores_the_setting(before):
    torch.set_flush_denormal(before)
    with flush_denormal(torch.device("cpu")):
        assert flush_denormal_enabled()
    assert flush_denormal_enabled() is before


def test_other_devices_are_left_alone():
    with flush_denormal(torch.device("meta")):
        assert not flush_denormal_enabled()


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("before", [False, True])
def test_fit_flushes_and_restores(monkeypatch, solver, before):
    seen = []
    # AfterStep hooks run after each optimizer step; L-BFGS has none, so record
    # the loss evaluations instead.
    hook = AfterStep(lambda module: seen.append(flush_denormal_enabled()))
    monkeypatch.setattr(MLPClassifier, "_engine_hooks", lambda self: [hook])
    original = MLPClassifier._fit_lbfgs

    def recording(self, *args):
        seen.append(flush_denormal_enabled())
        return original(self, *args)

    monkeypatch.setattr(MLPClassifier, "_fit_lbfgs", recording)
    torch.set_flush_denormal(before)
    _fit(MLPClassifier(solver=solver, **FAST), X, y)
    assert seen and all(seen)
    assert flush_denormal_enabled() is before


class _Boom(Exception):
    pass


def test_setting_restored_when_fit_raises(monkeypatch):
    def raising(self, batch, **kw):
        assert flush_denormal_enabled()
        raise _Boom

    monkeypatch.setattr(_engine._Engine, "train_step", raising)
    with pytest.raises(_Boom):
        _fit(MLPClassifier(**FAST), X, y)
    assert not flush_denormal_enabled()


def test_setting_restored_after_ctrl_c(monkeypatch):
    def interrupting(self, batch, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(_engine._Engine, "train_step", interrupting)
    with pytest.warns(UserWarning, match="interrupted by user"):
        MLPClassifier(**FAST).fit(X, y)
    assert not flush_denormal_enabled()


@pytest.mark.parametrize("before", [False, True])
def test_rbm_flushes_and_restores(monkeypatch, before):
    seen = []
    original = RBMTransformer._train_layer

    def recording(self, *args, **kwargs):
        seen.append(flush_denormal_enabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RBMTransformer, "_train_layer", recording)
    torch.set_flush_denormal(before)
    _fit(RBMTransformer(n_components=3, n_iter=2, random_state=0, device="cpu"), X)
    assert seen == [True]
    assert flush_denormal_enabled() is before


def test_rbm_restores_when_fit_raises(monkeypatch):
    def raising(self, *args, **kwargs):
        raise _Boom

    monkeypatch.setattr(RBMTransformer, "_train_layer", raising)
    with pytest.raises(_Boom):
        _fit(RBMTransformer(n_components=3, n_iter=2, device="cpu"), X)
    assert not flush_denormal_enabled()
