"""Checks of array-shaped parameters (positive-int tuples, input shapes) and of the
layout of sequence input."""

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp

__all__ = ["check_input_shape", "check_int_tuple", "rows_to_shape", "sequence_layout"]


def _is_int(v):
    return isinstance(v, (Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def check_int_tuple(value, name, allow_empty=True):
    """``value`` (an int or a sequence of ints) as a tuple of positive ints.

    Raises
    ------
    ValueError
        Naming ``name``, if a value is not a positive int (or none is given and
        ``allow_empty`` is False).
    """
    values = list(value) if hasattr(value, "__iter__") else [value]
    for v in values:
        if not _is_int(v) or v <= 0:
            raise ValueError(f"{name} must be > 0 integers, got {value!r}.")
    if not values and not allow_empty:
        raise ValueError(f"{name} must name at least one value, got {value!r}.")
    return tuple(int(v) for v in values)


def check_input_shape(shape, lengths, layout):
    """An ``input_shape`` parameter checked: a tuple of ``lengths`` positive ints,
    at most one of them -1 (inferred); None stays None.

    Parameters
    ----------
    shape : array-like or None
    lengths : tuple of int
        The numbers of dimensions allowed.
    layout : str
        What the dimensions are, for the message (e.g. ``'(timesteps, n_features)'``).
    """
    if shape is None:
        return None
    given = shape
    shape = tuple(shape)
    ok = (
        len(shape) in lengths
        and all(_is_int(s) and (s > 0 or s == -1) for s in shape)
        and sum(s == -1 for s in shape) <= 1
    )
    if not ok:
        raise ValueError(
            f"input_shape must be {layout}: positive integers, at most one of them -1 "
            f"(inferred); got {given!r}."
        )
    return tuple(int(s) for s in shape)


def rows_to_shape(n_columns, shape, given):
    """The sample shape of rows of ``n_columns`` values laid out as ``shape``
    (a checked ``input_shape``, which may hold one -1); ``given`` is the
    parameter as the user passed it, for messages."""
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if n_columns % known:
            raise ValueError(f"Cannot reshape rows of {n_columns} values to input_shape={given!r}.")
        return tuple(n_columns // known if s == -1 else s for s in shape)
    if known != n_columns:
        raise ValueError(
            f"input_shape={given!r} has {known} values per sample, but X has {n_columns} columns."
        )
    return shape


def sequence_layout(X):
    """How ``X`` holds samples: 'rows' (2-D, or anything scikit-learn's validation
    should judge), 'nd' (a dense array of 3 or more dimensions) or 'ragged' (a list,
    tuple or 1-D object array of sequences of different lengths, which NumPy cannot
    stack into one array)."""
    if sp.issparse(X) or hasattr(X, "columns") or isinstance(X, (str, bytes)):
        return "rows"
    if isinstance(X, np.ndarray) and X.dtype != object:
        return "nd" if X.ndim >= 3 else "rows"
    if not isinstance(X, (np.ndarray, list, tuple)):
        return "rows"
    try:
        arr = np.asarray(X)
    except ValueError:  # inhomogeneous nesting: sequences of different lengths
        return "ragged"
    if (
        arr.dtype == object
        and arr.ndim == 1
        and len(arr)
        and all(isinstance(s, (list, tuple, np.ndarray)) for s in arr)
    ):
        return "ragged"
    return "nd" if arr.ndim >= 3 and arr.dtype != object else "rows"
