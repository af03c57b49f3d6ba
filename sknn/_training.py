"""The backpropagation training loop: epochs, scikit-learn's stopping rule, and
the checkpoint of a run.

:class:`Trainer` runs the epochs of one ``fit`` (or ``partial_fit``) call on an
engine (:mod:`sknn._engine`). It reads nothing from the estimator: it starts from
a :class:`TrainingRecord` (the estimator's ``n_iter_``, ``loss_curve_``, ...) and a
:class:`StoppingRule`, and hands back the record, which the estimator copies into
its fitted attributes. Between epochs it applies scikit-learn's end-of-epoch
logic: the reported loss (with the L2 term), the learning-rate schedules of
``solver='sgd'``, the no-improvement count, early stopping on a validation score
with the best weights kept, divergence (non-finite loss or weights: the last
finite weights are kept), and periodic checkpoints.
"""

import dataclasses
import math

import numpy as np
import torch

from ._persistence import plain, to_cpu

__all__ = [
    "LearningRateSchedule",
    "StoppingRule",
    "Trainer",
    "TrainingRecord",
    "refresh_batch_norm",
]


@dataclasses.dataclass
class StoppingRule:
    """scikit-learn's rule: stop when the monitored value has not improved by at
    least ``tol`` for more than ``n_iter_no_change - offset`` epochs.

    Parameters
    ----------
    tol : float or None
        Minimum improvement; None never stops early.
    n_iter_no_change : int or float
    offset : int
        0 for scikit-learn's MLP (stop when count > n), 1 for its SGD models
        (count >= n).
    maximize : bool
        True for a validation score, False for the training loss.
    best : float
        The best value so far.
    count : int
        Epochs without improvement so far.
    """

    tol: float | None
    n_iter_no_change: float
    offset: int
    maximize: bool
    best: float
    count: int = 0

    @property
    def _tol(self):
        return -np.inf if self.tol is None else self.tol

    def observe(self, value):
        """Count ``value`` in; returns True if it is the best so far."""
        if self.maximize:
            self.count = self.count + 1 if value < self.best + self._tol else 0
            better = value > self.best
        else:
            self.count = self.count + 1 if value > self.best - self._tol else 0
            better = value < self.best
        if better:
            self.best = value
        return better

    @property
    def exhausted(self):
        """Whether the patience has run out."""
        return self.count > self.n_iter_no_change - self.offset

    def message(self):
        what = "Validation score" if self.maximize else "Training loss"
        return (
            f"{what} did not improve more than tol={self._tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )


@dataclasses.dataclass
class LearningRateSchedule:
    """The learning-rate schedules: scikit-learn's for ``solver='sgd'``, and
    ``'plateau'`` for 'sgd' and 'adam'.

    ``kind`` is 'constant', 'invscaling' (``init / (t + 1) ** power_t`` after each
    epoch), 'adaptive' (divide by 5 when the stopping rule's patience runs out,
    until it is below 1e-6) or 'plateau' (halve when the patience runs out, down
    to ``init * PLATEAU_MIN``; training stops when the patience runs out at that
    rate). Other solvers keep their rate (``kind='constant'``).
    """

    #: 'plateau' multiplies the rate by this when the patience runs out ...
    PLATEAU_FACTOR = 0.5
    #: ... down to this fraction of the initial rate (Keras' ``ReduceLROnPlateau(
    #: factor=0.5, min_lr=0.0001)`` from 0.001, as in Fawaz et al.'s FCN and ResNet).
    PLATEAU_MIN = 0.1

    kind: str = "constant"
    init: float = 0.001
    power_t: float = 0.5

    def after_epoch(self, lr, t):
        return self.init / (t + 1) ** self.power_t if self.kind == "invscaling" else lr

    def on_plateau(self, lr):
        """The reduced rate, or None when the schedule stops instead."""
        if self.kind == "adaptive":
            return lr / 5.0 if lr > 1e-6 else None
        if self.kind == "plateau":
            floor = self.init * self.PLATEAU_MIN
            # (a relative margin: the floor itself was computed in floating point)
            return max(lr * self.PLATEAU_FACTOR, floor) if lr > floor * (1 + 1e-9) else None
        return None


@dataclasses.dataclass
class TrainingRecord:
    """What training reports: the fitted attributes it sets (named as on the
    estimator) and how the run ended."""

    n_iter_: int = 0
    t_: int = 0
    loss_: float | None = None
    loss_curve_: list = dataclasses.field(default_factory=list)
    best_loss_: float | None = None
    validation_scores_: list | None = None
    best_validation_score_: float | None = None
    _no_improvement_count: int = 0
    converged: bool = False
    diverged: bool = False
    interrupted: bool = False

    #: The fields that are the estimator's attributes (and a checkpoint's "fields").
    ATTRIBUTES = (
        "n_iter_",
        "t_",
        "loss_",
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
        "_no_improvement_count",
    )

    @classmethod
    def start(cls, early_stopping):
        """The record of a model that has not trained yet."""
        if early_stopping:
            return cls(validation_scores_=[], best_validation_score_=-np.inf)
        return cls(best_loss_=np.inf)

    @classmethod
    def of(cls, estimator):
        """The record held in ``estimator``'s attributes (to continue training)."""
        return cls(**{name: getattr(estimator, name, None) for name in cls.ATTRIBUTES})

    def attributes(self):
        """``{attribute name: value}`` to set on the estimator."""
        return {name: getattr(self, name) for name in self.ATTRIBUTES}


def refresh_batch_norm(module, batches):
    """Re-estimate the running statistics of ``module``'s batch-norm layers for
    its final weights: one pass over the training rows, in the training batches
    and in row order (the method of ``torch.optim.swa_utils.update_bn``).

    During training the running statistics are an exponential average over the
    last batches, each computed with the weights of its step; with few batches per
    epoch they lag the weights. Here each batch-norm layer is reset and, in
    training mode with ``momentum=None``, takes the plain average of the batches'
    means and (unbiased) variances; every other layer is in evaluation mode, so
    dropout and data augmentation are off, as at prediction. Returns whether the
    module has batch-norm layers.
    """
    norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return False
    was_training = module.training
    momenta = [m.momentum for m in norms]
    module.eval()
    try:
        for m in norms:
            m.reset_running_stats()
            m.momentum = None
            m.train()
        with torch.no_grad():
            for xb in batches.in_order():
                module(xb)
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        module.train(was_training)
    return True


def _norms(params):
    """L2 norms of the (detached) parameters, as Python floats: one fused call, one
    host synchronisation."""
    return torch.stack(torch._foreach_norm(params)).tolist()


def _copy_into(module, tensors):
    with torch.no_grad():
        for dst, src in zip(module.state_dict().values(), tensors):
            dst.copy_(src)


def _snapshot(module):
    return [t.detach().clone() for t in module.state_dict().values()]


class Trainer:
    """Run the epochs of one training call on ``engine``.

    Parameters
    ----------
    engine : sknn._engine._Engine
    batches : sknn._engine.TensorBatches
    record : TrainingRecord
        Where training starts from; ``n_iter_`` counts this call's epochs.
    rule : StoppingRule
    schedule : LearningRateSchedule
    alpha : float
        L2 strength, added to the reported loss as scikit-learn does.
    validate : callable or None
        ``validate() -> score`` (higher is better) for early stopping.
    checkpoint : sknn._checkpoint.Checkpoint or None
    checkpoint_every : int
    verbose : bool or int
    refresh_statistics : bool, default=False
        Re-estimate the batch-norm statistics at the end
        (:func:`refresh_batch_norm`); ``fit`` does, ``partial_fit`` does not.
    """

    def __init__(
        self,
        engine,
        batches,
        record,
        rule,
        schedule,
        *,
        alpha=0.0,
        validate=None,
        checkpoint=None,
        checkpoint_every=1,
        verbose=False,
        refresh_statistics=False,
    ):
        self.engine, self.batches, self.record = engine, batches, record
        self.rule, self.schedule, self.alpha = rule, schedule, alpha
        self.validate, self.verbose = validate, verbose
        self.refresh_statistics = refresh_statistics
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        module = engine.module_
        self.n_samples = batches.n
        self.good_state = _snapshot(module)
        self.best_state = None
        # The module's tensors, gathered once: walking the module every epoch costs
        # more than a small epoch's arithmetic. (Training updates them in place.)
        self._state = list(module.state_dict().values())
        self._params = [p.detach() for p in module.parameters()]
        self._matrices = [i for i, p in enumerate(self._params) if p.ndim >= 2]

    def run(self, epochs):
        """Train up to ``epochs`` epochs; returns the record (with how it ended).

        A ``KeyboardInterrupt`` (Ctrl-C) ends training and is reported in the
        record, never raised: the model stays usable.
        """
        engine, record = self.engine, self.record
        record.n_iter_ = 0
        if self.checkpoint is not None and self.checkpoint.resume is not None:
            epochs -= self._restore(self.checkpoint.resume)
        engine.notify("on_train_begin", X=self.batches.X, y=self.batches.y)
        try:
            if epochs > 0:
                engine.fit_loop(self.batches, epochs=epochs, epoch_end=self._end_epoch)
        except KeyboardInterrupt:
            record.interrupted = True
        finally:
            engine.notify("on_train_end", X=self.batches.X, y=self.batches.y)
        if self.checkpoint is not None and not record.interrupted:
            self.checkpoint.discard()  # the run is over: its checkpoint is not needed
        if record.diverged:
            _copy_into(engine.module_, self.good_state)
            engine.reset_optimizer()
        if self.validate is not None and self.best_state is not None:
            _copy_into(engine.module_, self.best_state)
        if self.refresh_statistics and record.n_iter_ > 0:
            refresh_batch_norm(engine.module_, self.batches)
        record._no_improvement_count = self.rule.count
        return record

    @property
    def restored_best(self):
        """Whether the weights of the best validation epoch were restored."""
        return self.validate is not None and self.best_state is not None

    def _end_epoch(self, engine):
        """scikit-learn's end-of-epoch logic; returns True to stop training."""
        record, rule = self.record, self.rule
        loss = engine.last("train_loss")
        # One fused reduction gives both the L2 term and a finiteness check.
        norms = _norms(self._params)
        if not math.isfinite(loss) or not math.isfinite(sum(norms)):
            # The epoch ran: it is counted and recorded as scikit-learn does (its
            # validation score is NaN); the last finite weights are put back in run().
            record.diverged = True
            record.n_iter_ += 1
            record.t_ += self.n_samples
            record.loss_curve_.append(loss if not math.isfinite(loss) else float("nan"))
            if self.validate is not None:
                record.validation_scores_.append(float("nan"))
            return True
        torch._foreach_copy_(self.good_state, self._state)
        if self.alpha:
            # (squares and sum in float64, of the float32 norms)
            l2 = 0.5 * self.alpha * sum(norms[i] ** 2 for i in self._matrices)
            loss += l2 * self.batches.penalty_factor
        record.n_iter_ += 1
        record.t_ += self.n_samples
        record.loss_ = loss
        record.loss_curve_.append(loss)
        engine.record("loss", loss)
        if self.verbose:
            print(f"Iteration {record.n_iter_}, loss = {loss:.8f}")
        self._observe(engine, loss)
        lr = self.schedule.after_epoch(engine.current_lr, record.t_)
        if lr != engine.current_lr:
            engine.set_lr(lr)
        engine.record("lr", lr)
        if rule.exhausted:
            msg = rule.message()
            reduced = self.schedule.on_plateau(lr)
            if reduced is None:
                if self.verbose:
                    print(f"{msg} Stopping.")
                record.converged = True
                return True
            engine.set_lr(reduced)
            rule.count = record._no_improvement_count = 0
            if self.verbose:
                print(f"{msg} Setting learning rate to {reduced:f}")
        if self.checkpoint is not None and record.n_iter_ % self.checkpoint_every == 0:
            self._save()
        return False

    def _observe(self, engine, loss):
        """Feed the stopping rule: the validation score, or the training loss."""
        record, rule = self.record, self.rule
        if self.validate is None:
            rule.observe(loss)
            record.best_loss_ = rule.best
            record._no_improvement_count = rule.count
            return
        engine.module_.eval()
        score = float(self.validate())
        record.validation_scores_.append(score)
        engine.record("validation_score", score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        if rule.observe(score):
            self.best_state = _snapshot(engine.module_)
        record.best_validation_score_ = rule.best
        record._no_improvement_count = rule.count

    # ------------------------------------------------------------ checkpoints
    def _save(self):
        engine = self.engine
        device = torch.device(engine.device)
        exported = engine.export()
        self.checkpoint.save(
            {
                "module": {k: v.detach().cpu() for k, v in engine.module_.state_dict().items()},
                "optimizer": to_cpu(exported["optimizer"]),
                "history": plain(exported["history"]),
                "fields": plain(self.record.attributes()),
                "best_state": None
                if self.best_state is None
                else [t.detach().cpu() for t in self.best_state],
                "batch_rng": self.batches.generator.get_state(),
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
            }
        )

    def _restore(self, payload):
        """Load a checkpoint's training state; returns the number of epochs done."""
        engine = self.engine
        device = torch.device(engine.device)
        engine.module_.load_state_dict(payload["module"])
        engine.load({"optimizer": payload["optimizer"], "history": payload["history"]})
        for name, value in payload["fields"].items():
            setattr(self.record, name, value)
        self.rule.count = self.record._no_improvement_count
        self.rule.best = (
            self.record.best_validation_score_
            if self.validate is not None
            else self.record.best_loss_
        )
        if payload["best_state"] is not None:
            self.best_state = [t.to(device) for t in payload["best_state"]]
        self.good_state = _snapshot(engine.module_)
        self.batches.generator.set_state(payload["batch_rng"])
        torch.set_rng_state(payload["torch_rng"])
        if payload["cuda_rng"] is not None and device.type == "cuda":
            torch.cuda.set_rng_state(payload["cuda_rng"], device)
        return int(self.record.n_iter_)
