"""The one place that imports scikit-learn's private tools.

Parameter-validation helpers (``Interval``, ``StrOptions``, ``_fit_context``) are
private in scikit-learn; keeping every import here means a scikit-learn upgrade
touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Hidden, Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "validate_data",
]
