"""Loading saved models safely with skops."""

__all__ = ["skops_trusted_types"]


def skops_trusted_types():
    """Names of the sknn types that a model saved with :mod:`skops.io` contains.

    A fitted sknn estimator's saved state holds only NumPy arrays, plain Python
    values and scikit-learn objects (its PyTorch module and optimizer are stored
    as arrays and rebuilt on load), so the only types that skops does not trust
    by default are the sknn estimator classes themselves. Pass this list, or the
    subset you expect, as ``trusted`` to :func:`skops.io.load`.

    Returns
    -------
    names : list of str
        Fully qualified class names, e.g. ``'sknn._mlp.MLPClassifier'``.

    Examples
    --------
    >>> import sknn
    >>> "sknn._mlp.MLPClassifier" in sknn.skops_trusted_types()
    True
    """
    from sklearn.base import BaseEstimator

    import sknn

    names = []
    for name in sknn.__all__:
        obj = getattr(sknn, name)
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            names.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)
