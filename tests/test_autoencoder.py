"""Behaviour tests for AutoencoderTransformer and AutoencoderModule."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from _reference import ACTIVATIONS, as_float64
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from sknn import AutoencoderTransformer, MLPClassifier
from sknn.modules import AutoencoderModule

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = X_digits / 16.0
X_train, X_test = train_test_split(X_digits, random_state=0)
X_small = X_digits[:200]

FAST = dict(
    hidden_layer_sizes=(32,), max_iter=20, learning_rate_init=0.01, random_state=0, device="cpu"
)
# The digits settings measured below (held-out rows, 60 epochs, about 0.8 s).
DIGITS = dict(
    n_components=16,
    hidden_layer_sizes=(128,),
    max_iter=60,
    batch_size=64,
    learning_rate_init=0.005,
    tol=0.0,
    random_state=0,
    device="cpu",
)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _mse(a, b):
    return float(np.mean((a - b) ** 2))


# --------------------------------------------------------------- the issue's
def test_digits_reconstruction_beats_pca():
    # Mean squared error on the held-out quarter of digits (pixels / 16): PCA(16)
    # 0.0119, this autoencoder 0.0076-0.0077 over seeds 0-3 (0.63-0.65 times PCA's).
    # Asserted: at least 20% lower than PCA's error.
    pca = PCA(n_components=16).fit(X_train)
    pca_error = _mse(pca.inverse_transform(pca.transform(X_test)), X_test)
    ae = AutoencoderTransformer(**DIGITS).fit(X_train)
    codes = ae.transform(X_test)
    assert codes.shape == (len(X_test), 16)
    ae_error = _mse(ae.inverse_transform(codes), X_test)
    assert ae_error < 0.8 * pca_error, (ae_error, pca_error)
    # score() is minus the same mean squared error
    assert ae.score(X_test) == pytest.approx(-ae_error, rel=1e-5)


def test_denoising_reconstructs_corrupted_inputs_better():
    # Inputs with 30% of the pixels set to 0, compared with the clean rows. Measured
    # over seeds 0-3: plain 0.044-0.048, masking-noise autoencoder 0.022-0.023
    # (0.46-0.51 times). Asserted: the denoising error is below 0.7 times the plain one.
    rng = np.random.RandomState(0)
    corrupted = X_test * (rng.rand(*X_test.shape) >= 0.3)
    plain = AutoencoderTransformer(**DIGITS).fit(X_train)
    denoising = AutoencoderTransformer(noise="masking", noise_level=0.3, **DIGITS).fit(X_train)
    plain_error = _mse(plain.inverse_transform(plain.transform(corrupted)), X_test)
    denoising_error = _mse(denoising.inverse_transform(denoising.transform(corrupted)), X_test)
    assert denoising_error < 0.7 * plain_error, (denoising_error, plain_error)


def test_anomaly_scores_separate_injected_outliers():
    # 25 outliers: held-out digits with their pixels shuffled (same intensities, no
    # digit structure) among 450 held-out digits. Measured ROC AUC 1.0; floor 0.95.
    rng = np.random.RandomState(0)
    outliers = np.array([rng.permutation(row) for row in X_test[:25]])
    X = np.vstack([X_test, outliers])
    is_outlier = np.r_[np.zeros(len(X_test)), np.ones(len(outliers))]
    ae = AutoencoderTransformer(**DIGITS).fit(X_train)
    scores = ae.score_samples(X)
    assert scores.shape == (len(X),) and scores.dtype == np.float64
    assert np.all(scores <= 0)
    assert roc_auc_score(is_outlier, -scores) >= 0.95


def test_pipeline_with_svc_in_grid_search():
    X, y = X_digits[:300], y_digits[:300]
    pipe = make_pipeline(AutoencoderTransformer(**{**FAST, "max_iter": 10}), SVC())
    grid = GridSearchCV(
        pipe, {"autoencodertransformer__n_components": [4, 8]}, cv=2, error_score="raise"
    )
    _quiet(grid.fit, X, y)
    assert grid.best_params_["autoencodertransformer__n_components"] in (4, 8)
    assert grid.score(X, y) > 0.5


def test_grid_search_on_the_autoencoder_alone_uses_score():
    grid = GridSearchCV(AutoencoderTransformer(**FAST), {"n_components": [2, 12]}, cv=2)
    _quiet(grid.fit, X_small)
    assert grid.best_params_["n_components"] == 12  # a wider code reconstructs better


# ------------------------------------------------------------------ the API
def test_transform_inverse_transform_shapes_and_dtypes():
    ae = _quiet(AutoencoderTransformer(n_components=5, **FAST).fit, X_small)
    codes = ae.transform(X_small)
    assert codes.shape == (200, 5) and codes.dtype == np.float64
    assert ae.inverse_transform(codes).shape == (200, 64)
    X32 = X_small.astype(np.float32)
    assert ae.transform(X32).dtype == np.float32
    assert ae.inverse_transform(ae.transform(X32)).dtype == np.float32
    np.testing.assert_allclose(ae.fit_transform(X_small), ae.transform(X_small), rtol=1e-6)
    assert ae.n_outputs_ == 64 and ae.n_features_in_ == 64
    assert len(ae.loss_curve_) == ae.n_iter_ == 20
    assert isinstance(ae.module_, AutoencoderModule)


def test_get_feature_names_out_and_set_output():
    pd = pytest.importorskip("pandas")
    ae = _quiet(AutoencoderTransformer(n_components=3, **FAST).fit, X_small)
    names = ae.get_feature_names_out()
    assert names.tolist() == [f"autoencodertransformer{i}" for i in range(3)]
    ae.set_output(transform="pandas")
    frame = ae.transform(X_small)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == names.tolist()


def test_loss_curve_decreases_and_bce_outputs_probabilities():
    ae = _quiet(AutoencoderTransformer(n_components=8, loss="bce", **FAST).fit, X_small)
    assert ae.loss_curve_[-1] < 0.8 * ae.loss_curve_[0]
    recon = ae.inverse_transform(ae.transform(X_small))
    assert recon.min() >= 0 and recon.max() <= 1
    # score_samples: minus the mean binary cross-entropy per row
    p = np.clip(recon, 1e-7, 1 - 1e-7)
    bce = -(X_small * np.log(p) + (1 - X_small) * np.log(1 - p)).mean(1)
    np.testing.assert_allclose(-ae.score_samples(X_small), bce, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_solvers(solver):
    params = {**FAST, "solver": solver, "batch_size": 20}
    if solver == "sgd":
        params["learning_rate_init"] = 0.3
    ae = _quiet(AutoencoderTransformer(n_components=8, **params).fit, X_small)
    mean_only = _mse(np.broadcast_to(X_small.mean(0), X_small.shape), X_small)
    assert -ae.score(X_small) < 0.8 * mean_only
    assert hasattr(ae, "partial_fit") == (solver != "lbfgs")


def test_partial_fit_and_warm_start():
    ae = AutoencoderTransformer(n_components=4, **FAST)
    for _ in range(3):
        ae.partial_fit(X_small)
    assert ae.n_iter_ == 1 and ae.t_ == 600
    before = ae.score(X_small)
    for _ in range(10):
        ae.partial_fit(X_small)
    assert ae.score(X_small) > before
    warm = _quiet(AutoencoderTransformer(n_components=4, warm_start=True, **FAST).fit, X_small)
    first = warm.score(X_small)
    _quiet(warm.fit, X_small)
    assert warm.score(X_small) > first
    with pytest.raises(ValueError, match="X has 10 features"):
        ae.partial_fit(X_small[:, :10])


def test_early_stopping_scores_negative_reconstruction_error():
    params = {**FAST, "max_iter": 30, "n_iter_no_change": 3}
    ae = _quiet(AutoencoderTransformer(n_components=4, early_stopping=True, **params).fit, X_small)
    scores = np.asarray(ae.validation_scores_)
    assert len(scores) == ae.n_iter_ and np.all(scores < 0)
    assert ae.best_validation_score_ == scores.max()
    assert ae.best_loss_ is None


def test_tied_weights_share_the_encoder_matrices():
    ae = _quiet(AutoencoderTransformer(n_components=4, tied_weights=True, **FAST).fit, X_small)
    module = ae.module_
    assert len(module.decoder) == 0 and len(module.decoder_biases) == 2
    n_params = sum(p.numel() for p in module.parameters())
    untied = AutoencoderModule(64, [32], 4)
    assert n_params == sum(p.numel() for p in untied.parameters()) - 64 * 32 - 32 * 4
    x = torch.as_tensor(X_small[:5], dtype=torch.float32)
    with torch.no_grad():
        h = torch.relu(module.encoder[0](x))
        code = module.encoder[1](h)
        back = torch.relu(code @ module.encoder[1].weight + module.decoder_biases[0])
        out = back @ module.encoder[0].weight + module.decoder_biases[1]
    np.testing.assert_allclose(
        ae.inverse_transform(ae.transform(X_small[:5])), out.numpy(), rtol=1e-4, atol=1e-5
    )


def test_encoder_layers_orientation():
    ae = _quiet(
        AutoencoderTransformer(
            n_components=6,
            hidden_layer_sizes=(20, 10),
            code_activation="tanh",
            max_iter=5,
            random_state=0,
            device="cpu",
        ).fit,
        X_small,
    )
    layers = ae.encoder_layers_
    assert [(c.shape, b.shape) for c, b in layers] == [
        ((64, 20), (20,)),
        ((20, 10), (10,)),
        ((10, 6), (6,)),
    ]
    h = X_small
    for i, (coef, intercept) in enumerate(layers):
        z = h @ coef + intercept
        h = np.tanh(z) if i == len(layers) - 1 else np.maximum(z, 0)
    np.testing.assert_allclose(h, ae.transform(X_small), rtol=1e-4, atol=1e-5)


_ACTIVATION_NAMES = sorted(ACTIVATIONS)


@pytest.mark.parametrize("activation", _ACTIVATION_NAMES)
def test_activations_are_the_named_functions(activation):
    """``activation`` follows the hidden encoder and decoder layers and
    ``code_activation`` the code layer: transform and inverse_transform equal NumPy
    forward passes with those formulas (tests/_reference.py). The code activation
    is the next name in the list, so every name is checked in both places."""
    code_activation = _ACTIVATION_NAMES[
        (_ACTIVATION_NAMES.index(activation) + 1) % len(_ACTIVATION_NAMES)
    ]
    ae = _quiet(
        AutoencoderTransformer(
            n_components=6,
            activation=activation,
            code_activation=code_activation,
            **{**FAST, "hidden_layer_sizes": (20,), "max_iter": 3},
        ).fit,
        X_small,
    )
    act, code_act = ACTIVATIONS[activation], ACTIVATIONS[code_activation]
    (W0, b0), (W1, b1) = ae.encoder_layers_
    codes = code_act(act(X_small @ W0.astype(np.float64) + b0) @ W1.astype(np.float64) + b1)
    # float64 X is encoded in float64
    np.testing.assert_allclose(ae.transform(X_small), codes, rtol=0, atol=1e-10)
    # inverse_transform decodes in float32 (rtol of float32 round-off)
    d0, d1 = ae.module_.decoder
    hidden = act(codes @ as_float64(d0.weight).T + as_float64(d0.bias))
    expected = hidden @ as_float64(d1.weight).T + as_float64(d1.bias)  # loss='mse': identity
    np.testing.assert_allclose(ae.inverse_transform(codes), expected, rtol=1e-4, atol=1e-5)


def test_pretrain_initialises_mlp_hidden_layers():
    params = {**FAST, "hidden_layer_sizes": (32,), "max_iter": 5}
    ae = _quiet(
        AutoencoderTransformer(n_components=16, code_activation="relu", **params).fit, X_small
    )
    # max_iter=1: the hidden layers move one epoch away from the pre-trained ones
    clf = MLPClassifier(
        hidden_layer_sizes=(32, 16),
        pretrain=ae,
        max_iter=1,
        learning_rate_init=1e-6,
        random_state=0,
        device="cpu",
    )
    _quiet(clf.fit, X_small, y_digits[:200])
    for (coef, intercept), mlp_coef, mlp_intercept in zip(
        ae.encoder_layers_, clf.coefs_, clf.intercepts_
    ):
        np.testing.assert_allclose(mlp_coef, coef, atol=1e-4)
        np.testing.assert_allclose(mlp_intercept, intercept, atol=1e-4)
    # an unfitted autoencoder is cloned and fitted on the MLP's X
    unfitted = AutoencoderTransformer(n_components=16, code_activation="relu", **params)
    clf = _quiet(
        MLPClassifier(
            hidden_layer_sizes=(32, 16), pretrain=unfitted, max_iter=5, random_state=0, device="cpu"
        ).fit,
        X_small,
        y_digits[:200],
    )
    assert not hasattr(unfitted, "module_")
    assert hasattr(clf.pretrain_, "encoder_layers_")


# ------------------------------------------------------------- variants
@pytest.mark.parametrize("noise", ["masking", "gaussian"])
def test_noise_only_in_training_and_seeded(noise):
    params = dict(n_components=4, noise=noise, noise_level=0.3, **FAST)
    a = _quiet(AutoencoderTransformer(**params).fit, X_small)
    b = _quiet(AutoencoderTransformer(**params).fit, X_small)
    np.testing.assert_array_equal(a.transform(X_small), b.transform(X_small))
    # deterministic in evaluation mode
    np.testing.assert_array_equal(a.transform(X_small), a.transform(X_small))
    module = AutoencoderModule(64, [8], 4, noise=noise, noise_level=0.3)
    x = torch.as_tensor(X_small, dtype=torch.float32)
    module.train()
    noisy = module.corrupt(x)
    assert not torch.equal(noisy, x)
    if noise == "masking":
        zeroed = ((noisy == 0) & (x != 0)).sum() / (x != 0).sum()
        assert 0.25 < float(zeroed) < 0.35
    else:
        assert 0.28 < float((noisy - x).std()) < 0.32
    module.eval()
    with torch.no_grad():
        torch.testing.assert_close(module(x), module.decode(module.encode(x)))


def test_sparsity_penalties_make_codes_sparser():
    base = dict(n_components=16, code_activation="logistic", **{**FAST, "max_iter": 30})
    plain = _quiet(AutoencoderTransformer(**base).fit, X_small)
    kl = _quiet(
        AutoencoderTransformer(
            sparsity="kl", sparsity_weight=1.0, sparsity_target=0.05, **base
        ).fit,
        X_small,
    )
    assert kl.transform(X_small).mean() < 0.5 * plain.transform(X_small).mean()
    relu = dict(base, code_activation="relu")
    plain = _quiet(AutoencoderTransformer(**relu).fit, X_small)
    l1 = _quiet(AutoencoderTransformer(sparsity="l1", sparsity_weight=0.1, **relu).fit, X_small)
    assert (l1.transform(X_small) == 0).mean() > (plain.transform(X_small) == 0).mean()


def test_sparsity_kl_needs_logistic_codes():
    with pytest.raises(ValueError, match="code_activation='logistic'"):
        AutoencoderTransformer(sparsity="kl", **FAST).fit(X_small)


def test_module_penalties_match_their_definitions():
    torch.manual_seed(0)
    x = torch.rand(7, 5)
    module = AutoencoderModule(
        5,
        [4],
        3,
        activation="tanh",
        code_activation="logistic",
        sparsity="kl",
        sparsity_weight=2.0,
        sparsity_target=0.1,
        contractive_weight=0.5,
    )
    module.train()
    module(x)
    penalty = module.regularization()
    code = module.encode(x)
    rho, rho_hat = 0.1, code.mean(0)
    kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    jac = torch.stack(
        [torch.autograd.functional.jacobian(module.encode, row[None])[0, :, 0] for row in x]
    )
    expected = 2.0 * kl.mean() + 0.5 * jac.square().sum((1, 2)).mean()
    torch.testing.assert_close(penalty, expected)
    # cleared after reading, and nothing is recorded in evaluation mode
    assert float(module.regularization()) == 0.0
    module.eval()
    module(x)
    assert float(module.regularization()) == 0.0


def test_contractive_penalty_trains_and_flattens_the_encoder():
    base = dict(n_components=4, code_activation="tanh", **{**FAST, "max_iter": 15})
    plain = _quiet(AutoencoderTransformer(**base).fit, X_small)
    cae = _quiet(AutoencoderTransformer(contractive_weight=0.1, **base).fit, X_small)

    def jacobian_norm(ae):
        x = torch.as_tensor(X_small[:20], dtype=torch.float32)
        jac = torch.autograd.functional.jacobian(ae.module_.encode, x)  # (20, 4, 20, 64)
        return float(torch.einsum("iaib->iab", jac).square().sum((1, 2)).mean())

    assert jacobian_norm(cae) < 0.5 * jacobian_norm(plain)
    lbfgs = _quiet(
        AutoencoderTransformer(contractive_weight=0.1, solver="lbfgs", **base).fit, X_small
    )
    assert np.isfinite(lbfgs.loss_)


# ------------------------------------------------------- faults and state
def test_bad_inputs_are_clear_value_errors():
    ae = AutoencoderTransformer(**FAST)
    X_nan = X_small.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ae.fit(X_nan)
    with pytest.raises(ValueError, match=r"needs every value of X in \[0, 1\]"):
        AutoencoderTransformer(loss="bce", **FAST).fit(X_small * 16)
    with pytest.raises(ValueError, match="noise_level in"):
        AutoencoderTransformer(noise="masking", noise_level=1.0, **FAST).fit(X_small)
    _quiet(ae.fit, X_small)
    with pytest.raises(ValueError, match="X has 10 features, but AutoencoderTransformer"):
        ae.transform(X_small[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        ae.score_samples(X_nan)
    with pytest.raises(ValueError, match="codes of 2 components"):
        ae.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        AutoencoderTransformer(hidden_layer_sizes=(8, 0)).fit(X_small)


def test_same_seed_same_codes_and_global_rng_untouched():
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    params = dict(n_components=4, noise="gaussian", **FAST)
    a = _quiet(AutoencoderTransformer(**params).fit, X_small).transform(X_small)
    b = _quiet(AutoencoderTransformer(**params).fit, X_small).transform(X_small)
    np.testing.assert_array_equal(a, b)
    c = _quiet(AutoencoderTransformer(**{**params, "random_state": 1}).fit, X_small)
    assert not np.allclose(a, c.transform(X_small))
    assert torch.equal(torch_state, torch.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])


@pytest.mark.parametrize("params", [{}, {"sparsity": "l1"}, {"contractive_weight": 0.1}])
def test_pickle_and_joblib_round_trip(tmp_path, params):
    ae = _quiet(AutoencoderTransformer(n_components=3, **params, **FAST).fit, X_small)
    expected = ae.transform(X_small)
    again = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(again.transform(X_small), expected)
    joblib.dump(ae, tmp_path / "ae.joblib")
    again = joblib.load(tmp_path / "ae.joblib")
    np.testing.assert_array_equal(again.score_samples(X_small), ae.score_samples(X_small))
    again.partial_fit(X_small)  # training state survives too
    assert clone(ae).get_params() == ae.get_params()


def test_sparse_input_matches_dense():
    ae = _quiet(AutoencoderTransformer(n_components=3, **FAST).fit, X_small)
    np.testing.assert_allclose(
        ae.transform(sp.csr_matrix(X_small)), ae.transform(X_small), rtol=1e-5, atol=1e-6
    )
    sparse_fit = _quiet(AutoencoderTransformer(n_components=3, **FAST).fit, sp.csr_matrix(X_small))
    np.testing.assert_allclose(
        sparse_fit.transform(X_small), ae.transform(X_small), rtol=1e-4, atol=1e-5
    )


def test_subset_invariance_and_batched_prediction_at_float32_tolerance(monkeypatch):
    ae = _quiet(AutoencoderTransformer(n_components=3, **FAST).fit, X_small)
    full, scores = ae.transform(X_small), ae.score_samples(X_small)
    for rows in (slice(0, 1), slice(3, 20), slice(50, 200)):
        np.testing.assert_allclose(ae.transform(X_small[rows]), full[rows], rtol=1e-5, atol=1e-5)
    monkeypatch.setattr(AutoencoderTransformer, "_predict_batch_size", 7)
    np.testing.assert_allclose(ae.transform(X_small), full, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ae.score_samples(X_small), scores, rtol=1e-5, atol=1e-7)


def test_sample_weight_equivalent_to_repetition():
    rng = np.random.RandomState(0)
    X = X_small[:60]
    sw = rng.randint(0, 3, size=len(X)).astype(float)
    X_rep = np.repeat(X, sw.astype(int), axis=0)
    params = dict(
        n_components=3,
        hidden_layer_sizes=(8,),
        max_iter=30,
        learning_rate_init=0.01,
        shuffle=False,
        random_state=0,
        device="cpu",
    )
    a = _quiet(AutoencoderTransformer(batch_size=len(X), **params).fit, X, sample_weight=sw)
    b = _quiet(AutoencoderTransformer(batch_size=len(X_rep), **params).fit, X_rep)
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-5)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-5)
