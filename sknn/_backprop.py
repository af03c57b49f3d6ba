"""The base of the estimators trained by backpropagation.

:class:`BackpropEstimator` adds to :class:`~sknn._base.BaseNeuralEstimator` what
the MLPs, the perceptron, the convnets, the RNNs and the autoencoder share: the
solvers (the engine of :mod:`sknn._engine` for 'adam' and 'sgd', SciPy's L-BFGS),
sample and class weights, early stopping's validation split, warm starts and
``partial_fit``, and the engine's export for persistence. The epochs themselves
run in :class:`sknn._training.Trainer`, which returns a record that is copied into
the fitted attributes (``n_iter_``, ``loss_curve_``, ``validation_scores_`` ...).

A subclass gives the module (``_build_module``), the loss (``_loss_name``), the
targets (``_encode_y``) and the early-stopping score (``_validation_score``); the
other hooks below have defaults.

How data flows through ``fit``: ``_validate_Xy`` -> ``_encode_y`` -> sample
weights -> ``_start_fit`` (device, seed) -> checkpoint lookup -> ``_prepare_X``
-> on the first call ``_initialize`` (module, engine, empty record) -> the
solver: ``Trainer.run`` over :class:`~sknn._engine.TensorBatches`, or L-BFGS.
"""

import copy
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning

