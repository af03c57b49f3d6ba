"""scikit-learn's ``neural_network/tests/test_rbm.py`` run on ``RBMTransformer``."""

from tests.conformance._rewrite import load_sklearn_tests

load_sklearn_tests("neural_network/tests/test_rbm.py", globals())
