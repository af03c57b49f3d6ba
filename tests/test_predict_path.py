"""The prediction path (issue 14): float64 X is computed in float64. Through a network
scikit-learn could build (its activations, no batch norm) the MLPs compute it in NumPy
from ``coefs_``, as scikit-learn does; other modules use a float64 copy of the module
kept between calls (:class:`sknn.modules.Float64Copy`), which must always hold the
module's current weights, however they were changed, and never be saved.
Behaviour only; speed is measured in benchmarks/bench_small.py."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sknn import AutoencoderTransformer, MLPClassifier, MLPRegressor
from sknn.modules import Float64Copy, float64_call

X_digits, y_digits = load_digits(return_X_y=True)
X, y = X_digits[:200] / 16, y_digits[:200]
FAST = dict(hidden_layer_sizes=(16, 8), max_iter=5, random_state=0)
# leaky_relu is not one of scikit-learn's activations: the module's float64 copy runs
FAST_COPY = dict(FAST, activation="leaky_relu")


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _reference(coefs, intercepts, X, *, activation="relu", rounded=True):
    """The forward pass of an MLP with a softmax output, in float64 NumPy, with the
    weights as the module holds them (float32, whatever the dtype of coefs_) or,
    ``rounded=False``, as coefs_ hold them."""
    dtype = np.float32 if rounded else np.float64
    coefs = [np.asarray(c, dtype).astype(np.float64) for c in coefs]
    intercepts = [np.asarray(b, dtype).astype(np.float64) for b in intercepts]
    h = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        h = h @ W + b
        h = np.maximum(h, 0) if activation == "relu" else np.where(h > 0, h, 0.01 * h)
    z = h @ coefs[-1] + intercepts[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _check(clf, Xd, coefs=None, intercepts=None):
    # float64 throughout: agreement far below float32's resolution. The NumPy path
    # (scikit-learn's activations) computes with coefs_ as they are; the module's
    # float64 copy with the module's float32 weights.
    numpy_path = clf.activation == "relu"
    got = clf.predict_proba(Xd)  # (first: a float32 fit makes assigned coefs_ views again)
    expected = _reference(
        clf.coefs_ if coefs is None else coefs,
        clf.intercepts_ if intercepts is None else intercepts,
        Xd,
        activation=clf.activation,
        rounded=coefs is not None or not numpy_path,
    )
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def _module_weights(clf):
    linears = clf.module_.linears
    return [lin.weight.detach().numpy().T for lin in linears], [
        lin.bias.detach().numpy() for lin in linears
    ]


@pytest.mark.parametrize("params", [FAST, FAST_COPY], ids=["numpy", "float64-copy"])
@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
def test_float64_predictions_follow_every_change_of_the_weights(fit_dtype, params):
    # fit_dtype float32: coefs_ are NumPy views of the float32 module's weights, so an
    # in-place edit changes the module without any torch version counter seeing it.
    clf = _fit(MLPClassifier(**params), X.astype(fit_dtype), y)
    Xd = X[:30]  # float64
    _check(clf, Xd)
    clf.coefs_[0][:5] *= -3.0  # edited in place
    clf.intercepts_[1][:] += 0.25
    _check(clf, Xd)
    clf.coefs_[1] = np.random.RandomState(0).normal(size=clf.coefs_[1].shape)  # assigned
    _check(clf, Xd)
    clf.partial_fit(X.astype(fit_dtype), y)  # trained further
    _check(clf, Xd)
    with torch.no_grad():  # the module edited directly, through torch and through .data
        clf.module_.linears[0].weight.mul_(0.5)
        clf.module_.output.bias.data += 1.0
    _check(clf, Xd, *_module_weights(clf))  # predictions follow the module at once
    clf._sync_attributes()  # (coefs_ copies show a direct edit of the module after sync)
    _check(clf, Xd)
    _fit(clf.set_params(hidden_layer_sizes=(12,), random_state=3), X.astype(fit_dtype), y)
    _check(clf, Xd)  # refitted: a new module of another shape


def _module_calls(clf, rows):
    calls = []
    handle = clf.module_.register_forward_hook(lambda m, i, o: calls.append(o.dtype))
    try:
        clf.predict(rows)
    finally:
        handle.remove()
    return calls


def test_numpy_path_computes_like_scikit_learn():
    clf = _fit(MLPClassifier(**FAST), X, y)  # a float64 fit: coefs_ are float64 copies
    assert _module_calls(clf, X[:3]) == []  # float64 rows: NumPy, not the module
    assert _module_calls(clf, X[:3].astype(np.float32)) == [torch.float32]
    clf.coefs_[0][:] += 1e-3 * np.pi  # values float32 cannot hold
    exact = _reference(clf.coefs_, clf.intercepts_, X[:30], rounded=False)
    rounded = _reference(clf.coefs_, clf.intercepts_, X[:30], rounded=True)
    assert np.abs(exact - rounded).max() > 1e-9  # (so the check below can fail)
    np.testing.assert_allclose(clf.predict_proba(X[:30]), exact, rtol=1e-12, atol=1e-14)
    reg = _fit(MLPRegressor(**dict(FAST, activation="tanh")), X, y.astype(float))
    assert _module_calls(reg, X[:3]) == []
    h = np.tanh(X[:5] @ reg.coefs_[0] + reg.intercepts_[0])
    h = np.tanh(h @ reg.coefs_[1] + reg.intercepts_[1])
    expected = (h @ reg.coefs_[2] + reg.intercepts_[2]).ravel()
    np.testing.assert_allclose(reg.predict(X[:5]), expected, rtol=1e-12, atol=1e-14)


def test_numpy_path_output_activations():
    from scipy.special import expit

    binary = _fit(MLPClassifier(**dict(FAST, activation="logistic")), X, y % 2)
    assert _module_calls(binary, X[:3]) == []
    h = expit(X[:7] @ binary.coefs_[0] + binary.intercepts_[0])
    h = expit(h @ binary.coefs_[1] + binary.intercepts_[1])
    p1 = expit(h @ binary.coefs_[2] + binary.intercepts_[2]).ravel()
    np.testing.assert_allclose(binary.predict_proba(X[:7])[:, 1], p1, rtol=1e-12, atol=1e-14)
    poisson = _fit(MLPRegressor(**dict(FAST, loss="poisson")), X, y.astype(float))
    assert _module_calls(poisson, X[:3]) == []
    h = np.maximum(X[:7] @ poisson.coefs_[0] + poisson.intercepts_[0], 0)
    h = np.maximum(h @ poisson.coefs_[1] + poisson.intercepts_[1], 0)
    mean = np.exp(h @ poisson.coefs_[2] + poisson.intercepts_[2]).ravel()
    np.testing.assert_allclose(poisson.predict(X[:7]), mean, rtol=1e-12, atol=1e-14)


def test_linear_parameters_are_the_linears_weights():
    clf = _fit(MLPClassifier(**dict(FAST, dropout=0.2)), X, y)
    expected = [t for lin in clf.module_.linears for t in (lin.weight, lin.bias)]
    got = clf.module_.linear_parameters()
    assert len(got) == len(expected) and all(a is b for a, b in zip(got, expected))


@pytest.mark.parametrize("params", [dict(batch_norm=True), dict(activation="gelu")])
def test_other_networks_use_the_module(params):
    clf = _fit(MLPClassifier(**FAST, **params), X, y)
    assert _module_calls(clf, X[:3]) == [torch.float64]


def test_numpy_path_refuses_bad_weights_as_the_module_path_does():
    clf = _fit(MLPClassifier(**FAST), X, y)
    clf.coefs_[1] = clf.coefs_[1][:, :3]
    with pytest.raises(ValueError, match=r"coefs_\[1\] has shape \(16, 3\)"):
        clf.predict(X[:2])
    clf = _fit(MLPClassifier(**FAST), X, y)
    clf.coefs_[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"coefs_\[0\] or intercepts_\[0\] contains NaN"):
        clf.predict(X[:2])


def test_float64_copy_is_made_once_and_module_is_unchanged():
    clf = _fit(MLPClassifier(**FAST_COPY), X, y)
    clf.predict(X[:3])
    twin = clf._float64_copy._copy
    for _ in range(3):
        clf.predict(X[:1])
    assert clf._float64_copy._copy is twin  # not rebuilt while the structure is the same
    assert all(p.dtype == torch.float64 for p in twin.parameters())
    assert all(p.dtype == torch.float32 for p in clf.module_.parameters())
    assert not any(p.requires_grad for p in twin.parameters())


def test_float64_copy_follows_a_replaced_layer_and_shares_hooks():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    cache = Float64Copy()
    x = torch.rand(5, 4, dtype=torch.float64)

    def run():
        with torch.inference_mode():
            return float64_call(module, lambda m, xb: m(xb), cache)(x)

    def reference():
        with torch.no_grad():
            return copy.deepcopy(module).double()(x)

    torch.testing.assert_close(run(), reference(), rtol=1e-12, atol=1e-14)
    module[2] = torch.nn.Linear(3, 2)  # a submodule replaced
    torch.testing.assert_close(run(), reference(), rtol=1e-12, atol=1e-14)
    module[0].weight = torch.nn.Parameter(torch.ones(3, 4))  # a parameter replaced
    torch.testing.assert_close(run(), reference(), rtol=1e-12, atol=1e-14)
    module[0].register_buffer("unused", torch.zeros(1))  # a buffer added
    torch.testing.assert_close(run(), reference(), rtol=1e-12, atol=1e-14)
    assert cache._copy[0].unused.dtype == torch.float64
    seen = []
    module[0].register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    run()
    assert seen == [torch.float64]  # a hook registered after the copy was made


def test_float64_copy_is_not_saved():
    clf = _fit(MLPClassifier(**FAST_COPY), X, y)
    expected = clf.predict_proba(X[:20])
    assert isinstance(clf._float64_copy, Float64Copy)
    assert "_float64_copy" not in clf.__getstate__()
    for other in (pickle.loads(pickle.dumps(clf)), copy.deepcopy(clf)):
        assert "_float64_copy" not in vars(other)
        np.testing.assert_array_equal(other.predict_proba(X[:20]), expected)
        assert other._float64_copy._copy is not clf._float64_copy._copy
    empty = pickle.loads(pickle.dumps(Float64Copy()))
    assert empty._copy is None


def test_float64_rows_do_not_depend_on_their_neighbours():
    reg = _fit(MLPRegressor(**FAST), X, y.astype(float))
    together = reg.predict(X[:50])
    alone = np.concatenate([reg.predict(X[i : i + 1]) for i in range(50)])
    np.testing.assert_allclose(alone, together, rtol=1e-13, atol=1e-13)


def test_other_forwards_use_the_float64_copy():
    ae = _fit(
        AutoencoderTransformer(n_components=4, hidden_layer_sizes=(), max_iter=3, random_state=0),
        X,
        None,
    )
    codes = ae.transform(X[:10])
    assert codes.dtype == np.float64
    lin = ae.module_.encoder[0]
    expected = X[:10] @ lin.weight.detach().double().numpy().T + lin.bias.detach().double().numpy()
    np.testing.assert_allclose(codes, expected, rtol=1e-10, atol=1e-13)
    with torch.no_grad():
        lin.weight.data.mul_(2.0)
    expected = X[:10] @ lin.weight.detach().double().numpy().T + lin.bias.detach().double().numpy()
    np.testing.assert_allclose(ae.transform(X[:10]), expected, rtol=1e-10, atol=1e-13)


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X[:1])


def test_a_large_module_is_not_kept_in_float64(monkeypatch):
    import sknn.modules._precision as precision

    monkeypatch.setattr(precision, "KEEP_LIMIT", 100)
    clf = _fit(MLPClassifier(**FAST_COPY), X, y)
    for _ in range(2):
        _check(clf, X[:5])
        assert clf._float64_copy._copy is None  # released after each call
        clf.coefs_[0][:] = 0.0  # and still up to date at the next


def test_float64_copy_of_a_recurrent_module():
    # nn.GRU keeps a list of its weights (_flat_weights): the copy needs its own.
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 4, batch_first=True)
    cache = Float64Copy()
    x = torch.rand(2, 5, 3, dtype=torch.float64)
    for _ in range(2):
        with torch.inference_mode():
            got = float64_call(gru, lambda m, xb: m(xb)[0], cache)(x)
        with torch.no_grad():
            expected = copy.deepcopy(gru).double()(x)[0]
            gru.weight_hh_l0.mul_(-1.5)  # changed in place before the second round
        assert got.dtype == torch.float64
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-14)


class _ListedWeights(torch.nn.Module):
    """Reads its weight through a plain list attribute (as nn.GRU's _flat_weights)."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)
        self.weights = [self.lin.weight]

    def forward(self, x):
        return x @ self.weights[0].T


def test_float64_copy_has_its_own_tensor_holding_attributes():
    module = _ListedWeights()
    x = torch.rand(4, 3, dtype=torch.float64)
    with torch.inference_mode():
        got = float64_call(module, lambda m, xb: m(xb), Float64Copy())(x)
    torch.testing.assert_close(got, x @ module.lin.weight.detach().double().T)


def test_rbm_sampling_and_scores_use_the_kept_float64_copy():
    from sknn import RBMTransformer

    Xb = (X > 0.5).astype(np.float64)
    rbm = RBMTransformer(n_components=8, n_iter=2, random_state=0).fit(Xb)
    first = rbm.score_samples(Xb[:5])
    twin = rbm._float64_copy._copy
    rbm.gibbs(Xb[:5])
    assert rbm._float64_copy._copy is twin  # made once, not copied per call
    assert all(p.dtype == torch.float64 for p in twin.parameters())
    layer = rbm.module_.rbms[0]

    def free_energy(v):  # the bottom layer's, in float64 from its current weights
        W = layer.weight.detach().double().numpy()
        b_h, b_v = (t.detach().double().numpy() for t in (layer.hidden_bias, layer.visible_bias))
        return -v @ b_v - np.logaddexp(0, v @ W.T + b_h).sum(axis=1)

    with torch.no_grad():
        layer.weight.mul_(-2.0)  # edited through torch: the copy must follow
    # (_apply is the float64 path of score_samples and gibbs)
    fe = rbm._apply(lambda r, v: r.free_energy(v), Xb[:5])
    np.testing.assert_allclose(fe, free_energy(Xb[:5]), rtol=1e-10, atol=1e-10)
    assert not np.allclose(rbm.score_samples(Xb[:5]), first)


def test_rbm_log_likelihood_uses_the_kept_float64_copy(monkeypatch):
    """``log_likelihood`` on the CPU reads the kept float64 copy (no deep copy of
    the bottom layer per call) and follows edits of the weights made through
    torch: ``-F(v) - log Z`` from the layer's current weights, in float64."""
    import copy as copy_module

    from sknn import RBMTransformer, _rbm

    Xb = (X > 0.5).astype(np.float64)
    rbm = RBMTransformer(n_components=8, n_iter=2, random_state=0).fit(Xb)
    rbm.log_partition_ = 3.25  # fixed: only the free energy is under test
    rbm.score_samples(Xb[:5])  # makes the kept copy
    twin = rbm._float64_copy._copy
    layer = rbm.module_.rbms[0]
    with torch.no_grad():
        layer.weight.mul_(-2.0)

    def no_deepcopy(obj, memo=None):
        raise AssertionError("log_likelihood deep-copied the module")

    monkeypatch.setattr(_rbm.copy, "deepcopy", no_deepcopy)
    got = rbm.log_likelihood(Xb[:5])
    monkeypatch.setattr(_rbm.copy, "deepcopy", copy_module.deepcopy)
    assert rbm._float64_copy._copy is twin
    W = layer.weight.detach().double().numpy()
    b_h, b_v = (t.detach().double().numpy() for t in (layer.hidden_bias, layer.visible_bias))
    v = Xb[:5]
    expected = v @ b_v + np.logaddexp(0, v @ W.T + b_h).sum(axis=1) - 3.25
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
