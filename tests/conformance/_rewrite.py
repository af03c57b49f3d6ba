"""Load scikit-learn's own test files with their estimator imports pointed at sknn.

The test code is read from the installed scikit-learn at collection time; none
of it is copied into this repository.  Each rewrite is an exact line that must
be present, so a scikit-learn release that changes its imports fails loudly
here instead of silently testing scikit-learn's own classes.
"""

from pathlib import Path

import sklearn

SKLEARN_DIR = Path(sklearn.__file__).parent

#: test file (relative to the installed scikit-learn) -> {line: replacement}
REWRITES = {
    "neural_network/tests/test_mlp.py": {
        "from sklearn.neural_network import MLPClassifier, MLPRegressor": (
            "from sknn import MLPClassifier, MLPRegressor"
        ),
    },
    "neural_network/tests/test_rbm.py": {
        "from sklearn.neural_network import BernoulliRBM": (
            "from sknn import RBMTransformer as BernoulliRBM"
        ),
    },
    "linear_model/tests/test_perceptron.py": {
        "from sklearn.linear_model import Perceptron": (
            "from sknn import PerceptronClassifier as Perceptron"
        ),
    },
}


def load_sklearn_tests(relpath, namespace):
    """Execute scikit-learn's test file ``relpath`` into ``namespace``.

    Every line of ``REWRITES[relpath]`` must occur exactly once.
    """
    path = SKLEARN_DIR / relpath
    source = path.read_text()
    lines = source.splitlines()
    for old, new in REWRITES[relpath].items():
        hits = [i for i, line in enumerate(lines) if line == old]
        if len(hits) != 1:
            raise RuntimeError(
                f"{path}: expected the line {old!r} exactly once, found it "
                f"{len(hits)} times; update tests/conformance/_rewrite.py for "
                f"scikit-learn {sklearn.__version__}."
            )
        lines[hits[0]] = new
    code = compile("\n".join(lines) + "\n", str(path), "exec")
    exec(code, namespace)
