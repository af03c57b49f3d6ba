"""The base every sknn estimator shares.

:class:`BaseNeuralEstimator` owns what all estimators have in common, whatever
their training algorithm: the parameters every one takes (``device``,
``random_state``, ``verbose``, checkpoints), input validation, the device,
seeding, the start of a fit (device, threads, seed, checkpoint lookup), how an
interrupted or diverged fit is reported, batched prediction through the module,
persistence (through :mod:`sknn._persistence`) and tags.

Estimators trained by backpropagation derive from
:class:`sknn._backprop.BackpropEstimator`, which adds solvers, the engine and
early stopping; :class:`sknn.RBMTransformer` (contrastive divergence) derives from
this base directly. Classifier and regressor behaviour (targets, ``predict``) is
in :mod:`sknn._mixins`.
"""

import contextlib
import functools
import os
import warnings
import weakref
from abc import ABCMeta, abstractmethod
from numbers import Integral

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _persistence
from ._checkpoint import Checkpoint
from ._engine import runs_serially, serial_threads
from .modules import Float64Copy
from .utils._batching import apply_batched
from .utils._compat import Interval, validate_data
from .utils._torch import resolve_device, seed_sequence, worker_num_threads

__all__ = ["BaseNeuralEstimator", "TrainingDivergedWarning", "check_finite_output"]


def _all_finite(a):
    """Whether a float array is all finite, without an array-sized temporary.

    As scikit-learn does: a finite sum proves it; only when the sum is not finite
    (NaN, inf, or an overflow of huge values) is the element-wise check run.
    """
    if np.isfinite(a.sum(dtype=np.float64)):
        return True
    return bool(np.isfinite(a).all())


def check_finite_output(out, what="The network's outputs"):
    """Return ``out``, or raise a ValueError naming the rows where it is not finite.

    Never hand back NaN: finite weights give non-finite outputs only for inputs far
    outside the range the network was trained on.
    """
    if _all_finite(out):
        return out
    bad = ~np.isfinite(out.reshape(len(out), -1)).all(axis=1)
    raise ValueError(
        f"{what} are NaN or infinite for {int(bad.sum())} of {len(out)} rows (the first "
        f"is row {int(np.argmax(bad))}): their values are too large for float32 "
        "arithmetic. Scale X as it was scaled for fit."
    )


def _is_float64(dtype):
    """Whether a NumPy or torch dtype is float64."""
    if isinstance(dtype, torch.dtype):
        return dtype is torch.float64
    return dtype == np.float64


#: The float64 copy of each estimator's module for float64 predictions on the CPU
#: (``BaseNeuralEstimator._forward``). It is kept beside the estimator, not in it:
#: predicting must leave the estimator's ``__dict__`` unchanged (scikit-learn's
#: ``check_dict_unchanged``), and it is never saved; an entry goes with its estimator.
_FLOAT64_COPIES = weakref.WeakKeyDictionary()

#: What prediction keeps X as: float64 stays float64 (computed in float64 on the CPU,
#: see ``BaseNeuralEstimator._forward``); anything else becomes float32.
PREDICT_DTYPES = [np.float64, np.float32]


class TrainingDivergedWarning(UserWarning):
    """Warning raised when the training loss became NaN or infinite.

    The estimator keeps the last weights for which the loss was finite.
    """


