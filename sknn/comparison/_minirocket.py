"""sktime's MiniRocket as a scikit-learn transformer, for the ``minirocket`` baseline.

MiniRocket (Dempster, Schmidt & Webb 2021) turns each series into 9,996 features
(proportions of positive values of dilated convolutions with fixed kernels); a ridge
classifier on them is the time-series baseline of :func:`sknn.compare`. sktime's
transformer is wrapped so that it sits in a scikit-learn ``Pipeline`` like any
other step (sktime's own estimators do not follow scikit-learn 1.9's pipeline
protocol), and sktime is imported only when the step is fitted.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["MiniRocketFeatures", "sktime_installed"]


def sktime_installed():
    """Whether sktime's MiniRocket can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("sktime") is not None


class MiniRocketFeatures(TransformerMixin, BaseEstimator):
    """MiniRocket features of univariate series (rows of X, one value per step).

    Parameters
    ----------
    num_kernels : int, default=10000
        Passed to sktime's ``MiniRocket`` (rounded down to a multiple of 84).
    random_state : int or None, default=None
        Seed of the kernels' biases.

    Attributes
    ----------
    transformer_ : sktime.transformations.panel.rocket.MiniRocket
        The fitted sktime transformer.
    n_features_in_ : int
        Length of the series.
    """

    def __init__(self, num_kernels=10000, random_state=None):
        self.num_kernels = num_kernels
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the kernels' biases on the series X of shape (n_samples, n_steps)."""
        from sktime.transformations.panel.rocket import MiniRocket

        X = validate_data(self, X, dtype=np.float64)
        if X.shape[1] < 9:
            raise ValueError(f"MiniRocket needs series of at least 9 steps, got {X.shape[1]}.")
        self.transformer_ = MiniRocket(num_kernels=self.num_kernels, random_state=self.random_state)
        self.transformer_.fit(X[:, np.newaxis, :])
        return self

    def transform(self, X):
        """The MiniRocket features of X, an array of shape (n_samples, n_features)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(self.transformer_.transform(X[:, np.newaxis, :]), dtype=np.float64)
