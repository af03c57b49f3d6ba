"""Fixtures scikit-learn's own conftest gives its tests, and the deselection list."""

import os
from pathlib import Path

from tests.conformance.deselected import DESELECTED

HERE = Path(__file__).resolve().parent


def pytest_generate_tests(metafunc):
    # scikit-learn's conftest parametrises ``global_random_seed`` from
    # SKLEARN_TESTS_GLOBAL_RANDOM_SEED, 42 when unset; do the same.
    if "global_random_seed" in metafunc.fixturenames:
        value = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
        if value is None:
            seeds = [42]
        elif value == "all":
            seeds = list(range(100))
        elif "-" in value:
            start, stop = value.split("-")
            seeds = list(range(int(start), int(stop) + 1))
        else:
            seeds = [int(value)]
        metafunc.parametrize("global_random_seed", seeds)


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items; only this folder's are matched.
    keep, drop = [], []
    for item in items:
        name = f"{item.path.stem}::{item.name}" if item.path.parent == HERE else None
        (drop if name in DESELECTED else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
