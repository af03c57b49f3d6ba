"""The accelerator path: host synchronisation, mixed precision, torch.compile.

Written to hold on CUDA as well as on the CPU: the CUDA-only tests skip without a
GPU. The synchronisation test runs everywhere, by counting the tensor methods
that read a value back to the host.
"""

import collections
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning

import sknn._engine as engine_module
from sknn import (
    AutoencoderTransformer,
    ConvNetClassifier,
    MLPClassifier,
    MLPRegressor,
    PerceptronClassifier,
    RNNClassifier,
)

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

#: Tensor methods that copy a value to the host (and wait for the device to do so).
HOST_READS = ("item", "cpu", "tolist", "numpy", "__float__", "__bool__", "__int__", "__index__")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny fits run faster and steadier on one thread (the machine may be busy)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16).astype(np.float32), y[:400]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _count_host_reads(monkeypatch, fn):
    """Run ``fn()``, counting host reads and ``Tensor.to`` calls."""
    counts = collections.Counter()
    for name in (*HOST_READS, "to"):
        original = getattr(torch.Tensor, name)

        def wrapper(self, *args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, wrapper)
    try:
        fn()
    finally:
        monkeypatch.undo()
    return counts


@pytest.mark.parametrize("precision", [None, "bf16"])
def test_host_reads_per_epoch_do_not_grow_with_batches(digits, monkeypatch, precision):
    # The training loop reads values back to the host a fixed number of times per
    # epoch (the epoch loss, the weights' norms, the permutation), never per batch,
    # and moves data to the device once per fit (plus one index tensor per epoch).
    X, y = digits

    def fit(batch_size, epochs):
        clf = MLPClassifier(
            hidden_layer_sizes=(8,),
            batch_size=batch_size,
            max_iter=epochs,
            tol=0,
            random_state=0,
            precision=precision,
        )
        clf.set_params(batch_size=min(batch_size, 50))
        _quiet(clf.fit, X[:50], y[:50])  # build the engine outside the count
        clf.set_params(warm_start=True, batch_size=batch_size)
        return _count_host_reads(monkeypatch, lambda: _quiet(clf.fit, X, y))

    many_batches, few_batches = fit(10, 3), fit(200, 3)  # 40 vs 2 batches per epoch
    assert many_batches == few_batches
    longer = fit(10, 6)
    per_epoch = {k: (longer[k] - many_batches[k]) / 3 for k in longer}
    # Measured: 2 .cpu(), 3 .numpy(), 1 .to() per epoch (bf16 adds none).
    assert sum(per_epoch.values()) <= 8, per_epoch
    assert per_epoch.get("item", 0) == 0


@needs_cuda
def test_no_sync_inside_an_epoch_on_cuda(digits):
    # On CUDA, torch reports every synchronising call; their number per fit must
    # not depend on the number of batches per epoch.
    X, y = digits

    def syncs(batch_size):
        clf = MLPClassifier(
            hidden_layer_sizes=(8,), batch_size=batch_size, max_iter=3, tol=0, device="cuda"
        )
        _quiet(clf.fit, X[:50], y[:50])
        clf.set_params(warm_start=True)
        torch.cuda.set_sync_debug_mode("warn")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _quiet(clf.fit, X, y)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        return sum("synchroniz" in str(w.message) for w in caught)

    assert syncs(10) == syncs(200)


# ---------------------------------------------------------------- precision
def test_bf16_on_cpu_close_to_fp32(digits):
    X, y = digits
    kw = dict(hidden_layer_sizes=(32,), max_iter=20, random_state=0, device="cpu")
    fp32 = _quiet(MLPClassifier(**kw).fit, X, y)
    bf16 = _quiet(MLPClassifier(precision="bf16", **kw).fit, X, y)
    # bfloat16 keeps 8 bits of mantissa in the forward pass; the weights and the
    # optimizer stay float32. Measured on digits: max |p_bf16 - p_fp32| ~ 0.01 and
    # 1 prediction in 1800 differs.
    assert all(p.dtype == torch.float32 for p in bf16.module_.parameters())
    np.testing.assert_allclose(bf16.predict_proba(X), fp32.predict_proba(X), atol=0.05)
    assert np.mean(bf16.predict(X) == fp32.predict(X)) >= 0.98
    np.testing.assert_allclose(bf16.loss_curve_, fp32.loss_curve_, rtol=0.02)
    assert bf16.n_iter_ == 20 and len(bf16.history_) == 20
    # A model trained in bf16 pickles as any other.
    loaded = pickle.loads(pickle.dumps(bf16))
    np.testing.assert_array_equal(loaded.predict_proba(X), bf16.predict_proba(X))


