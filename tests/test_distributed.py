"""Scaling out: joblib/dask searches, dask-ml Incremental, data-parallel training.

The dask tests start a LocalCluster of two single-threaded worker processes on the
loopback interface; the DDP tests spawn two processes talking over gloo. Nothing
here asserts timings (see benchmarks/bench_distributed.py for those).
"""

import os
import pickle
import warnings

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed, parallel_backend
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score

from sknn import (
    AutoencoderTransformer,
    MLPClassifier,
    MLPRegressor,
    PerceptronClassifier,
    RBMTransformer,
)
from sknn.distributed import data_parallel, fit_ddp
from sknn.utils import _torch as torch_utils

try:  # the 'distributed' extra (in the 'test' extra too)
    import dask.array as da
    import dask_ml.wrappers as dask_ml_wrappers
    import distributed
except ImportError:  # the data-parallel tests below need none of it
    da = dask_ml_wrappers = distributed = None

needs_dask = pytest.mark.skipif(
    distributed is None, reason="needs dask, distributed and dask-ml (the 'distributed' extra)"
)


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
    return (X[:300] / 16).astype(np.float32), y[:300]


@pytest.fixture(scope="module")
def dask_client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _fit_threads(X, y):
    """Fit in a worker; report torch's thread count there after the fit."""
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    return torch.get_num_threads(), os.getpid()


# ------------------------------------------------------------ joblib and dask
@needs_dask
def test_grid_search_dask_backend_matches_sequential(digits, dask_client):
    X, y = digits
    grid = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-2]}
    est = MLPClassifier(max_iter=5, random_state=0)
    with parallel_backend("dask"):
        search = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    sequential = GridSearchCV(est, grid, cv=2, n_jobs=1).fit(X, y)
    # Same seeds, same data: the workers' fits equal the in-process ones.
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], sequential.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == sequential.best_params_
    assert search.best_estimator_.predict(X).shape == (len(X),)


@needs_dask
def test_cross_val_score_dask_backend(digits, dask_client):
    X, y = digits
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    with parallel_backend("dask"):
        parallel = cross_val_score(est, X, y.astype(float), cv=3, n_jobs=2)
    np.testing.assert_allclose(parallel, cross_val_score(est, X, y.astype(float), cv=3))


@needs_dask
def test_dask_workers_fit_on_one_thread_each(digits, dask_client):
    # 2 single-threaded workers: no fit may use more than cpus // 1 threads, and
    # the nannies' OMP_NUM_THREADS=1 caps it at 1, so 2 fits use 2 cores.
    X, y = digits
    with parallel_backend("dask"):
        out = Parallel(n_jobs=2)(delayed(_fit_threads)(X, y) for _ in range(4))
    assert {threads for threads, _ in out} == {1}