from ._base import BaseNeuralEstimator
from ._engine import TensorBatches, fit_lbfgs, make_engine
from ._persistence import load_device, to_numpy_tree, to_tensor_tree
from ._training import LearningRateSchedule, StoppingRule, Trainer, TrainingRecord
from .modules import SampleLoss
from .utils._batching import as_tensor_rows
from .utils._compat import (
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from .utils._torch import flush_denormal, torch_rng_scope

__all__ = [
    "BackpropEstimator",
    "SOLVER_CONSTRAINTS",
    "check_sample_weight",
    "input_float_dtype",
]

#: scikit-learn MLP's solver parameters, for the estimators that take them all.
SOLVER_CONSTRAINTS = {
    "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "plateau"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "tol": [Interval(Real, 0, None, closed="left")],
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
}


def check_sample_weight(sample_weight, X, dtype=np.float64):
    """scikit-learn's checks of ``sample_weight`` (length, shape), and sknn's:
    finite, non-negative, with a positive sum."""
    sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
    if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight must have a positive sum.")
    return sample_weight


def _finite_float64(X):
    """Whether X (as float64) is all finite."""
    try:
        X = X.data if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        return bool(np.isfinite(X).all())
    except (TypeError, ValueError):
        return False


def input_float_dtype(X):
    """float32 for float32 input (every column of a DataFrame), else float64."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and not isinstance(dtypes, np.dtype):
        return np.float32 if all(d == np.float32 for d in dtypes) else np.float64
    return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64


def _has_batch_norm(module):
    return any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in module.modules())


def _to_device(X, y, device):
    Xt = X if sp.issparse(X) else as_tensor_rows(X, device)
    return Xt, as_tensor_rows(y, device)


class BackpropEstimator(BaseNeuralEstimator):
    """Base class for the estimators trained by backpropagation. Not to be used
    directly."""

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "precision": [None, StrOptions({"bf16", "fp16"})],
        "compile": ["boolean"],
    }

    #: How sample weights enter the batch loss: 'weights' divides the weighted sum by
    #: the weights' sum (scikit-learn's MLP), 'count' by the batch size (its SGD models).
    _weight_normalization = "weights"

    #: dtype of the fitted attributes and predictions: X's float dtype, set by each
    #: first fit (float32 for models saved before it was recorded).
    _fit_dtype = np.float32

    #: Stop once the no-improvement count exceeds ``n_iter_no_change - offset``:
    #: 0 for scikit-learn's MLP rule (count > n), 1 for its SGD rule (count >= n).
    _patience_offset = 0

    #: Whether ``y`` must be numeric (regression rather than classification).
    _y_numeric = True

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _loss_name(self):
        """Return the key of :data:`sknn.modules.LOSSES` to train with."""

    @abstractmethod
    def _encode_y(self, y, *, first_call, incremental, classes=None):
        """Validate ``y`` and return ``(y_train, n_outputs)``.

        ``y_train`` is a NumPy array: int64 class indices or float32 targets.
        """

    @abstractmethod
    def _validation_score(self, X, y, sample_weight):
        """Score on held-out data for early stopping (higher is better)."""

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
        return {name: getattr(self, name) for name in names}

    def _lr_schedule(self):
        """The learning-rate schedule: scikit-learn's for ``solver='sgd'``, and
        ``'plateau'`` for both stochastic solvers."""
        if self._solver_name() != "sgd" and self.learning_rate != "plateau":
            return LearningRateSchedule()
        init = self._optimizer_params()["learning_rate_init"]
        return LearningRateSchedule(self.learning_rate, init, self.power_t)

    def _stopping(self):
        """The stopping parameters a fit uses: ``max_iter``, ``tol``,
        ``n_iter_no_change``, ``early_stopping`` and ``validation_fraction``, as a
        dict. The parameters themselves by default; a subclass may resolve its own
        defaults (e.g. for token ids)."""
        names = ("max_iter", "tol", "n_iter_no_change", "early_stopping", "validation_fraction")
        return {name: getattr(self, name) for name in names}

    def _l2_alpha(self):
        """L2 strength applied scikit-learn-MLP style (``alpha / batch weight``)."""
        return self.alpha

    def _penalty(self):
        """Optional ``callable(module) -> scalar tensor`` added to every batch loss."""
        return None

    def _engine_hooks(self):
        """Engine hooks run at each step (:class:`sknn._engine.AfterStep`, ...)."""
        return []

    def _class_weighting(self, y):
        """``(per-sample multiplier, per-output positive weights)`` from
        ``class_weight``; either may be None (see sknn._mixins)."""
        return None, None

    def _initial_weights(self, X, continuing):
        """Weights to start from, given the training rows (e.g. a fitted
        pre-training model's layers), or None for the module's initialisation.
        ``continuing``: ``partial_fit`` or ``warm_start=True``."""
        return None

    def _load_initial_weights(self, module, weights):
        """Copy what :meth:`_initial_weights` returned into a new module."""

    def _stratify_labels(self, y):
        """Labels to stratify early stopping's validation split by, or None."""
        return None

    def _check_solver(self):
        """``partial_fit`` exists only for the stochastic solvers (``available_if``)."""
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # ------------------------------------------------------------- validation
    def _validate_Xy(self, X, y, reset):
        try:
            return validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                dtype=np.float32,
                multi_output=True,
                y_numeric=self._y_numeric,
                reset=reset,
            )
        except ValueError as error:
            if "too large for dtype('float32')" in str(error) and _finite_float64(X):
                # scikit-learn trains in float64 and its solver then overflows; the
                # network trains in float32, where these values are already inf.
                raise ValueError(
                    "Solver produced non-finite parameter weights. The input data may "
                    "contain large values and need to be preprocessed. (X has finite "
                    "values beyond float32's range, in which the network trains.)"
                ) from None
            raise

    def _sample_weights(self, X, y, sample_weight):
        """Checked sample weights times the class weights, and the per-output
        positive weights of the loss."""
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        multiplier, pos_weight = self._class_weighting(y)
        if multiplier is not None:
            sample_weight = multiplier if sample_weight is None else sample_weight * multiplier
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")
        return sample_weight, pos_weight

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
        # As scikit-learn's MLP: X's float dtype (float64 unless X is float32) is the
        # dtype of the fitted attributes and of predictions.
        if first_call:
            self._fit_dtype = input_float_dtype(X)
        self._check_params()
        if self._stopping()["early_stopping"] and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = self._validate_Xy(X, y, reset=first_call)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        y, n_outputs = self._encode_y(
            y, first_call=first_call, incremental=incremental, classes=classes
        )
        sample_weight, pos_weight = self._sample_weights(X, y, sample_weight)
        device, seed = self._start_fit(first_call)
        lbfgs = self._solver_name() == "lbfgs"
        checkpoint = None
        if not incremental and not lbfgs:
            checkpoint = self._find_checkpoint([X, y, sample_weight], seed)
            seed = seed if checkpoint is None else checkpoint.seed
        X = self._prepare_X(X)
        with torch_rng_scope(seed, device), flush_denormal(device):
            if first_call:
                self._unit_weights = pos_weight
                self._initialize(X, n_outputs, seed, device, continuing=incremental)
            else:
                self._sync_module()
                if self._device != device:
                    self._engine.move_to(device)
            try:
                if lbfgs:
                    self._fit_lbfgs(X, y, sample_weight)
                else:
                    self._fit_stochastic(
                        X, y, sample_weight, seed, incremental, first_call, checkpoint
                    )
            finally:
                self._sync_attributes()
        self.module_.eval()
        return self

    def _initialize(self, X, n_outputs, seed, device, continuing=False):
        """A new module and engine for samples like ``X``, and an empty record.

        ``continuing``: a ``partial_fit`` or ``warm_start`` call, which starts from
        weights the user assigned to an unfitted estimator (see
        :meth:`_initial_weights`)."""
        weights = self._initial_weights(X, continuing or self.warm_start)
        in_shape = tuple(X.shape[1:])
        module = self._new_module(in_shape, n_outputs, seed)
        if weights is not None:
            self._load_initial_weights(module, weights)
        module.to(device)
        self.n_outputs_ = n_outputs
        record = TrainingRecord.start(self._stopping()["early_stopping"])
        for name, value in record.attributes().items():
            if name != "loss_":
                setattr(self, name, value)
        self._module_args = (in_shape, n_outputs)
        self._engine = self._new_engine(module, device)

    def _make_loss(self):
        """The training criterion, a :class:`sknn.modules.SampleLoss`."""
        # Set on the first fit (models saved by sknn 0.1.0 other than the
        # perceptron's have no such attribute).
        pos_weight = getattr(self, "_unit_weights", None)
        return SampleLoss(
            self._loss_name(),
            normalize=self._weight_normalization,
            pos_weight=None if pos_weight is None else torch.tensor(pos_weight).float(),
        )

    def _new_engine(self, module, device):
        """The engine that trains ``module`` (on ``device``)."""
        solver = "adam" if self._solver_name() == "lbfgs" else self._solver_name()
        return make_engine(
            module,
            self._make_loss(),
            solver,
            self._optimizer_params(),
            device,
            self._engine_hooks(),
            alpha=self._l2_alpha(),
            penalty=self._penalty(),
        )

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_lbfgs(self, X, y, sample_weight):
        if sp.issparse(X):
            X = X.toarray()
        Xt, yt = _to_device(X, y, self._device)
        wt = None
        if sample_weight is not None:
            wt = torch.as_tensor(sample_weight, dtype=torch.float32).to(self._device)
        module = self.module_
        stopping = self._stopping()
        backup = copy.deepcopy(module.state_dict())
        result = fit_lbfgs(
            module,
            self._make_loss().to(self._device),
            Xt,
            yt,
            wt,
            self._l2_alpha(),
            self._penalty(),
            stopping["max_iter"],
            self.max_fun,
            stopping["tol"],
            self.verbose,
        )
        finite = all(bool(torch.isfinite(p).all()) for p in module.parameters())
        if not finite or not np.isfinite(result.fun):
            module.load_state_dict(backup)
            self._warn_diverged(
                "(L-BFGS: non-finite loss or weights)",
                "the initial weights",
                "Scale the inputs or increase alpha.",
            )
        self.n_iter_ = int(result.nit)
        self.loss_ = float(result.fun)
        if result.status == 1 or self.n_iter_ >= stopping["max_iter"]:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"(status={result.status}): {result.message}. Increase the number of "
                "iterations (max_iter) or scale the data.",
                ConvergenceWarning,
            )

    def _split_validation(self, X, y, sample_weight, seed):
        """Hold out early stopping's validation rows; returns the training rows and
        ``validate() -> score`` (None without early stopping)."""
        stopping = self._stopping()
        if not stopping["early_stopping"]:
            return X, y, sample_weight, None
        from sklearn.model_selection import train_test_split  # not at ``import sknn``

        stratify = self._stratify_labels(y)
        arrays = [X, y] + ([sample_weight] if sample_weight is not None else [])
        parts = train_test_split(
            *arrays, random_state=seed, test_size=stopping["validation_fraction"], stratify=stratify
        )
        X, X_val, y, y_val = parts[:4]
        if X_val.shape[0] < 2:  # checked after the split, as scikit-learn does
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        w_val = None
        if sample_weight is not None:
            sample_weight, w_val = parts[4:]
        if not sp.issparse(X_val):  # moved to the device once, not every epoch
            X_val = as_tensor_rows(X_val, self._device)
        return X, y, sample_weight, lambda: self._validation_score(X_val, y_val, w_val)

    def _batches(self, X, y, sample_weight, seed):
        """The training rows as :class:`~sknn._engine.TensorBatches` on the device."""
        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        batch_norm = _has_batch_norm(self.module_)
        if batch_norm and min(batch_size, n_samples) < 2:
            raise ValueError(
                "batch_norm=True needs batches of at least 2 samples; got "
                f"batch_size={self.batch_size!r} with {n_samples} training sample(s)."
            )
        Xt, yt = _to_device(X, y, self._device)
        generator = torch.Generator().manual_seed(seed + 1)
        return TensorBatches(
            Xt,
            yt,
            sample_weight,
            batch_size,
            self.shuffle,
            generator,
            self._device,
            no_singleton=batch_norm,
        )

    def _fit_stochastic(self, X, y, sample_weight, seed, incremental, first_call, checkpoint):
        engine = self._engine
        if not incremental and not first_call:
            # warm_start: a new optimizer from the current parameters, as sklearn
            engine.reset_optimizer(
                self._solver_name(), self._optimizer_params(), alpha=self._l2_alpha()
            )
        X, y, sample_weight, validate = self._split_validation(X, y, sample_weight, seed)
        batches = self._batches(X, y, sample_weight, seed)
        engine.set_speed_options(precision=self.precision, compile=self.compile)
        stopping = self._stopping()
        early = stopping["early_stopping"]
        rule = StoppingRule(
            stopping["tol"],
            stopping["n_iter_no_change"],
            self._patience_offset,
            maximize=early,
            best=self.best_validation_score_ if early else self.best_loss_,
            count=self._no_improvement_count,
        )
        trainer = Trainer(
            engine,
            batches,
            TrainingRecord.of(self),
            rule,
            self._lr_schedule(),
            alpha=self._l2_alpha(),
            validate=validate,
            checkpoint=checkpoint,
            checkpoint_every=self.checkpoint_every,
            verbose=self.verbose,
            refresh_statistics=not incremental,
        )
        record = trainer.run(1 if incremental else stopping["max_iter"])
        for name, value in record.attributes().items():
            setattr(self, name, value)
        self._report(record, trainer.restored_best, incremental)

    def _report(self, record, restored_best, incremental):
        """Warn about how a stochastic fit ended, as scikit-learn does."""
        if record.diverged:
            self._warn_diverged(
                f"at epoch {self.n_iter_} (loss or weights NaN or inf)",
                "the best validation epoch's weights"
                if restored_best
                else f"the weights of epoch {self.n_iter_ - 1}",
                "Lower learning_rate_init, scale the inputs or increase alpha.",
            )
        if record.interrupted:
            best = "; the best weights so far were restored" if restored_best else ""
            self._warn_interrupted(f"{best} (after {self.n_iter_} epoch(s))")
        ended_early = record.interrupted or record.diverged or record.converged
        max_iter = self._stopping()["max_iter"]
        if not incremental and not ended_early and self.n_iter_ == max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
            )

    # ------------------------------------------------------------ persistence
    def _export_engine(self, engine):
        exported = engine.export()
        return {
            "device": str(engine.device),
            "module_args": self._module_args,
            "module": to_numpy_tree(dict(engine.module_.state_dict())),
            "optimizer": to_numpy_tree(exported["optimizer"]),
            "history": exported["history"],
        }

    def _import_engine(self, data):
        device = load_device(data["device"])
        module = self._rebuild_module(data["module_args"])
        module.load_state_dict(to_tensor_tree(data["module"]))
        module.to(device)
        module.eval()
        engine = self._new_engine(module, device)
        engine.load({"optimizer": to_tensor_tree(data["optimizer"]), "history": data["history"]})
        return engine
