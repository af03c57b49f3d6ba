"""Checkpoint files: atomic writes, integrity checks, and the key of a training run.

A checkpoint is one file per training run (estimator class, parameters and data),
so one directory can serve a whole ``GridSearchCV``. The file starts with a magic
line and the SHA-256 of the payload (a ``torch.save`` of tensors and plain
values, read back with ``weights_only=True``), is written to a temporary name,
flushed to disk and renamed over the old one: a crash leaves either the old or
the new checkpoint, never half of one, and a damaged file is detected.
"""

import hashlib
import io
import json
import os
import pathlib

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["CheckpointError", "load_checkpoint", "run_key", "save_checkpoint"]

_MAGIC = b"SKNN-CHECKPOINT 1\n"


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, partial, or not an sknn checkpoint."""


def _hash_array(h, a):
    if a is None:
        h.update(b"none")
        return
    if sp.issparse(a):
        a = a.tocsr()
        for part in (a.data, a.indices, a.indptr):
            _hash_array(h, part)
        h.update(str(a.shape).encode())
        return
    a = np.ascontiguousarray(a)
    h.update(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.view(np.uint8).reshape(-1) if a.size else b"")


def run_key(estimator, arrays):
    """A hex digest identifying a training run: class, parameters and data.

    Parameters
    ----------
    estimator : BaseEstimator
        Its class name and parameters (except the checkpoint ones) enter the key.
    arrays : sequence of array-like or None
        The training data (X, y, sample weights).

    Returns
    -------
    key : str
    """
    params = {
        k: v for k, v in estimator.get_params(deep=False).items() if not k.startswith("checkpoint")
    }
    h = hashlib.sha256()
    h.update(type(estimator).__qualname__.encode())
    h.update(json.dumps(params, sort_keys=True, default=repr).encode())
    for a in arrays:
        _hash_array(h, a)
    return h.hexdigest()


def save_checkpoint(path, payload):
    """Write ``payload`` (tensors and plain values) to ``path`` atomically."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest().encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(_MAGIC + digest + b"\n" + data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:  # make the rename itself durable
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def load_checkpoint(path):
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises
    ------
    CheckpointError
        If the file is not an sknn checkpoint, is truncated or was modified.
    """
    path = pathlib.Path(path)
    raw = path.read_bytes()
    if not raw.startswith(_MAGIC):
        raise CheckpointError(
            f"{path} is not an sknn checkpoint (bad header); delete it to start the "
            "training run from scratch."
        )
    rest = raw[len(_MAGIC) :]
    digest, sep, data = rest.partition(b"\n")
    if not sep or hashlib.sha256(data).hexdigest().encode() != digest:
        raise CheckpointError(
            f"The checkpoint {path} is corrupt or partial (its checksum does not match); "
            "delete it to start the training run from scratch."
        )
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # a valid checksum but an unreadable payload
        raise CheckpointError(f"The checkpoint {path} cannot be read: {exc}") from exc
