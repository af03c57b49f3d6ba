"""Checks of array-shaped parameters: positive-int tuples and input shapes."""

import math
from numbers import Integral

import numpy as np

__all__ = ["check_input_shape", "check_int_tuple", "rows_to_shape"]


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
