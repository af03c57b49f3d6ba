"""Property-based fault matrix: every estimator, fed random shapes, dtypes, NaN/inf,
empty arrays, sparse matrices, DataFrames, lists of strings and huge values, either
works (with finite outputs) or raises a clear ValueError/TypeError, never an error
from inside torch, a crash, a hang or NaN predictions."""

import pathlib
import traceback
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from test_common import TEST_PARAMS  # tests/ is on sys.path (rootdir-relative imports)

hypothesis = pytest.importorskip("hypothesis")
import torch  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TORCH_DIR = str(pathlib.Path(torch.__file__).parent)
SETTINGS = settings(
    max_examples=40,
    deadline=None,  # fits take a variable time; a hang is caught by the suite's timeout
    derandomize=True,  # the same examples in every run: CI stays deterministic
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FINITE = st.floats(-3, 3, width=32)
SPECIAL = st.sampled_from([np.nan, np.inf, -np.inf, 1e30, -1e30, 1e-30, 3e38, 0.0])


@st.composite
def inputs(draw):
    """An X that a user might pass, well-formed or not."""
    kind = draw(
        st.sampled_from(
            [
                "dense",
                "dense",
                "dense",
                "sparse",
                "dataframe",
                "list",
                "strings",
                "1d",
                "3d",
                "scalar",
                "object",
                "empty",
                "bool",
                "int",
                "complex",
            ]
        )
    )
    n = draw(st.integers(0, 8))
    d = draw(st.integers(0, 5))
    if kind == "scalar":
        return 3.0
    if kind == "strings":
        return [draw(st.text(max_size=5)) for _ in range(n)]
    if kind == "1d":
        return np.array(draw(st.lists(FINITE, min_size=n, max_size=n)), dtype=np.float64)
    if kind == "3d":
        return np.zeros((n, d, 2))
    if kind == "empty":
        return np.empty((0, d))
    values = np.array(
        draw(st.lists(FINITE, min_size=n * d, max_size=n * d)), dtype=np.float64
    ).reshape(n, d)
    if values.size and draw(st.booleans()):  # one special value somewhere, half the time
        values.flat[draw(st.integers(0, values.size - 1))] = draw(SPECIAL)
    if kind == "sparse":
        values[~np.isfinite(values)] = 0.0
        return sp.csr_matrix(values)
    if kind == "dataframe":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(values, columns=[f"f{i}" for i in range(d)])
    if kind == "list":
        return values.tolist()
    if kind == "object":
        out = values.astype(object)
        if out.size:
            out.flat[0] = "a string"
        return out
    if kind == "bool":
        return values > 0
    if kind == "int":
        return np.clip(np.nan_to_num(values), -5, 5).astype(np.int64)
    if kind == "complex":
        return values + 1j
    return values


def targets(est, n):
    if isinstance(est, ClassifierMixin):
        labels = st.sampled_from(
            [
                np.arange(n) % 2,
                np.array(["a", "b"] * n)[:n],
                np.zeros(n),
                np.arange(n + 1) % 2,
                np.full(n, np.nan),
                np.arange(2 * n).reshape(n, 2) % 2,
                None,
            ]
        )
    elif isinstance(est, RegressorMixin):
        labels = st.sampled_from(
            [
                np.linspace(0, 1, n),
                np.full(n, np.nan),
                np.full(n, 1e30),
                np.arange(n + 1) * 1.0,
                np.array(["x"] * n, dtype=object),
                np.ones((n, 2)),
                None,
            ]
        )
    else:
        labels = st.sampled_from([None, np.arange(n)])
    return labels


def _n_rows(X):
    try:
        return len(X) if not sp.issparse(X) else X.shape[0]
    except TypeError:
        return 1


def _call(fn):
    """Run ``fn``: a result, or a ValueError/TypeError that is ours, not torch's."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(), None
    except (ValueError, TypeError) as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        assert frames and not frames[-1].filename.startswith(TORCH_DIR), (
            "an error from inside torch reached the user:\n"
            + "".join(traceback.format_tb(exc.__traceback__))
            + repr(exc)
        )
        assert str(exc).strip(), f"an error without a message: {exc!r}"
        return None, exc


def _check_outputs(est, X):
    for name in (
        "predict",
        "predict_proba",
        "decision_function",
        "transform",
        "score_samples",
        "inverse_transform",
    ):
        if not hasattr(est, name):
            continue
        arg = X
        if name == "inverse_transform":
            codes, err = _call(lambda: est.transform(X))
            if err is not None:
                continue
            arg = codes
        out, err = _call(lambda name=name, arg=arg: getattr(est, name)(arg))
        if err is None:
            out = np.asarray(out)
            if out.dtype.kind == "f":
                assert np.isfinite(out).all(), f"{name} returned NaN or inf"


@pytest.mark.parametrize("cls", list(TEST_PARAMS), ids=lambda c: c.__name__)
def test_random_inputs_work_or_raise_clearly(cls):
    @SETTINGS
    @given(data=st.data())
    def run(data):
        est = clone(cls(**TEST_PARAMS[cls])).set_params(**_fast(cls))
        X = data.draw(inputs(), label="X")
        y = data.draw(targets(est, _n_rows(X)), label="y")
        fitted, err = _call(lambda: est.fit(X, y))
        if err is None:
            for p in est.module_.parameters():
                assert torch.isfinite(p).all(), "fit left NaN/inf weights"
            _check_outputs(est, X)
            X_new = data.draw(inputs(), label="X_new")
            _check_outputs(est, X_new)

    run()


def _fast(cls):
    params = cls().get_params()
    fast = {}
    for name, value in (("max_iter", 5), ("n_iter", 2)):
        if name in params:
            fast[name] = value
    return fast


@pytest.mark.parametrize("method", ["predict", "fit"])
def test_huge_values_never_give_nan(method):
    """1e30 in float32 overflows the network's arithmetic: predict refuses clearly."""
    from sknn import MLPRegressor

    X = np.random.RandomState(0).randn(50, 3)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, X[:, 0])
        if method == "fit":
            reg.fit(X * 1e30, X[:, 0])  # diverges: weights stay finite
            assert all(torch.isfinite(p).all() for p in reg.module_.parameters())
    with torch.no_grad():  # finite, large weights: 1e30-sized inputs overflow float32
        reg.module_.linears[0].weight.fill_(1e10)
    huge = X.copy()
    huge[3] = 1e30
    with pytest.raises(ValueError, match="NaN or infinite for 1 of 50 rows .*row 3"):
        reg.predict(huge.astype(np.float32))
    # float64 X is computed in float64, where 1e40-sized activations are finite
    assert np.isfinite(reg.predict(huge)).all()
