"""Persistence: what a pickled (or skops-saved, or checkpointed) estimator holds.

The torch objects (module, optimizer, engine) are not pickled as such: the state
holds their tensors as NumPy arrays and plain values, and the estimator rebuilds
them from its parameters on load. So a saved model holds only NumPy arrays, plain
Python values and scikit-learn objects, which makes it loadable without CUDA,
smaller, loadable with :mod:`skops.io`, and independent of torch's and the engine's
internal layouts.

:func:`export_state` and :func:`import_state` wrap an estimator's ``__dict__``
with the format version; an estimator class supplies ``_export_engine`` and
``_import_engine`` for its torch objects (see :mod:`sknn._base`).
"""

import inspect
import warnings

import numpy as np
import torch

from ._version import __version__

__all__ = [
    "PERSISTENCE_FORMAT",
    "export_state",
    "import_state",
    "load_device",
    "plain",
    "skops_trusted_types",
    "to_cpu",
    "to_numpy_tree",
    "to_tensor_tree",
]

#: Layout of the state that pickle (and skops, and checkpoints) store. Bump it when
#: the layout changes; :func:`migrate_state` upgrades older layouts it knows, and
#: loading a newer layout than this sknn understands fails with a clear error.
PERSISTENCE_FORMAT = 1

#: Attributes that live only during a fit and are never saved.
_TRANSIENT = ("_good_state", "_best_state", "_run", "_checkpoint")


def _tree(value, leaf_type, convert):
    """Apply ``convert`` to every ``leaf_type`` leaf of nested dicts, lists, tuples."""
    if isinstance(value, leaf_type):
        return convert(value)
    if isinstance(value, dict):
        return {k: _tree(v, leaf_type, convert) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_tree(v, leaf_type, convert) for v in value)
    return value


def to_numpy_tree(value):
    """Tensors to NumPy arrays, recursively through dicts, lists and tuples."""
    return _tree(value, torch.Tensor, lambda t: t.detach().cpu().numpy().copy())


def to_tensor_tree(value):
    """NumPy arrays back to tensors, recursively (the inverse of ``to_numpy_tree``)."""
    return _tree(value, np.ndarray, lambda a: torch.from_numpy(np.array(a)))


def to_cpu(value):
    """Tensors to CPU tensors, recursively."""
    return _tree(value, torch.Tensor, lambda t: t.detach().cpu())


def plain(value):
    """NumPy scalars and arrays to Python values, recursively (for checkpoints)."""
    return _tree(value, (np.generic, np.ndarray), lambda a: a.item() if a.ndim == 0 else a.tolist())


def export_state(estimator, state):
    """The state to save for ``estimator``, from its ``__dict__`` copy ``state``.

    The engine (``_engine``) is replaced by ``estimator._export_engine(engine)``
    and the format version and sknn release are added.
    """
    state = dict(state)
    for key in _TRANSIENT:
        state.pop(key, None)
    engine = state.pop("_engine", None)
    if engine is not None:
        state["_engine_state"] = estimator._export_engine(engine)
    state["_sknn_version"] = __version__
    state["_sknn_format"] = PERSISTENCE_FORMAT
    return state


def import_state(cls, state):
    """Check and upgrade a saved state; returns ``(state, engine_state)``.

    Raises
    ------
    ValueError
        If the state was saved by an sknn whose format this one cannot read.
    """
    state = dict(state)
    saved_format = state.pop("_sknn_format", None)
    saved_version = state.pop("_sknn_version", "unknown")
    if saved_format is None or saved_format > PERSISTENCE_FORMAT:
        raise ValueError(
            f"This {cls.__name__} was saved by sknn {saved_version} "
            f"(state format {saved_format}), which this sknn {__version__} (state "
            f"format {PERSISTENCE_FORMAT}) cannot read. Load it with sknn "
            f"{saved_version}, or refit the model."
        )
    if saved_format < PERSISTENCE_FORMAT:
        state = migrate_state(cls, state, saved_format)
    return state, state.pop("_engine_state", None)


def migrate_state(cls, state, saved_format):
    """Upgrade a state saved in an older format (none exists yet)."""
    raise ValueError(f"sknn cannot migrate a {cls.__name__} saved in state format {saved_format}.")


def load_device(saved):
    """The saved device if it exists here, else the CPU (with a warning)."""
    if saved.startswith("cuda"):
        index = int(saved.split(":")[1]) if ":" in saved else 0
        if index < torch.cuda.device_count():
            return torch.device(saved)
        warnings.warn(
            f"The model was saved on device {saved!r}, but there are no CUDA devices "
            f"with that index here ({torch.cuda.device_count()} found); it was loaded "
            "onto the CPU.",
            UserWarning,
        )
    return torch.device("cpu")


def _public_classes(cls):
    """``cls`` and its subclasses defined in sknn under public names."""
    found = set()
    for sub in cls.__subclasses__():
        found |= _public_classes(sub)
    public = cls.__module__.split(".")[0] == "sknn" and not cls.__name__.startswith("_")
    if public and not inspect.isabstract(cls):
        found.add(cls)
    return found


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

    return sorted(f"{c.__module__}.{c.__qualname__}" for c in _public_classes(BaseEstimator))
