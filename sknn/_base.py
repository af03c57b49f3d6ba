"""The shared base of every sknn estimator.

:class:`BaseNeuralEstimator` owns what all estimators have in common: parameter
and input validation, the device, seeding, the training loop (through the skorch
engine in :mod:`sknn._engine`), scikit-learn's stopping rules, early stopping that
restores the best weights, divergence and Ctrl-C handling, history attributes,
batched prediction and pickling. A subclass says only what is particular to it
through a handful of hooks: ``_build_module``, ``_loss_name``, ``_encode_y``,
``_validation_score`` and ``_output``.
"""

import copy
import os
import pathlib
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._checkpoint import load_checkpoint, run_key, save_checkpoint
from ._engine import EpochHook, TensorBatches, fit_lbfgs, make_engine
from ._version import __version__
from .modules import SampleLoss
from .utils._compat import (
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from .utils._torch import resolve_device, seed_sequence, torch_rng_scope, worker_num_threads

__all__ = [
    "BaseNeuralEstimator",
    "NeuralClassifierMixin",
    "NeuralRegressorMixin",
    "TrainingDivergedWarning",
]


#: Layout of the state that pickle (and skops, and checkpoints) store. Bump it when
#: the layout changes; ``_migrate_state`` upgrades older layouts it knows, and
#: loading a newer layout than this sknn understands fails with a clear error.
PERSISTENCE_FORMAT = 1


def _to_numpy_tree(value):
    """Tensors to NumPy arrays, recursively through dicts, lists and tuples."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, dict):
        return {k: _to_numpy_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy_tree(v) for v in value)
    return value


def _to_tensor_tree(value):
    """NumPy arrays back to tensors, recursively (the inverse of ``_to_numpy_tree``)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))
    if isinstance(value, dict):
        return {k: _to_tensor_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_tensor_tree(v) for v in value)
    return value


def _to_cpu(value):
    """Tensors to CPU tensors, recursively."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value


def _plain(value):
    """NumPy scalars and arrays to Python values, recursively (for checkpoints)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _all_finite(a):
    """Whether a float array is all finite, without an array-sized temporary.

    As scikit-learn does: a finite sum proves it; only when the sum is not finite
    (NaN, inf, or an overflow of huge values) is the element-wise check run.
    """
    if np.isfinite(a.sum(dtype=np.float64)):
        return True
    return bool(np.isfinite(a).all())


def _check_finite_output(out, what="The network's outputs"):
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


class TrainingDivergedWarning(UserWarning):
    """Warning raised when the training loss became NaN or infinite.

    The estimator keeps the last weights for which the loss was finite.
    """


