"""Checkpoints: the file format, the key of a training run, and finding a run's file.

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

__all__ = ["Checkpoint", "CheckpointError", "load_checkpoint", "run_key", "save_checkpoint"]

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


class Checkpoint:
    """The checkpoint of one training run: where it lives and what it held.

    Parameters
    ----------
    path : pathlib.Path
        The run's file (it may not exist yet).
    key : str
        The run's :func:`run_key`.
    resume : dict or None
        The payload found in ``path`` when the run started, if any.
    seed : int
        The seed the run trains with: the saved one when resuming (so the rest of
        the run draws what the interrupted run would have drawn), else a new one.

    Attributes
    ----------
    meta : dict
        Plain values of the run saved with every payload (e.g. further seeds).
    """

    def __init__(self, path, key, resume, seed):
        self.path, self.key, self.resume, self.seed = path, key, resume, seed
        self.meta = {}

    @classmethod
    def find(cls, estimator, arrays, seed):
        """The checkpoint of ``estimator`` trained on ``arrays``, loaded if it exists.

        Parameters
        ----------
        estimator : BaseEstimator
            With a ``checkpoint_dir`` parameter.
        arrays : sequence of array-like or None
            The training data (as :func:`run_key` takes it).
        seed : int
            The seed of a new run.

        Returns
        -------
        checkpoint : Checkpoint

        Raises
        ------
        ValueError
            If the file belongs to another run, or is damaged (:class:`CheckpointError`).
        """
        key = run_key(estimator, arrays)
        name = f"{type(estimator).__name__}-{key[:20]}.ckpt"
        path = pathlib.Path(estimator.checkpoint_dir) / name
        resume = None
        if path.exists():
            resume = load_checkpoint(path)
            if resume.get("key") != key:
                raise ValueError(
                    f"The checkpoint {path} belongs to another training run (different "
                    "parameters or data); delete it to start from scratch."
                )
            seed = int(resume["seed"])
        return cls(path, key, resume, seed)

    def save(self, payload):
        """Write ``payload`` (tensors and plain values) with the run's key and seed."""
        save_checkpoint(self.path, {"key": self.key, "seed": self.seed, **self.meta, **payload})

    def discard(self):
        """Delete the file: the run is over."""
        self.path.unlink(missing_ok=True)
