"""The deselection list is short, names real tests, and gives accepted reasons."""

import pytest

from tests.conformance import deselected
from tests.conformance._rewrite import REWRITES, load_sklearn_tests


def _collected_names():
    names = set()
    for relpath in REWRITES:
        namespace = {}
        load_sklearn_tests(relpath, namespace)
        module = "test_sklearn_" + relpath.rsplit("/", 1)[-1][len("test_") : -len(".py")]
        for name, obj in namespace.items():
            if name.startswith("test_") and callable(obj):
                names.add(f"{module}::{name}")
    return names


@pytest.mark.parametrize("key", sorted(deselected.DESELECTED))
def test_each_entry_names_a_test_and_an_accepted_reason(key):
    assert deselected.DESELECTED[key] in deselected.ACCEPTED_REASONS
    assert key.split("[")[0] in _collected_names()