def test_fp16_with_grad_scaler_trains(digits):
    X, y = digits
    kw = dict(hidden_layer_sizes=(32,), max_iter=20, learning_rate_init=0.01, random_state=0)
    fp32 = _quiet(MLPClassifier(**kw).fit, X, y)
    clf = _quiet(MLPClassifier(precision="fp16", **kw).fit, X, y)
    assert clf._engine.grad_scaler is not None
    assert np.isfinite(clf.loss_curve_).all() and clf.loss_curve_[-1] < clf.loss_curve_[0]
    # float16 keeps 11 bits of mantissa: close to float32 (the scaler may skip the
    # first steps while it finds its scale).
    assert abs(clf.score(X, y) - fp32.score(X, y)) < 0.05
    # Switching precision off for the next fit drops the scaler.
    clf.set_params(precision=None, max_iter=1)
    _quiet(clf.fit, X, y)
    assert clf._engine.grad_scaler is None and clf._engine.amp_dtype is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
        lambda: PerceptronClassifier(max_iter=5, batch_size=50, random_state=0),
        lambda: AutoencoderTransformer(n_components=4, max_iter=5, random_state=0),
        lambda: ConvNetClassifier(
            channels=(4,), hidden_layer_sizes=(8,), max_iter=2, input_shape=(8, 8), random_state=0
        ),
        lambda: RNNClassifier(hidden_size=8, max_iter=2, input_shape=(8, 8), random_state=0),
    ],
    ids=["mlp_regressor", "perceptron", "autoencoder", "convnet", "rnn"],
)
def test_bf16_trains_every_backprop_estimator(digits, make):
    X, y = digits
    est = make().set_params(precision="bf16", device="cpu")
    if isinstance(est, MLPRegressor):
        _quiet(est.fit, X, y.astype(float))
    elif isinstance(est, AutoencoderTransformer):
        _quiet(est.fit, X)
    else:
        _quiet(est.fit, X, y)
    assert np.isfinite(est.loss_curve_).all()
    assert est._engine.amp_dtype == torch.bfloat16


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_bf16_on_cpu_runs_the_recurrent_layer_in_float32(cell, bidirectional):
    """Under bf16 autocast on the CPU, the recurrent layer runs with autocast off, in
    float32, on every CPU: oneDNN's bf16 LSTM exists only on CPUs with native
    bfloat16, and raised 'could not create a primitive descriptor for the LSTM
    forward propagation primitive' on an AVX2-only AMD EPYC. The head stays under
    autocast. Checked on whatever CPU runs the suite by watching the layer's calls;
    uneven lengths send the bidirectional case down the packed path."""
    from sknn.modules import RNNModule

    gen = torch.Generator().manual_seed(0)
    module = RNNModule(3, 4, hidden_size=5, cell=cell, bidirectional=bidirectional, generator=gen)
    x = torch.randn(6, 7, 3, generator=gen)
    x[::2, 4:] = float("nan")  # uneven lengths: padding after the real steps
    seen, head = [], []

    def data(t):
        return t.data if isinstance(t, torch.nn.utils.rnn.PackedSequence) else t

    def watch(mod, args, output):
        seen.append((torch.is_autocast_enabled("cpu"), data(args[0]).dtype, data(output[0]).dtype))

    module.rnn.register_forward_hook(watch)
    module.head.output.register_forward_hook(lambda mod, args, out: head.append(out.dtype))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = module(x)
    out.float().sum().backward()
    assert seen == [(False, torch.float32, torch.float32)]
    assert head == [torch.bfloat16]  # the rest of the network is still autocast
    assert all(torch.isfinite(p.grad).all() for p in module.rnn.parameters())
    assert all(p.dtype == torch.float32 for p in module.parameters())


def test_precision_and_compile_ignored_by_lbfgs():
    X, y = make_regression(60, 4, random_state=0)
    reg = MLPRegressor(solver="lbfgs", max_iter=20, precision="bf16", compile=True)
    _quiet(reg.fit, X, y)
    assert reg.score(X, y) > 0.5


# ------------------------------------------------------------------ compile
def test_compile_eager_backend_matches_plain_fit(digits, monkeypatch):
    # The 'eager' backend runs the compile machinery (tracing by dynamo) without
    # code generation, so the results equal the plain fit exactly; inductor is
    # tested below (slow).
    monkeypatch.setitem(engine_module._COMPILE_OPTIONS, "backend", "eager")
    X, y = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=5, batch_size=64, random_state=0)
    plain = _quiet(MLPClassifier(**kw).fit, X, y)
    compiled = _quiet(MLPClassifier(compile=True, **kw).fit, X, y)
    assert compiled._engine._compiled is not None
    assert type(compiled.module_).__name__ == "MLPModule"  # not the compiled wrapper
    for a, b in zip(compiled.coefs_, plain.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(compiled.predict(X), plain.predict(X))
    state = pickle.loads(pickle.dumps(compiled))
    np.testing.assert_array_equal(state.predict(X), plain.predict(X))


@pytest.mark.slow(reason="inductor compiles C++ kernels: about 30 s on 2 CPU cores")
def test_compile_inductor_close_to_plain_fit(digits):
    X, y = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=3, batch_size=100, random_state=0)
    plain = _quiet(MLPClassifier(**kw).fit, X, y)
    compiled = _quiet(MLPClassifier(compile=True, **kw).fit, X, y)
    np.testing.assert_allclose(compiled.loss_curve_, plain.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(compiled.predict_proba(X), plain.predict_proba(X), atol=1e-4)


# --------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "params, match",
    [
        ({"precision": "fp32"}, "precision"),
        ({"precision": "half"}, "precision"),
        ({"compile": "yes"}, "compile"),
        ({"compile": 1}, "compile"),
    ],
)
def test_invalid_speed_parameters(digits, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        MLPClassifier(max_iter=1, **params).fit(X, y)


def test_bf16_on_cuda_needs_support(monkeypatch, digits):
    # A GPU without bfloat16 gets a clear error (simulated where there is no GPU).
    X, y = digits
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit, X, y)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    clf._engine.device = "cuda"
    with pytest.raises(ValueError, match="bfloat16"):
        clf._engine.set_speed_options(precision="bf16")


@needs_cuda
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_on_cuda_loads_on_cpu(digits, precision, monkeypatch):
    if precision == "bf16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    X, y = digits
    clf = _quiet(
        MLPClassifier(
            hidden_layer_sizes=(32,), max_iter=20, device="cuda", precision=precision
        ).fit,
        X,
        y,
    )
    assert clf.score(X, y) > 0.9
    data = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.warns(UserWarning, match="CPU"):
        loaded = pickle.loads(data)
    assert loaded._device.type == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-5)