class BaseNeuralEstimator(BaseEstimator, metaclass=ABCMeta):
    """Base class for sknn estimators. Not to be used directly."""

    _parameter_constraints: dict = {
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "checkpoint_dir": [None, str, os.PathLike],
        "checkpoint_every": [Interval(Integral, 1, None, closed="left")],
    }

    #: Rows per forward pass in predict/transform; bounds prediction memory.
    _predict_batch_size = 4096

    @abstractmethod
    def __init__(self):
        pass

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _build_module(self, n_features, n_outputs, generator):
        """Return a new ``nn.Module`` for inputs of ``n_features`` (an int, or the
        sample shape) and ``n_outputs`` outputs, initialised from ``generator``."""

    @abstractmethod
    def _export_engine(self, engine):
        """The training state held in ``_engine`` as NumPy arrays and plain values."""

    @abstractmethod
    def _import_engine(self, data):
        """Rebuild ``_engine`` from :meth:`_export_engine`'s output."""

    #: Attributes derived from the module that are not saved (rebuilt on load by
    #: :meth:`_sync_attributes`).
    _derived_state = ()

    def _sync_module(self):
        """Copy user-editable fitted attributes (e.g. the MLP's ``coefs_``) into the
        module before it is used; nothing by default."""

    def _sync_attributes(self):
        """Expose the module's weights as fitted attributes after it changed;
        nothing by default."""

    def _prepare_X(self, X):
        """Turn validated rows into what the module takes (identity for MLPs)."""
        return X

    def _output(self, raw):
        """Map raw module outputs to what prediction uses (identity by default)."""
        return raw

    # ------------------------------------------------------------- validation
    def _validate_X(self, X, reset, dtype=np.float32):
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=dtype,
            reset=reset,
        )

    def _validate_predict_X(self, X):
        if "_engine" not in self.__dict__:  # (check_is_fitted's walk costs ~5 us a call)
            check_is_fitted(self)
        # Fast path for the common case (a dense float array with the right width,
        # fitted without feature names): the same checks as validate_data, without
        # its overhead, so single-row prediction is cheap.
        if (
            type(X) is np.ndarray
            and X.dtype in (np.float32, np.float64)
            and X.ndim == 2
            and X.shape[0] > 0
            and not hasattr(self, "feature_names_in_")
            and X.shape[1] == self.n_features_in_
        ):
            if not _all_finite(X):
                raise ValueError("Input X contains NaN or infinity.")
            return X
        return self._validate_X(X, reset=False, dtype=PREDICT_DTYPES)

    # ------------------------------------------------------------- the model
    @property
    def _device(self):
        return torch.device(self._engine.device)

    def _is_fitted(self):
        return hasattr(self, "_engine")

    @property
    def module_(self):
        """The fitted ``torch.nn.Module``."""
        try:
            return self._engine.module_
        except AttributeError:
            raise AttributeError("module_ is only available after fit") from None

    @property
    def history_(self):
        """Training history: one dict per epoch (see :mod:`sknn._engine`)."""
        try:
            return self._engine.history_
        except AttributeError:
            raise AttributeError("history_ is only available after fit") from None

    def _new_module(self, in_shape, n_outputs, seed):
        """Build the module for samples of shape ``in_shape``; never changes the
        caller's global torch RNG (layers' default initialisation draws from it)."""
        generator = torch.Generator().manual_seed(seed)
        n_features = in_shape[0] if len(in_shape) == 1 else tuple(in_shape)
        with torch.random.fork_rng(devices=[]):
            return self._build_module(n_features, n_outputs, generator)

    # ---------------------------------------------------------------- fitting
    def _start_fit(self, first_call):
        """The device and the seed of a training call.

        Resolves ``device``, caps torch's threads in a dask worker, and draws the
        call's seed from the estimator's own generator (created from
        ``random_state`` on the first call).
        """
        device = resolve_device(self.device)
        threads = worker_num_threads()
        if threads is not None and threads < torch.get_num_threads():
            # In a dask worker: its concurrent fits share the cores (see
            # sknn.utils._torch.worker_num_threads); the worker process keeps it.
            torch.set_num_threads(threads)
        if first_call:
            self._rng = seed_sequence(self.random_state)
        return device, int(self._rng.randint(np.iinfo(np.int32).max))

    def _find_checkpoint(self, arrays, seed):
        """This run's :class:`~sknn._checkpoint.Checkpoint`, or None without
        ``checkpoint_dir``. Resuming runs with the saved seed."""
        if self.checkpoint_dir is None:
            return None
        return Checkpoint.find(self, arrays, seed)

    def _warn_interrupted(self, detail=""):
        """Ctrl-C stopped a fit: say so, and that the model can be used."""
        warnings.warn(f"Training interrupted by user{detail}; the model is usable.")

    def _warn_diverged(self, where, kept, advice):
        """Training stopped on non-finite values; say where, what was kept, and how
        to avoid it."""
        warnings.warn(
            f"Training diverged {where}; stopped and kept {kept}. {advice}",
            TrainingDivergedWarning,
        )

    # ------------------------------------------------------------- prediction
    def _forward(self, X, fn=None):
        """``fn(module, rows)`` over validated X in bounded chunks, as a NumPy array;
        by default the module's outputs through :meth:`_output` (checked to be
        finite), in the dtype they were computed in.

        Float64 X is computed in float64 on the CPU (with a float64 copy of the
        module, made once and brought up to date with the module's current weights
        on each call: :class:`sknn.modules.Float64Copy`, never saved), as
        scikit-learn's MLP computes in X's dtype. So a row's output does not depend
        on the rows predicted beside it: a float32 kernel's rounding depends on how
        many rows are in the call (BLAS and oneDNN pick their blocking by shape,
        differently on Intel and AMD), by ~1e-7; in float64 the differences are
        ~1e-16, below float32's resolution.
        """
        self._sync_module()
        module = self.module_
        if module.training:  # eval() walks every submodule; skip it when already set
            module.eval()
        X = self._prepare_X(X)
        n = X.shape[0]
        if n == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        device = self._device
        checked = fn is None
        if checked:
            output = self._output

            def fn(module, xb):
                return output(module(xb))

        dtype = None
        batch_size = self._predict_batch_size
        with contextlib.ExitStack() as stack:
            if not _is_float64(X.dtype):
                run = functools.partial(fn, module)
            elif device.type == "cpu":  # (X is float64: rows reach fn as float64)
                run = functools.partial(fn, stack.enter_context(self._float64_module()))
            else:
                run, dtype = functools.partial(fn, module), np.float32  # GPUs: float32
            # Small inputs to a small network run on one thread (see runs_serially).
            with serial_threads(runs_serially(module, min(n, batch_size), device)):
                out = apply_batched(run, X, batch_size, device, dtype=dtype)
        return check_finite_output(out) if checked else out

    @contextlib.contextmanager
    def _float64_module(self):
        """The float64 copy of the module (CPU), holding the module's current
        weights, for the ``with`` block: a :class:`~sknn.modules.Float64Copy` kept
        beside the estimator between calls (made on first use, released after
        each)."""
        cache = _FLOAT64_COPIES.get(self)
        if cache is None:
            cache = _FLOAT64_COPIES[self] = Float64Copy()
        try:
            yield cache.update(self.module_)
        finally:
            cache.release()

    @property
    def _float64_copy(self):
        """The :class:`~sknn.modules.Float64Copy` of this estimator's float64
        predictions on the CPU, or None before the first."""
        return _FLOAT64_COPIES.get(self)

    # ------------------------------------------------------------ persistence
    def _rebuild_module(self, module_args):
        """An untrained module of the saved shape (its weights are loaded next)."""
        in_shape, n_outputs = module_args
        return self._new_module(in_shape, n_outputs, 0)

    def __getstate__(self):
        if self._is_fitted():
            self._sync_module()
        # A copy: on Python >= 3.11 BaseEstimator's state is the instance's __dict__.
        state = _persistence.export_state(self, super().__getstate__())
        for key in self._derived_state:
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        state, engine_state = _persistence.import_state(type(self), state)
        super().__setstate__(state)
        if engine_state is not None:
            self._engine = self._import_engine(engine_state)
            self._sync_attributes()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.non_deterministic = False
        return tags
