"""The shared training fixes: the 'plateau' learning-rate schedule (for 'sgd' and
'adam') and the batch-norm statistics re-estimated at the end of ``fit``."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from sknn import ConvNetClassifier, MLPClassifier, MLPRegressor
from sknn._training import LearningRateSchedule


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), y


def _epoch_rates(est):
    return [float(lr) for lr in est.history_[:, "lr"]]


def _expected_rates(init, patience, offset=0):
    """The rate of each epoch when no epoch improves by tol (a huge tol): the
    count reaches ``patience + 1 - offset`` epochs after each reduction (the first
    epoch always improves on the start), then the rate halves down to init / 10,
    and the fit stops the next time."""
    rates, lr, first = [], init, True
    while True:
        epochs = patience + 1 - offset + (1 if first else 0)
        rates += [lr] * epochs
        first = False
        floor = init * LearningRateSchedule.PLATEAU_MIN
        if lr <= floor * (1 + 1e-9):
            return rates
        lr = max(lr * LearningRateSchedule.PLATEAU_FACTOR, floor)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_plateau_halves_the_rate_down_to_a_tenth_then_stops(iris, solver):
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        learning_rate="plateau",
        learning_rate_init=0.01,
        tol=10.0,  # no epoch improves by tol: the patience runs out every 3 epochs
        n_iter_no_change=2,
        max_iter=500,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it stops by itself
        est.fit(X, y)
    expected = _expected_rates(0.01, 2)
    assert _epoch_rates(est) == pytest.approx(expected, rel=1e-12)
    assert sorted(set(_epoch_rates(est)), reverse=True) == pytest.approx(
        [0.01, 0.005, 0.0025, 0.00125, 0.001], rel=1e-12
    )
    assert est.n_iter_ == len(expected) < est.max_iter


def test_plateau_lowers_the_rate_when_the_loss_stalls(iris):
    """With the default tol, a small network on iris reaches a plateau: the rate
    is lowered before the fit ends, and it never rises."""
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=(4,),
        learning_rate="plateau",
        learning_rate_init=0.05,
        max_iter=2000,
        random_state=0,
    ).fit(X, y)
    rates = _epoch_rates(est)
    assert rates[0] == 0.05 and min(rates) < 0.05
    assert all(b <= a for a, b in zip(rates, rates[1:]))
    assert est.n_iter_ < est.max_iter


def test_plateau_follows_the_validation_score_with_early_stopping(iris):
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        learning_rate="plateau",
        learning_rate_init=0.01,
        early_stopping=True,
        tol=10.0,
        n_iter_no_change=2,
        max_iter=500,
        random_state=0,
    ).fit(X, y)
    assert _epoch_rates(est) == pytest.approx(_expected_rates(0.01, 2), rel=1e-12)
    assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("learning_rate", ["constant", "invscaling", "adaptive"])
def test_scikit_learn_schedules_leave_adam_alone(iris, learning_rate):
    """scikit-learn's schedules apply to 'sgd' only; 'adam' keeps its rate."""
    X, y = iris
    est = MLPRegressor(
        hidden_layer_sizes=(4,),
        learning_rate=learning_rate,
        tol=10.0,
        n_iter_no_change=2,
        max_iter=50,
        random_state=0,
    ).fit(X, y.astype(float))
    assert set(_epoch_rates(est)) == {0.001}


def test_adaptive_sgd_is_unchanged(iris):
    """'adaptive' still divides by 5 (scikit-learn's rule), not by 2."""
    X, y = iris
    est = MLPClassifier(
        hidden_layer_sizes=(4,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.1,
        tol=10.0,
        n_iter_no_change=2,
        max_iter=30,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert sorted(set(_epoch_rates(est)), reverse=True)[:3] == pytest.approx(
        [0.1, 0.02, 0.004], rel=1e-12
    )


# ------------------------------------------------------------------ batch norm
def _series(n=90, length=24, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    t = np.linspace(0, 1, length)
    X = np.sin(2 * np.pi * (y[:, None] + 1) * t) + 0.3 * rng.randn(n, length)
    return (3 * X + 1).astype(np.float32), y


def _first_norm_input(est, X, batch_size):
    """The input of the first batch-norm layer (the first convolution's output,
    which no batch-norm statistic affects) for each batch of rows, in order."""
    module = est.module_
    norm = next(m for m in module.modules() if isinstance(m, torch.nn.BatchNorm1d))
    seen = []
    handle = norm.register_forward_hook(lambda m, inp, out: seen.append(inp[0].detach()))
    try:
        with torch.no_grad():
            rows = torch.from_numpy(X.reshape(len(X), 1, -1))
            for start in range(0, len(X), batch_size):
                module(rows[start : start + batch_size])
    finally:
        handle.remove()
    return norm, seen


@pytest.mark.parametrize("batch_size", [16, 200])
def test_batch_norm_statistics_are_those_of_one_pass_over_the_training_rows(batch_size):
    X, y = _series()
    est = ConvNetClassifier(
        conv_dim=1,
        channels=(6, 6),
        kernel_size=3,
        pooling=None,
        global_pooling="avg",
        hidden_layer_sizes=(),
        batch_norm=True,
        dropout=0.3,
        batch_size=batch_size,
        max_iter=15,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    norm, inputs = _first_norm_input(est, X, batch_size)
    means = torch.stack([x.mean(dim=(0, 2)) for x in inputs])
    variances = torch.stack([x.var(dim=(0, 2), unbiased=True) for x in inputs])
    np.testing.assert_allclose(norm.running_mean, means.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(norm.running_var, variances.mean(0), rtol=1e-5, atol=1e-6)
    n_batches = len(inputs)
    for m in est.module_.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            assert int(m.num_batches_tracked) == n_batches
            assert m.momentum == 0.1  # the layer's own setting is put back
    assert not est.module_.training


def test_partial_fit_keeps_the_running_statistics():
    """``partial_fit`` sees one chunk of a stream: it keeps the layers' moving
    averages instead of re-estimating them from that chunk alone."""
    X, y = _series()
    est = ConvNetClassifier(
        conv_dim=1,
        channels=(4,),
        pooling=None,
        global_pooling="avg",
        hidden_layer_sizes=(),
        batch_norm=True,
        batch_size=30,
        random_state=0,
    )
    est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y)
    norm = next(m for m in est.module_.modules() if isinstance(m, torch.nn.BatchNorm1d))
    assert int(norm.num_batches_tracked) == 6  # 3 training steps per call, 2 calls
