"""Token-id input shared by the estimators that embed tokens (RNNs, convnets):
how integer X is recognised as token ids, checked, and laid out."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from ._compat import Interval, Options, StrOptions

__all__ = [
    "AUTO_MAX_VOCAB",
    "AUTO_STOPPING",
    "PADDING_ID",
    "STOPPING_CONSTRAINTS",
    "TEXT_MAX_TOKENS",
    "as_ids",
    "compact",
    "holds_ids",
    "reads_tokens",
    "resolve_stopping",
]

#: The token id that marks padding (and is never a real token).
PADDING_ID = 0

#: With ``embedding_dim='auto'`` and no ``vocab_size``, integer X whose largest
#: value reaches this is refused rather than given a table of that many rows.
AUTO_MAX_VOCAB = 2**20

#: The networks read the first this many tokens of each text (a bound on the cost
#: of long documents: 85 % of the BBC news articles are shorter).
TEXT_MAX_TOKENS = 512

#: ``tol='auto'`` and ``n_iter_no_change='auto'``: scikit-learn's MLP values (key
#: False) for numeric input; on token ids (key True), stop once the training loss
#: has improved by less than 0.01 for 3 epochs in a row. A text network fits its
#: training set within a few epochs; its training loss then creeps towards 0 for
#: dozens more while the test accuracy stays put (benchmarks/bench_text.py).
AUTO_STOPPING = {
    "tol": {False: 1e-4, True: 0.01},
    "n_iter_no_change": {False: 10, True: 2},
}

#: The parameter constraints of ``tol`` and ``n_iter_no_change`` with 'auto'.
STOPPING_CONSTRAINTS = {
    "tol": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
        StrOptions({"auto"}),
    ],
}


def holds_ids(X, kind):
    """Whether X can only be token ids: non-negative integers, as 2-D rows or as a
    list of 1-D sequences (``embedding_dim='auto'`` embeds them). Empty sequences
    (e.g. ``[]``, which NumPy reads as float) do not count either way."""
    if kind == "nd":
        return False
    if kind == "ragged":
        seqs, ndim = [np.asarray(s) for s in X], 1
    elif sp.issparse(X):
        seqs, ndim = [sp.csr_matrix(X).data], 1  # every format (DOK has no .data)
    else:
        try:
            seqs, ndim = [np.asarray(X)], 2  # rows: ndarray, list of lists, DataFrame
        except (ValueError, TypeError):  # scikit-learn's validation says what is wrong
            return False
    seqs = [s for s in seqs if s.size]
    return bool(seqs) and all(
        s.ndim == ndim and s.dtype.kind in "iu" and s.min() >= 0 for s in seqs
    )


def as_ids(X, vocab_size=None):
    """Integer token ids (int64), checked: whole, non-negative, below vocab_size."""
    X = np.asarray(X)
    if X.dtype.kind == "f":
        if not np.isfinite(X).all() or not np.all(X == np.round(X)):
            raise ValueError(
                "X holds integer token ids (the estimator embeds them); got non-integer values."
            )
    elif X.dtype.kind not in "iu":
        raise ValueError(
            f"X holds integer token ids (the estimator embeds them); got dtype {X.dtype}."
        )
    if X.size and X.min() < 0:
        raise ValueError("Token ids must be >= 0 (0 is padding); got negative ids.")
    X = X.astype(np.int64, copy=False)
    if vocab_size is not None and X.size and X.max() >= vocab_size:
        raise ValueError(
            f"X holds token id {int(X.max())}, but the embedding has vocab_size="
            f"{vocab_size} rows (ids 0 .. {vocab_size - 1}). Pass a larger vocab_size "
            "(e.g. TextSequencer's vocabulary_size_)."
        )
    return X


def compact(ids):
    """Move the padding ids of each row to its end, keeping the tokens' order."""
    order = np.argsort(ids == PADDING_ID, axis=1, kind="stable")
    return np.take_along_axis(ids, order, axis=1)


def reads_tokens(embedding_dim, input_shape, vocab_size, X, kind):
    """Whether an estimator reads X as token ids (the rule of the RNN and the convnet).

    ``embedding_dim='auto'``: when ``input_shape`` is None and X holds ids
    (:func:`holds_ids`); an int: always; None: never. A ``vocab_size`` with X that
    is not read as ids is a ValueError.
    """
    if embedding_dim == "auto":
        tokens = input_shape is None and holds_ids(X, kind)
    else:
        tokens = embedding_dim is not None
    if vocab_size is not None and not tokens:
        raise ValueError(
            f"vocab_size={vocab_size} is the size of a token embedding, but X "
            "does not hold token ids (non-negative integers, as 2-D rows or a list of "
            "1-D sequences). Pass an int embedding_dim to read whole-number floats as "
            "ids, or drop vocab_size."
        )
    return tokens


def resolve_stopping(stopping, tokens):
    """The stopping parameters ``stopping`` (a dict, see
    ``BackpropEstimator._stopping``) with ``tol='auto'`` and
    ``n_iter_no_change='auto'`` resolved by :data:`AUTO_STOPPING`: for token ids
    when ``tokens`` is true (a stochastic solver on token ids), else scikit-learn's
    MLP values."""
    stopping = dict(stopping)
    for name, values in AUTO_STOPPING.items():
        if isinstance(stopping[name], str):  # 'auto'
            stopping[name] = values[bool(tokens)]
    return stopping