class BaseNeuralEstimator(BaseEstimator, metaclass=ABCMeta):
    """Base class for sknn estimators. Not to be used directly."""

    _parameter_constraints: dict = {
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "checkpoint_dir": [None, str, os.PathLike],
        "checkpoint_every": [Interval(Integral, 1, None, closed="left")],
        "precision": [None, StrOptions({"bf16", "fp16"})],
        "compile": ["boolean"],
    }

    #: How sample weights enter the batch loss: 'weights' divides the weighted sum by
    #: the weights' sum (scikit-learn's MLP), 'count' by the batch size (its SGD models).
    _weight_normalization = "weights"

    #: Stop once the no-improvement count exceeds ``n_iter_no_change - offset``:
    #: 0 for scikit-learn's MLP rule (count > n), 1 for its SGD rule (count >= n).
    _patience_offset = 0

    #: Rows per forward pass in predict/transform; bounds prediction memory.
    _predict_batch_size = 4096

    @abstractmethod
    def __init__(self):
        pass

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _build_module(self, n_features, n_outputs, generator):
        """Return a new ``nn.Module`` mapping rows to ``n_outputs`` raw outputs."""

    # The next three hooks serve the backpropagation loop (``_fit``); an estimator
    # with its own training algorithm (the RBM's contrastive divergence) overrides
    # ``_fit`` instead and never reaches them.
    def _loss_name(self):
        """Return the key of :data:`sknn.modules.LOSSES` to train with."""
        raise NotImplementedError(f"{type(self).__name__} does not train by backpropagation")

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        """Validate ``y`` and return ``(y_train, n_outputs)``.

        ``y_train`` is a NumPy array: int64 class indices or float32 targets.
        """
        raise NotImplementedError(f"{type(self).__name__} does not train by backpropagation")

    def _validation_score(self, X, y, sample_weight):
        """Score on held-out data for early stopping (higher is better)."""
        raise NotImplementedError(f"{type(self).__name__} does not train by backpropagation")

    def _check_params(self):
        """Cross-parameter checks; subclasses extend it."""

    def _solver_name(self):
        """``'adam'``, ``'sgd'`` or ``'lbfgs'``."""
        return self.solver

    def _optimizer_params(self):
        """Keyword values the solver is built from (see ``_engine.make_engine``)."""
        names = (
            "learning_rate_init",
            "momentum",
            "nesterovs_momentum",
            "beta_1",
            "beta_2",
            "epsilon",
        )
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    def _l2_alpha(self):
        """L2 strength applied scikit-learn-MLP style (``alpha / batch weight``)."""
        return self.alpha

    def _penalty(self):
        """Optional ``callable(module) -> scalar tensor`` added to every batch loss."""
        return None

    def _extra_callbacks(self):
        """Extra skorch callbacks ``[(name, callback)]``, e.g. weight constraints."""
        return []

    def _prepare_X(self, X):
        """Turn validated rows into what the module takes (identity for MLPs)."""
        return X

    def _make_loss(self):
        """The training criterion, a :class:`sknn.modules.SampleLoss`."""
        return SampleLoss(self._loss_name(), normalize=self._weight_normalization)

    def _sample_weight_multiplier(self, y):
        """Extra per-sample weights (e.g. from ``class_weight``); None for none."""
        return None

    def _before_initialize(self, X):
        """Called with the validated training rows just before a new module is
        built (e.g. to fit an unsupervised pre-training model); does nothing here."""

    # ------------------------------------------------------------- validation
    def _validate_X(self, X, reset):
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=np.float32,
            reset=reset,
        )

    def _validate_Xy(self, X, y, reset):
        return validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=np.float32,
            multi_output=True,
            y_numeric=not hasattr(self, "_label_binarizer_cls"),
            reset=reset,
        )

    @property
    def _device(self):
        return torch.device(self._engine.device)

    def _is_fitted(self):
        return hasattr(self, "_engine")

    # ---------------------------------------------------------------- fitting
    # ``_fit_context`` validates ``_parameter_constraints`` once per public call.
    @_fit_context(prefer_skip_nested_validation=True)
    def _fit_with_context(self, X, y, sample_weight=None):
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit_with_context(self, X, y, sample_weight=None, classes=None):
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight=None, *, incremental=False, classes=None):
        first_call = not self._is_fitted() or (not self.warm_start and not incremental)
        self._check_params()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = self._validate_Xy(X, y, reset=first_call)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        y, n_outputs = self._encode_y(
            y, first_call=first_call, incremental=incremental, classes=classes
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
            if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
                raise ValueError("sample_weight must be finite and non-negative.")
        multiplier = self._sample_weight_multiplier(y)
        if multiplier is not None:
            sample_weight = multiplier if sample_weight is None else sample_weight * multiplier
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")

        device = resolve_device(self.device)
        threads = worker_num_threads()
        if threads is not None and threads < torch.get_num_threads():
            # In a dask worker: its concurrent fits share the cores (see
            # sknn.utils._torch.worker_num_threads); the worker process keeps it.
            torch.set_num_threads(threads)
        if first_call:
            self._rng = seed_sequence(self.random_state)
        seed = int(self._rng.randint(np.iinfo(np.int32).max))
        self._checkpoint = None
        if (
            getattr(self, "checkpoint_dir", None) is not None
            and not incremental
            and self._solver_name() != "lbfgs"
        ):
            self._checkpoint = self._find_checkpoint(X, y, sample_weight)
            if self._checkpoint["resume"] is not None:
                seed = int(self._checkpoint["resume"]["seed"])
            self._checkpoint["seed"] = seed
        X = self._prepare_X(X)

        with torch_rng_scope(seed, device):
            if first_call:
                self._before_initialize(X)
                self._initialize(X.shape[1:], n_outputs, seed, device)
            elif self._device != device:
                self._move_to(device)
            if self._solver_name() == "lbfgs":
                self._fit_lbfgs(X, y, sample_weight)
            else:
                self._fit_stochastic(X, y, sample_weight, seed, incremental, first_call)
        self.module_.eval()
        return self

    def _initialize(self, in_shape, n_outputs, seed, device):
        generator = torch.Generator().manual_seed(seed)
        # Layers' own default initialisation draws from the global RNG; fork it
        # so that building the module never changes the caller's RNG state.
        with torch.random.fork_rng(devices=[]):
            n_features = in_shape[0] if len(in_shape) == 1 else tuple(in_shape)
            module = self._build_module(n_features, n_outputs, generator)
        module.to(device)
        self.n_outputs_ = n_outputs
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self._module_args = (tuple(in_shape), n_outputs)
        self._engine = self._new_engine(module, device)

    def _new_engine(self, module, device):
        """The skorch engine that trains ``module`` (on ``device``)."""
        solver = "adam" if self._solver_name() == "lbfgs" else self._solver_name()
        return make_engine(
            module,
            self._make_loss(),
            solver,
            self._optimizer_params(),
            device,
            callbacks=[("sknn_epoch", EpochHook(self._end_epoch)), *self._extra_callbacks()],
            alpha=self._l2_alpha(),
            penalty=self._penalty(),
        )

    def _move_to(self, device):
        """Move a fitted model (module and optimizer state) to another device."""
        engine = self._engine
        engine.module_.to(device)
        for state in engine.optimizer_.state.values():
            for key, value in state.items():
                if isinstance(value, torch.Tensor) and key != "step":
                    state[key] = value.to(device)
        engine.device = str(device)

    @property
    def module_(self):
        """The fitted ``torch.nn.Module`` (outputs raw scores / logits)."""
        try:
            return self._engine.module_
        except AttributeError:
            raise AttributeError("module_ is only available after fit") from None

    @property
    def history_(self):
        """skorch ``History`` of the training epochs (one dict per epoch)."""
        try:
            return self._engine.history_
        except AttributeError:
            raise AttributeError("history_ is only available after fit") from None

    def _to_device(self, X, y, sample_weight, device):
        Xt = X if sp.issparse(X) else torch.from_numpy(np.ascontiguousarray(X)).to(device)
        yt = torch.from_numpy(np.ascontiguousarray(y)).to(device)
        wt = None
        if sample_weight is not None:
            wt = torch.as_tensor(sample_weight, dtype=torch.float32).to(device)
        return Xt, yt, wt

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_lbfgs(self, X, y, sample_weight):
        device = self._device
        if sp.issparse(X):
            X = X.toarray()
        Xt, yt, wt = self._to_device(X, y, sample_weight, device)
        module = self.module_
        backup = copy.deepcopy(module.state_dict())
        result = fit_lbfgs(
            module,
            self._engine.criterion_,
            Xt,
            yt,
            wt,
            self._l2_alpha(),
            self._penalty(),
            self.max_iter,
            getattr(self, "max_fun", 15000),
            self.tol,
            self.verbose,
        )
        if not self._all_finite(module) or not np.isfinite(result.fun):
            module.load_state_dict(backup)
            warnings.warn(
                "L-BFGS diverged (non-finite loss or weights); the initial weights were "
                "kept. Scale the inputs or increase alpha.",
                TrainingDivergedWarning,
            )
        self.n_iter_ = int(result.nit)
        self.loss_ = float(result.fun)
        if result.status == 1 or self.n_iter_ >= self.max_iter:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {result.message}. Increase the number of "
                "iterations (max_iter) or scale the data.",
                ConvergenceWarning,
            )

    @staticmethod
    def _all_finite(module):
        return all(bool(torch.isfinite(p).all()) for p in module.parameters())

    def _fit_stochastic(self, X, y, sample_weight, seed, incremental, first_call):
        engine = self._engine
        device = self._device
        if not incremental and not first_call:
            engine.initialize_optimizer()  # warm_start: new optimizer, as sklearn
        X_val = y_val = w_val = None
        if self.early_stopping:
            stratify = y if (getattr(self, "_stratify", False) and y.ndim == 1) else None
            arrays = [X, y] + ([sample_weight] if sample_weight is not None else [])
            parts = train_test_split(
                *arrays,
                random_state=seed,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
            X, X_val, y, y_val = parts[:4]
            if sample_weight is not None:
                sample_weight, w_val = parts[4:]
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' "
                    "or the size of your dataset."
                )
            if not sp.issparse(X_val):  # moved to the device once, not every epoch
                X_val = torch.from_numpy(np.ascontiguousarray(X_val)).to(device)
        n_samples = X.shape[0]
        module = self.module_
        batch_size = self._batch_size(n_samples)
        has_batch_norm = any(
            isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in module.modules()
        )
        if has_batch_norm and min(batch_size, n_samples) < 2:
            raise ValueError(
                "batch_norm=True needs batches of at least 2 samples; got "
                f"batch_size={self.batch_size!r} with {n_samples} training sample(s)."
            )
        Xt, yt, _ = self._to_device(X, y, None, device)
        batches = TensorBatches(
            Xt,
            yt,
            sample_weight,
            batch_size,
            self.shuffle,
            torch.Generator().manual_seed(seed + 1),
            device,
            no_singleton=has_batch_norm,
        )
        self._good_state = [t.detach().clone() for t in module.state_dict().values()]
        self._best_state = None
        self._run = run = dict(
            batches=batches,
            val=(X_val, y_val, w_val),
            n_samples=n_samples,
            incremental=incremental,
            diverged=False,
            converged=False,
        )
        self.n_iter_ = 0
        epochs = 1 if incremental else self.max_iter
        checkpoint = getattr(self, "_checkpoint", None)
        if checkpoint is not None:
            run["batches_generator"] = batches.generator
            if checkpoint["resume"] is not None:
                epochs -= self._restore_checkpoint(checkpoint["resume"], batches)
        engine.set_speed_options(
            precision=getattr(self, "precision", None), compile=getattr(self, "compile", False)
        )
        interrupted = False
        engine.notify("on_train_begin", X=X, y=y)
        try:
            if epochs > 0:
                engine.fit_loop(batches, epochs=epochs)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            engine.notify("on_train_end", X=X, y=y)
        if checkpoint is not None and not interrupted:
            # The run is over: its checkpoint is no longer needed.
            checkpoint["path"].unlink(missing_ok=True)
        self._checkpoint = None
        run = self._run
        if run["diverged"]:
            self._load_state(self._good_state)
            engine.initialize_optimizer()
            warnings.warn(
                f"Training diverged at epoch {self.n_iter_ + 1} (loss is NaN or inf); "
                f"stopped and kept the weights of epoch {self.n_iter_}. Lower "
                "learning_rate_init, scale the inputs or increase alpha.",
                TrainingDivergedWarning,
            )
        if interrupted:
            msg = "Training interrupted by user"
            if self.early_stopping and self._best_state is not None:
                msg += "; the best weights so far were restored"
            warnings.warn(f"{msg} (after {self.n_iter_} epoch(s)); the model is usable.")
        if self.early_stopping and self._best_state is not None:
            self._load_state(self._best_state)
        if (
            not incremental
            and not interrupted
            and not run["diverged"]
            and not run["converged"]
            and self.n_iter_ == self.max_iter
        ):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        del self._good_state, self._best_state, self._run

    # ------------------------------------------------------------ checkpoints
    _CHECKPOINT_FIELDS = (
        "n_iter_",
        "t_",
        "loss_",
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
        "_no_improvement_count",
    )

    def _find_checkpoint(self, X, y, sample_weight):
        """Locate this run's checkpoint file and load it if it exists."""
        key = run_key(self, [X, y, sample_weight])
        path = pathlib.Path(self.checkpoint_dir) / f"{type(self).__name__}-{key[:20]}.ckpt"
        resume = None
        if path.exists():
            resume = load_checkpoint(path)
            if resume.get("key") != key:
                raise ValueError(
                    f"The checkpoint {path} belongs to another training run (different "
                    "parameters or data); delete it to start from scratch."
                )
        return {"path": path, "key": key, "resume": resume}

    def _save_checkpoint(self, checkpoint):
        engine = self._engine
        run = self._run
        device = self._device
        payload = {
            "key": checkpoint["key"],
            "seed": checkpoint["seed"],
            "module": {k: v.detach().cpu() for k, v in self.module_.state_dict().items()},
            "optimizer": _to_cpu(engine.optimizer_.state_dict()),
            "history": _plain([dict(row) for row in engine.history_]),
            "fields": _plain({name: getattr(self, name) for name in self._CHECKPOINT_FIELDS}),
            "best_state": None
            if self._best_state is None
            else [t.detach().cpu() for t in self._best_state],
            "batch_rng": run["batches_generator"].get_state(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
        }
        save_checkpoint(checkpoint["path"], payload)

    def _restore_checkpoint(self, payload, batches):
        """Load a checkpoint's training state; returns the number of epochs done."""
        from skorch.history import History

        device = self._device
        engine = self._engine
        self.module_.load_state_dict(payload["module"])
        engine.optimizer_.load_state_dict(payload["optimizer"])
        engine.history_ = History(payload["history"])
        for name, value in payload["fields"].items():
            setattr(self, name, value)
        if payload["best_state"] is not None:
            self._best_state = [t.to(device) for t in payload["best_state"]]
        self._good_state = [t.detach().clone() for t in self.module_.state_dict().values()]
        batches.generator.set_state(payload["batch_rng"])
        torch.set_rng_state(payload["torch_rng"])
        if payload["cuda_rng"] is not None and device.type == "cuda":
            torch.cuda.set_rng_state(payload["cuda_rng"], device)
        return int(self.n_iter_)

    def _load_state(self, tensors):
        module = self.module_
        state = module.state_dict()
        with torch.no_grad():
            for dst, src in zip(state.values(), tensors):
                dst.copy_(src)

    @staticmethod
    def _squared_norms(module):
        """Squared L2 norms of all parameters (one fused call, one sync) and a mask
        of which parameters are weight matrices."""
        params = [p.detach() for p in module.parameters()]
        norms = torch.stack(torch._foreach_norm(params)).double().cpu().numpy()
        return norms**2, np.array([p.ndim >= 2 for p in params])

    def _end_epoch(self, engine):
        """scikit-learn's end-of-epoch logic; returns True to stop training."""
        run = self._run
        batches = run["batches"]
        module = self.module_
        loss = engine.history[-1, "train_loss"]
        # One fused reduction gives both the L2 term and a finiteness check.
        sq_norms, is_matrix = self._squared_norms(module)
        if not np.isfinite(loss) or not np.all(np.isfinite(sq_norms)):
            run["diverged"] = True
            return True
        torch._foreach_copy_(self._good_state, list(module.state_dict().values()))
        alpha = self._l2_alpha()
        if alpha:
            loss += 0.5 * alpha * float(sq_norms[is_matrix].sum()) * batches.penalty_factor
        self.n_iter_ += 1
        self.t_ += run["n_samples"]
        self.loss_ = loss
        self.loss_curve_.append(loss)
        engine.history.record("loss", loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")

        tol = -np.inf if self.tol is None else self.tol  # tol=None: never stop early
        if self.early_stopping:
            module.eval()
            score = float(self._validation_score(*run["val"]))
            self.validation_scores_.append(score)
            engine.history.record("validation_score", score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_state = [t.detach().clone() for t in module.state_dict().values()]
        else:
            if loss > self.best_loss_ - tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if loss < self.best_loss_:
                self.best_loss_ = loss

        optimizer = engine.optimizer_
        lr = optimizer.param_groups[0]["lr"]
        schedule = getattr(self, "learning_rate", "constant")
        if self._solver_name() == "sgd" and schedule == "invscaling":
            lr = self.learning_rate_init / (self.t_ + 1) ** self.power_t
            self._set_lr(lr)
        engine.history.record("lr", lr)

        if self._no_improvement_count > self.n_iter_no_change - self._patience_offset:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = (
                f"{what} did not improve more than tol={tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._solver_name() == "sgd" and schedule == "adaptive" and lr > 1e-6:
                self._set_lr(lr / 5.0)
                self._no_improvement_count = 0
                if self.verbose:
                    print(f"{msg} Setting learning rate to {lr / 5.0:f}")
            else:
                if self.verbose:
                    print(f"{msg} Stopping.")
                run["converged"] = True
                return True
        checkpoint = getattr(self, "_checkpoint", None)
        if checkpoint is not None and self.n_iter_ % self.checkpoint_every == 0:
            self._save_checkpoint(checkpoint)
        return False

    def _set_lr(self, lr):
        for group in self._engine.optimizer_.param_groups:
            group["lr"] = lr

    # ------------------------------------------------------------- prediction
    def _forward(self, X):
        """Module outputs, through :meth:`_output`, as a float32 NumPy array."""
        module = self.module_
        device = self._device
        if module.training:  # eval() walks every submodule; skip it when already set
            module.eval()
        X = self._prepare_X(X)
        n = X.shape[0]
        if n == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        step = self._predict_batch_size
        result = None
        with torch.inference_mode():
            for start in range(0, n, step):
                chunk = X[start : start + step]
                if isinstance(chunk, torch.Tensor):
                    xb = chunk
                else:
                    if sp.issparse(chunk):
                        chunk = chunk.toarray()
                    xb = torch.from_numpy(np.ascontiguousarray(chunk)).to(device)
                out = self._output(module(xb)).cpu().numpy()
                if n <= step:
                    result = out
                    break
                # Copy each chunk into one preallocated array and keep no chunk
                # alive: a kept chunk output pins the allocator block that held the
                # chunk's (much larger) activations, and memory then grows with the
                # number of rows instead of staying bounded by the batch.
                if result is None:
                    result = np.empty((n, *out.shape[1:]), dtype=out.dtype)
                result[start : start + len(out)] = out
                del out, xb
        return _check_finite_output(result)

    def _output(self, raw):
        """Map raw module outputs to what prediction uses (identity by default)."""
        return raw

    def _validate_predict_X(self, X):
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
            return X.astype(np.float32, copy=False)
        return self._validate_X(X, reset=False)

    # ------------------------------------------------------------- persistence
    # The torch objects (module, optimizer, skorch engine) are not pickled as such:
    # the state holds their tensors as NumPy arrays and the engine is rebuilt from
    # the estimator's parameters on load. So a pickle holds only NumPy arrays,
    # plain Python values and scikit-learn objects, which makes it loadable
    # without CUDA, smaller, loadable with skops.io, and independent of torch's
    # and skorch's internal layouts.
    def __getstate__(self):
        # A copy: on Python >= 3.11 BaseEstimator's state is the instance's __dict__.
        state = dict(super().__getstate__())
        for key in ("_good_state", "_best_state", "_run", "_checkpoint"):
            state.pop(key, None)
        engine = state.pop("_engine", None)
        if engine is not None:
            state["_engine_state"] = self._export_engine(engine)
        state["_sknn_version"] = __version__
        state["_sknn_format"] = PERSISTENCE_FORMAT
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved_format = state.pop("_sknn_format", None)
        saved_version = state.pop("_sknn_version", "unknown")
        if saved_format is None or saved_format > PERSISTENCE_FORMAT:
            raise ValueError(
                f"This {type(self).__name__} was saved by sknn {saved_version} "
                f"(state format {saved_format}), which this sknn {__version__} (state "
                f"format {PERSISTENCE_FORMAT}) cannot read. Load it with sknn "
                f"{saved_version}, or refit the model."
            )
        if saved_format < PERSISTENCE_FORMAT:
            state = self._migrate_state(state, saved_format)
        engine_state = state.pop("_engine_state", None)
        super().__setstate__(state)
        if engine_state is not None:
            self._engine = self._import_engine(engine_state)

    @classmethod
    def _migrate_state(cls, state, saved_format):
        """Upgrade a state saved in an older format (none exists yet)."""
        raise ValueError(
            f"sknn cannot migrate a {cls.__name__} saved in state format {saved_format}."
        )

    def _export_engine(self, engine):
        """The engine's state as NumPy arrays and plain values."""
        module = engine.module_
        optimizer = getattr(engine, "optimizer_", None)
        return {
            "device": str(engine.device),
            "module_args": self._module_args,
            "module": _to_numpy_tree(dict(module.state_dict())),
            "optimizer": None if optimizer is None else _to_numpy_tree(optimizer.state_dict()),
            "history": [dict(row) for row in engine.history_],
        }

    def _rebuild_module(self, module_args):
        in_shape, n_outputs = module_args
        n_features = in_shape[0] if len(in_shape) == 1 else tuple(in_shape)
        with torch.random.fork_rng(devices=[]):
            return self._build_module(n_features, n_outputs, torch.Generator().manual_seed(0))

    @staticmethod
    def _load_device(saved):
        """The saved device if it exists here, else the CPU."""
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

    def _import_engine(self, data):
        """Rebuild the engine from :meth:`_export_engine`'s output."""
        from skorch.history import History

        device = self._load_device(data["device"])
        module = self._rebuild_module(data["module_args"])
        module.load_state_dict(_to_tensor_tree(data["module"]))
        module.to(device)
        module.eval()
        engine = self._new_engine(module, device)
        if data["optimizer"] is not None:
            engine.optimizer_.load_state_dict(_to_tensor_tree(data["optimizer"]))
        engine.history_ = History(data["history"])
        return engine

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.non_deterministic = False
        return tags


class NeuralClassifierMixin(ClassifierMixin):
    """Label encoding, ``predict``/``predict_proba`` and ``class_weight``.

    Binary and multilabel targets use one logistic output per label (as
    scikit-learn's MLP does), multiclass targets a softmax over the classes.
    Any label type works: strings, booleans, non-contiguous integers.
    """

    _stratify = True
    _label_binarizer_cls = LabelBinarizer

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if incremental and not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if first_call and not (incremental and hasattr(self, "classes_")):
            lb = self._label_binarizer_cls()
            if incremental and type_of_target(y).startswith("multilabel"):
                lb.fit(y)
            elif incremental:
                lb.fit(np.asarray(classes))
            else:
                lb.fit(y)
            if len(lb.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the "
                    f"data, but the data contains only one class: {lb.classes_[0]!r}."
                )
            self._label_binarizer = lb
            self.classes_ = lb.classes_
        else:
            seen = unique_labels(y)
            if self.warm_start and not incremental:
                if set(seen) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {seen}"
                    )
            elif len(np.setdiff1d(seen, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {seen}."
                )
        lb = self._label_binarizer
        if lb.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
            codes = np.searchsorted(self.classes_, y).astype(np.int64)
            return codes, len(self.classes_)
        self.out_activation_ = "logistic"
        Y = lb.transform(y).astype(np.float32)
        return Y, Y.shape[1]

    def _loss_name(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "cross_entropy"
        return "binary_log_loss"

    def _class_codes(self, y):
        """Class indices of encoded targets (int codes, (n, 1) indicator or one-hot)."""
        if y.ndim == 1:
            return y
        return y[:, 0].astype(np.int64) if y.shape[1] == 1 else y.argmax(1)

    def _class_weights(self, codes):
        """Weight of each class in ``classes_`` order from ``class_weight``."""
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            unknown = set(class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(unknown, key=str)} that are not in "
                    f"classes_ {self.classes_.tolist()}."
                )
            return np.array(
                [class_weight.get(c, 1.0) for c in self.classes_.tolist()], dtype=np.float64
            )
        return compute_class_weight(class_weight, classes=np.arange(len(self.classes_)), y=codes)

    def _sample_weight_multiplier(self, y):
        if getattr(self, "class_weight", None) is None:
            return None
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets.")
        codes = self._class_codes(y)
        return self._class_weights(codes)[codes]

    def _output(self, raw):
        if self.out_activation_ == "softmax":
            return torch.softmax(raw, dim=1)
        return torch.sigmoid(raw)

    def _validation_score(self, X, y, sample_weight):
        return accuracy_score(y, self._predict_codes(X), sample_weight=sample_weight)

    def _predict_codes(self, X):
        """Predictions in the encoded space used for training (indices / indicators)."""
        proba = self._forward(X)
        if self.out_activation_ == "softmax":
            return proba.argmax(axis=1)
        return (proba > 0.5).astype(np.float32)

    def predict(self, X):
        """Predict class labels for samples in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (an indicator matrix for multilabel targets).
        """
        X = self._validate_predict_X(X)
        codes = self._predict_codes(X)
        if self.out_activation_ == "softmax":
            return self.classes_[codes]
        if self._label_binarizer.y_type_ == "binary":
            return self.classes_[codes[:, 0].astype(np.int64)]
        return self._label_binarizer.inverse_transform(codes)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``. Binary problems give
            two columns; multilabel problems one independent probability per label.
        """
        X = self._validate_predict_X(X)
        proba = self._forward(X).astype(np.float64)
        if self._label_binarizer.y_type_ == "binary":
            proba = np.hstack([1.0 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NeuralRegressorMixin(RegressorMixin):
    """Targets, output activation and ``predict`` for regressors."""

    _stratify = False

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self._loss_name() == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson regression."
            )
        if first_call:
            self._y_1d = y.ndim == 1
        y = y.reshape(len(y), -1).astype(np.float32)
        if not first_call and y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} output(s) but the model was fitted with {self.n_outputs_}."
            )
        self.out_activation_ = "exp" if self._loss_name() == "poisson" else "identity"
        return y, y.shape[1]

    def _output(self, raw):
        return torch.exp(raw) if self.out_activation_ == "exp" else raw

    def _validation_score(self, X, y, sample_weight):
        return r2_score(y, self._forward(X), sample_weight=sample_weight)

    def predict(self, X):
        """Predict using the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        X = self._validate_predict_X(X)
        out = self._forward(X).astype(np.float64)
        return out.ravel() if self._y_1d else out
