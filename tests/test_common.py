"""scikit-learn's common estimator checks, run on every sknn estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn import (
    AutoencoderTransformer,
    ConvNetClassifier,
    ConvNetRegressor,
    MLPClassifier,
    MLPRegressor,
    PerceptronClassifier,
    RBMTransformer,
    RNNClassifier,
    RNNRegressor,
)

# Small, fast settings per class (cf. scikit-learn's INIT_PARAMS).
_MLP = dict(hidden_layer_sizes=(16,), max_iter=100, learning_rate_init=0.01, random_state=0)
_RNN = dict(hidden_size=8, max_iter=50, learning_rate_init=0.02, random_state=0, device="cpu")
TEST_PARAMS = {
    MLPClassifier: dict(_MLP, device="cpu"),
    MLPRegressor: dict(_MLP, device="cpu"),
    PerceptronClassifier: dict(max_iter=50, random_state=0, device="cpu"),
    # Rows of any width are read as 1 x n_features images (input_shape=(1, -1));
    # tests/test_convnet.py runs the checks on sequences (conv_dim=1) too.
    ConvNetClassifier: dict(_MLP, input_shape=(1, -1), channels=(4,), device="cpu"),
    ConvNetRegressor: dict(_MLP, input_shape=(1, -1), channels=(4,), device="cpu"),
    # Gaussian units here; the default (Bernoulli) RBMTransformer() runs the
    # checks below, as BernoulliRBM does.
    RBMTransformer: dict(
        n_components=8,
        n_iter=5,
        learning_rate=0.01,
        visible_unit="gaussian",
        random_state=0,
        device="cpu",
    ),
    AutoencoderTransformer: dict(
        n_components=2,
        hidden_layer_sizes=(8,),
        max_iter=20,
        learning_rate_init=0.01,
        random_state=0,
        device="cpu",
    ),
    # Each row is a sequence of one step holding all features (input_shape=(1, -1));
    # tests/test_rnn.py checks univariate, multivariate and variable-length series.
    RNNClassifier: dict(_RNN, input_shape=(1, -1)),
    # learning_rate_init=0.03: at 0.02 its fits with weights and with repeats
    # happened to agree to 0.85 times the sample-weight check's tolerance on an AMD
    # CPU (the float32 difference is of that size by chance, and changes with the
    # CPU); at 0.03 they differ by 12 times it, a stable expected failure.
    RNNRegressor: dict(_RNN, input_shape=(1, -1), learning_rate_init=0.03),
}

_FLOAT32 = (
    "sknn trains in float32: fitting with integer sample weights and with repeated "
    "rows agree to about 1e-6 relative, the check demands 1e-7 (scikit-learn's MLP "
    "passes it only because it computes in float64); measured on the check's data, "
    "the largest difference is 3 to 17 times its tolerance (rtol=1e-7, atol=1e-9) "
    "for these settings. tests/test_mlp.py checks the same equivalence at float32 "
    "tolerance."
)


_ONLINE = (
    "online/SGD updates: a sample with weight k takes one step scaled by k, while k "
    "repeats take k separate steps at different places in the epoch, so the fits "
    "differ (scikit-learn's own Perceptron lists the same expected failure). "
    "tests/test_perceptron.py checks that sample weights act like class weights."
)


def _expected_failed_checks(estimator):
    if isinstance(estimator, RBMTransformer):
        return {}  # no sample_weight, deterministic per-row transform
    reason = _ONLINE if isinstance(estimator, PerceptronClassifier) else _FLOAT32
    # Prediction and transforms compute in float64 on the CPU (sknn/_base.py,
    # _forward), so check_methods_subset_invariance passes on any CPU: no entry.
    if isinstance(estimator, AutoencoderTransformer):
        # The reconstruction loss of weighted and of repeated rows agree within
        # the check's tolerance on the check's data: it passes (strict xfails).
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


@parametrize_with_checks(
    [cls(**params) for cls, params in TEST_PARAMS.items()],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


_SAMPLE_WEIGHT_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)
_STRADDLES = (
    "float32 training: with the defaults, fits with integer sample weights and with "
    "repeated rows differ by 0.4 to 120 times the check's tolerance (rtol=1e-7), "
    "measured on an AMD EPYC: MLPClassifier 1.9x, MLPRegressor 5.4x, RNNRegressor "
    "0.43x, AutoencoderTransformer 119x. Near 1x the outcome depends on the CPU's "
    "rounding, so neither a pass nor a strict expected failure is stable; the same "
    "checks run above, with TEST_PARAMS, as strict expected failures (3-17x)."
)


def _default_expected_failed_checks(estimator):
    if isinstance(estimator, PerceptronClassifier):
        # scikit-learn's own Perceptron (what the default trains with) lists these.
        return dict.fromkeys(_SAMPLE_WEIGHT_CHECKS, _ONLINE)
    return {}


# Every estimator that takes 2-D data, exactly as a user constructs it (every
# default, device='auto'), as scikit-learn's own suite checks MLPClassifier,
# MLPRegressor and Perceptron; the default RBMTransformer is checked below. (The
# convnets need input_shape for 2-D rows: they run above with TEST_PARAMS.)
@parametrize_with_checks(
    [
        MLPClassifier(),
        MLPRegressor(),
        PerceptronClassifier(),
        AutoencoderTransformer(),
        RNNClassifier(),
        RNNRegressor(),
    ],
    expected_failed_checks=_default_expected_failed_checks,
)
def test_sklearn_compatible_default_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in _SAMPLE_WEIGHT_CHECKS and not isinstance(estimator, PerceptronClassifier):
        pytest.skip(_STRADDLES)
    check(estimator)


@pytest.mark.parametrize("cls", list(TEST_PARAMS))
def test_default_constructible(cls):
    est = cls()
    assert est.get_params()["device"] == "auto"


_PSEUDO_LIKELIHOOD = (
    "score_samples is the pseudo-likelihood, which flips one random feature per "
    "row, so a row's score depends on its position (scikit-learn's BernoulliRBM "
    "lists the same expected failures); transform passes it, and the Gaussian "
    "variant (whose score_samples is deterministic) passes the check above."
)


@parametrize_with_checks(
    [RBMTransformer()],
    expected_failed_checks=lambda est: {
        "check_methods_subset_invariance": _PSEUDO_LIKELIHOOD,
        "check_methods_sample_order_invariance": _PSEUDO_LIKELIHOOD,
    },
)
def test_sklearn_compatible_default_rbm(estimator, check):
    """The default RBMTransformer passes what BernoulliRBM passes, with its
    expected failures (sklearn.utils._test_common.instance_generator)."""
    check(estimator)
