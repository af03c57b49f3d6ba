"""Test-session settings."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """Run NumPy's BLAS on one thread during the tests.

    The tests fit small models; on a 2-core machine that is busy with anything
    else, OpenBLAS's worker threads spin against each other and a 0.3 s
    LogisticRegression fit was seen to take 40 s. One thread is both fast and
    steady here. (torch's own thread count is left alone.)
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
