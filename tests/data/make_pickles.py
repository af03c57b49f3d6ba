"""Write the stored pickles that tests/test_persistence.py loads.

Run once with the sknn release named in the file names (``python
tests/data/make_pickles.py`` from the repository root). The pickles, and the
outputs each model gave when it was saved, are committed, so that every later
sknn is tested to load what an earlier one wrote. Do not regenerate them with a
newer sknn: add a new set beside them instead.
"""

import pathlib
import pickle
import sys
import warnings

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.datasets import make_classification

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from test_common import TEST_PARAMS  # noqa: E402

import sknn  # noqa: E402
from sknn import MLPClassifier, PerceptronClassifier, RBMTransformer  # noqa: E402

OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform", "score_samples")

VARIANTS = {
    "MLPClassifier-early-stopping": (
        MLPClassifier,
        dict(TEST_PARAMS[MLPClassifier], early_stopping=True, dropout=0.1),
    ),
    "PerceptronClassifier-l2": (
        PerceptronClassifier,
        dict(TEST_PARAMS[PerceptronClassifier], penalty="l2", alpha=1e-3),
    ),
    "RBMTransformer-stack": (
        RBMTransformer,
        dict(n_components=[6, 3], n_iter=3, learning_rate=0.05, random_state=0, device="cpu"),
    ),
}


def main():
    out_dir = pathlib.Path(__file__).parent / "pickles"
    out_dir.mkdir(exist_ok=True)
    X, y = make_classification(n_samples=60, n_features=6, n_informative=4, random_state=0)
    X = X.astype(np.float32)
    models = {cls.__name__: (cls, params) for cls, params in TEST_PARAMS.items()}
    models.update(VARIANTS)
    for name, (cls, params) in models.items():
        est = cls(**params)
        Xf = X
        if isinstance(est, RBMTransformer) and est.visible_unit == "bernoulli":
            Xf = (X - X.min(0)) / (X.max(0) - X.min(0))
        if isinstance(est, RegressorMixin):
            target = Xf[:, 0] * 2.0 + Xf[:, 1]
        elif isinstance(est, ClassifierMixin):
            target = y
        else:
            target = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(Xf, target)
        outputs = {m: np.asarray(getattr(est, m)(Xf)) for m in OUTPUT_METHODS if hasattr(est, m)}
        stem = f"{name}-sknn{sknn.__version__}"
        (out_dir / f"{stem}.pkl").write_bytes(pickle.dumps(est, protocol=4))
        np.savez(out_dir / f"{stem}.npz", X=Xf, **outputs)
        print(stem, sorted(outputs))


if __name__ == "__main__":
    main()
