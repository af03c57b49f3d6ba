"""scikit-learn's ``linear_model/tests/test_perceptron.py`` run on ``PerceptronClassifier``."""

from tests.conformance._rewrite import load_sklearn_tests

load_sklearn_tests("linear_model/tests/test_perceptron.py", globals())
