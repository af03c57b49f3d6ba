"""scikit-learn's ``neural_network/tests/test_mlp.py`` run on sknn's MLP classes."""

from tests.conformance._rewrite import load_sklearn_tests

load_sklearn_tests("neural_network/tests/test_mlp.py", globals())
