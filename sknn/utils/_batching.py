"""Applying a module to the rows of X in bounded chunks (prediction, transforms)."""

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["apply_batched", "as_tensor_rows"]


def as_tensor_rows(chunk, device, dtype=None):
    """Rows (NumPy array, sparse matrix or tensor) as a dense tensor on ``device``."""
    if isinstance(chunk, torch.Tensor):
        if dtype is not None:
            return chunk.to(device, dtype=torch.from_numpy(np.empty(0, dtype)).dtype)
        return chunk.to(device)
    if sp.issparse(chunk):
        chunk = chunk.toarray()
    return torch.from_numpy(np.ascontiguousarray(chunk, dtype=dtype)).to(device)


def apply_batched(fn, X, batch_size, device, dtype=None, *, extra=None, as_numpy=True):
    """``fn(rows)`` over ``X`` in chunks of ``batch_size`` rows, as one NumPy array.

    Runs under ``torch.inference_mode``. Each chunk's output is copied into one
    preallocated array and no chunk is kept alive: a kept chunk output pins the
    allocator block that held the chunk's (much larger) activations, and memory
    would then grow with the number of rows instead of staying bounded by the
    chunk.

    Parameters
    ----------
    fn : callable
        ``fn(tensor) -> tensor`` with one output row per input row.
    X : ndarray, sparse matrix or torch.Tensor
        Rows (a sparse matrix is densified one chunk at a time).
    batch_size : int
        Rows per call of ``fn``.
    device : torch.device
        Where ``fn`` runs.
    dtype : numpy dtype, optional
        Convert each NumPy chunk to this dtype first.
    extra : ndarray, optional
        Per-row values passed to ``fn`` beside the rows, chunk by chunk:
        ``fn(rows, extra[start:stop])``.
    as_numpy : bool, default=True
        Return a NumPy array; False returns a tensor on ``device`` (to feed
        further computation there, e.g. the next layer of a stack).

    Returns
    -------
    out : ndarray or torch.Tensor of shape (n_samples, ...)
    """
    n = X.shape[0]
    result = None
    with torch.inference_mode():
        for start in range(0, n, batch_size):
            stop = start + batch_size
            xb = as_tensor_rows(X[start:stop], device, dtype)
            out = fn(xb) if extra is None else fn(xb, extra[start:stop])
            if as_numpy:
                out = out.cpu().numpy()
            if n <= batch_size:
                result = out
                break
            if result is None:
                shape = (n, *out.shape[1:])
                result = (
                    np.empty(shape, dtype=out.dtype)
                    if as_numpy
                    else torch.empty(shape, dtype=out.dtype, device=out.device)
                )
            result[start : start + len(out)] = out
            del out, xb
    # A tensor made under inference mode cannot take part in autograd later: copy it.
    return result if as_numpy else result.clone()