def test_loky_workers_share_the_cpus(digits):
    # loky starts its workers with OMP_NUM_THREADS = cpus // n_jobs, which torch
    # reads when it is imported there.
    X, y = digits
    out = Parallel(n_jobs=2, backend="loky")(delayed(_fit_threads)(X, y) for _ in range(2))
    expected = max(1, torch_utils._available_cpus() // 2)
    assert {threads for threads, _ in out} == {expected}


@needs_dask
def test_worker_num_threads_rule(monkeypatch):
    assert torch_utils.worker_num_threads() is None  # not in a dask worker

    class State:
        nthreads = 4

    class Worker:
        state = State()

    monkeypatch.setattr(distributed, "get_worker", lambda: Worker())
    monkeypatch.setattr(torch_utils, "_available_cpus", lambda: 16)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert torch_utils.worker_num_threads() == 4  # 16 cpus / 4 concurrent tasks
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert torch_utils.worker_num_threads() == 2
    monkeypatch.setattr(torch_utils, "_available_cpus", lambda: 2)
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert torch_utils.worker_num_threads() == 1


def test_fit_in_threaded_worker_caps_threads(digits, monkeypatch):
    # A fit inside a dask worker lowers torch's thread count to the rule's value.
    X, y = digits
    monkeypatch.setattr(torch_utils, "worker_num_threads", lambda: 1)
    import sknn._base

    monkeypatch.setattr(sknn._base, "worker_num_threads", lambda: 1)
    old = torch.get_num_threads()
    try:
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(old)


# ------------------------------------------------------------- out of core
def _chunked(*arrays, chunks=100):
    return [
        da.from_array(a, chunks=chunks if a.ndim == 1 else (chunks, a.shape[1])) for a in arrays
    ]


@needs_dask
@pytest.mark.parametrize("Est", [MLPClassifier, PerceptronClassifier])
def test_incremental_classifier_over_chunks(Est):
    X, y = make_classification(400, 10, n_informative=5, random_state=0)
    X = X.astype(np.float32)
    Xd, yd = _chunked(X, y)
    assert Xd.numblocks[0] == 4
    kw = {"hidden_layer_sizes": (16,), "learning_rate_init": 0.01} if Est is MLPClassifier else {}
    inc = dask_ml_wrappers.Incremental(Est(random_state=0, **kw), scoring="accuracy")
    for _ in range(10):  # 10 passes over the 4 chunks, one partial_fit per chunk
        inc.partial_fit(Xd, yd, classes=[0, 1])
    est = inc.estimator_
    plus_one = Est is PerceptronClassifier  # scikit-learn's perceptron t_ starts at 1
    assert est.t_ == 10 * len(X) + plus_one  # every row of every chunk, every pass
    assert est.n_iter_ == 1  # one epoch per partial_fit call
    assert inc.score(Xd, yd) > 0.7  # chance is 0.5; a linear model reaches ~0.77
    pred = inc.predict(Xd)
    assert isinstance(pred, da.Array)
    np.testing.assert_array_equal(pred.compute(), est.predict(X))


@needs_dask
def test_incremental_equals_partial_fit_loop():
    # Incremental over chunks is partial_fit on each chunk, in order (by default
    # Incremental visits the chunks in a random order).
    X, y = make_classification(300, 6, random_state=1)
    X = X.astype(np.float32)
    Xd, yd = _chunked(X, y)
    inc = dask_ml_wrappers.Incremental(
        MLPClassifier(hidden_layer_sizes=(8,), random_state=0),
        scoring="accuracy",
        shuffle_blocks=False,
    ).fit(Xd, yd, classes=[0, 1])
    ref = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    for start in range(0, 300, 100):
        ref.partial_fit(X[start : start + 100], y[start : start + 100], classes=[0, 1])
    for a, b in zip(inc.estimator_.coefs_, ref.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@needs_dask
def test_incremental_rbm_over_chunks():
    rng = np.random.RandomState(0)
    X = (rng.rand(400, 12) > 0.5).astype(np.float32)
    (Xd,) = _chunked(X)

    def pseudo_likelihood(est, X, y=None):
        return float(np.mean(est.score_samples(X)))

    inc = dask_ml_wrappers.Incremental(
        RBMTransformer(n_components=6, random_state=0), scoring=pseudo_likelihood
    )
    inc.fit(Xd)
    codes = inc.transform(Xd)
    assert isinstance(codes, da.Array)
    # (the lazy array's declared shape is X's: dask-ml maps transform over the
    # chunks without knowing the output width; the computed one is right)
    computed = codes.compute()
    assert computed.shape == (400, 6)
    np.testing.assert_allclose(computed, inc.estimator_.transform(X), rtol=1e-6)


# ---------------------------------------------------------- data parallel
def _ddp_case(name):
    if name == "classifier":
        X, y = load_digits(return_X_y=True)
        # 577 rows, batches of 64: the last global batch has one row, so one
        # process holds no row of it.
        X, y = (X[:577] / 16).astype(np.float32), y[:577]
        w = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
        est = MLPClassifier(
            hidden_layer_sizes=(32,),
            max_iter=8,
            batch_size=64,
            alpha=1e-3,
            tol=0,
            random_state=0,
        )
        return est, X, y, {"sample_weight": w}
    X, y = make_regression(300, 8, noise=5.0, random_state=0)
    X, y = X.astype(np.float32), y / 100
    # Early stopping on the (identical) validation split of each process; stops early.
    est = MLPRegressor(
        hidden_layer_sizes=(16,),
        max_iter=60,
        batch_size=50,
        early_stopping=True,
        n_iter_no_change=3,
        tol=1e-2,
        solver="sgd",
        learning_rate_init=0.01,
        random_state=0,
    )
    return est, X, y, {}


@pytest.mark.parametrize("case", ["classifier", "early_stopping_regressor"])
def test_fit_ddp_equals_single_process_fit(case):
    est, X, y, fit_params = _ddp_case(case)
    ref = est.__class__(**est.get_params()).fit(X, y, **fit_params)
    ddp = fit_ddp(est, X, y, n_procs=2, backend="gloo", **fit_params)
    assert not hasattr(est, "n_iter_")  # the estimator passed in is left alone
    # Same weights to float rounding (sums taken in another order): after 8 epochs
    # of Adam the weights differ by ~1e-7 (measured 4e-8); 1e-5 leaves room.
    for a, b in zip(ddp.coefs_ + ddp.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(ddp.loss_curve_, ref.loss_curve_, rtol=1e-6)
    assert ddp.n_iter_ == ref.n_iter_
    if est.early_stopping:
        assert ddp.n_iter_ < est.max_iter  # stopped on the validation score
        np.testing.assert_allclose(ddp.validation_scores_, ref.validation_scores_, atol=1e-6)
    assert len(ddp.history_) == ref.n_iter_
    np.testing.assert_allclose(ddp.predict(X), ref.predict(X), atol=1e-4)
    assert ddp.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-4)
    loaded = pickle.loads(pickle.dumps(ddp))
    np.testing.assert_array_equal(loaded.predict(X), ddp.predict(X))


def test_data_parallel_in_a_one_process_group(tmp_path):
    # data_parallel in an existing group (as under torchrun): with one process it
    # must give exactly the plain fit.
    import torch.distributed as dist

    X, y = make_classification(120, 5, random_state=0)
    X = X.astype(np.float32)
    kw = dict(hidden_layer_sizes=(8,), max_iter=4, batch_size=32, random_state=0)
    with pytest.raises(RuntimeError, match="init_process_group"):
        with data_parallel():
            pass
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'rdzv'}", rank=0, world_size=1)
    try:
        with data_parallel() as spec:
            assert (spec.rank, spec.world_size) == (0, 1)
            clf = MLPClassifier(**kw).fit(X, y)
            assert clf._engine.data_parallel_runs == 1
            with pytest.raises(ValueError, match="lbfgs"):
                MLPClassifier(solver="lbfgs", max_iter=2).fit(X, y)
    finally:
        dist.destroy_process_group()
    ref = MLPClassifier(**kw).fit(X, y)
    for a, b in zip(clf.coefs_, ref.coefs_):
        np.testing.assert_array_equal(a, b)
    assert clf.loss_curve_ == pytest.approx(ref.loss_curve_, rel=1e-12)


def test_fit_ddp_rejects_what_it_cannot_train(tmp_path):
    X, y = make_classification(50, 4, random_state=0)
    with pytest.raises(ValueError, match="lbfgs"):
        fit_ddp(MLPClassifier(solver="lbfgs"), X, y)
    with pytest.raises(ValueError, match="checkpoint_dir"):
        fit_ddp(MLPClassifier(checkpoint_dir=tmp_path), X, y)
    with pytest.raises(TypeError, match="backpropagation"):
        fit_ddp(RBMTransformer(), X)
    with pytest.raises(TypeError, match="sknn estimators"):
        fit_ddp(object(), X, y)
    with pytest.raises(ValueError, match="backend"):
        fit_ddp(MLPClassifier(), X, y, backend="mpi")
    with pytest.raises(ValueError, match="n_procs"):
        fit_ddp(MLPClassifier(), X, y, n_procs=0)
    with pytest.raises(ValueError, match="devices"):
        fit_ddp(MLPClassifier(), X, y, n_procs=2, devices=["cpu"])
    if torch.cuda.device_count() < 2:
        with pytest.raises(ValueError, match="one GPU per process"):
            fit_ddp(MLPClassifier(), X, y, n_procs=2, backend="nccl")


def test_autoencoder_trains_under_fit_ddp():
    X = np.random.RandomState(0).rand(120, 6).astype(np.float32)
    est = AutoencoderTransformer(n_components=3, max_iter=3, batch_size=40, random_state=0)
    ref = est.__class__(**est.get_params()).fit(X)
    ddp = fit_ddp(est, X, n_procs=2)
    np.testing.assert_allclose(ddp.transform(X), ref.transform(X), atol=1e-5)
