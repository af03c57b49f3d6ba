"""The training engine: skorch's ``NeuralNet`` with a whole-tensor data path.

This is the only module that imports skorch. The estimators compose one private
:class:`_Engine` each (built by :func:`make_engine`) and talk to it through the
few methods below (``fit_loop``, ``current_lr``/``set_lr``, ``reset_optimizer``, ``export`` ...)
and plain-function hooks (:class:`AfterStep`, :class:`ClipGradNorm`); none of
skorch's classes or methods become sknn's API. What is replaced here, and why:

* skorch's ``Dataset`` + ``DataLoader`` index one row at a time and collate
  (about 0.6 ms per batch on 2 CPU cores). :class:`TensorBatches` keeps the whole
  training set as tensors on the device and slices batches with a ``randperm``.
* ``run_single_epoch`` records one loss per epoch instead of calling ``.item()``
  per batch, so there is no host synchronisation inside an epoch.
* ``fit_loop`` stops on a flag set by a callback, never by ``KeyboardInterrupt``
  (skorch's early stopping raises ``KeyboardInterrupt``, which hides a real Ctrl-C).
* L2 regularisation is applied as scikit-learn's MLP defines it (gradient
  ``alpha * W / sum(batch sample weights)`` on the weight matrices, not the biases),
  through the weight-matrix parameter group's ``weight_decay``, set per batch, which
  the fused optimizers apply inside their kernel.
* The optimizers on the CPU and CUDA are :mod:`sknn._optimizers`' (torch's fused
  kernels without ``torch.optim.Optimizer``'s per-step overhead and its import of
  ``torch._dynamo``; same state dict format).
* History rows are written directly (skorch's ``History`` indexing copies the whole
  history on every access), the epoch is timed in ``fit_loop`` (skorch's
  ``EpochTimer``'s ``dur``), and callbacks' epoch hooks are called only when a
  callback has them.
* Small dense networks train on one intra-op thread (:func:`runs_serially`).

Callbacks, the history's format, optimizer construction, the train step and
pickling (with CUDA tensors mapped to the CPU when no GPU is present) are skorch's.

Three options change how the training step runs, never what the estimator exposes
(``module_`` stays the plain module, so persistence is unaffected):

* mixed precision (``set_speed_options(precision='bf16'|'fp16')``): the forward pass
  and the loss run under ``torch.autocast``; fp16 scales the loss with a
  ``GradScaler`` (whose step does not synchronise with fused optimizers);
* ``torch.compile`` of the training forward pass;
* data parallelism: inside :func:`sknn.distributed.data_parallel` the training
  forward pass goes through ``DistributedDataParallel`` and each process takes its
  share of every global batch (see :meth:`TensorBatches.shard`).
"""

import contextvars
import functools
import math
import time
import weakref
from typing import NamedTuple

import numpy as np
import torch

# skorch is imported only where an engine or a history is built (``make_engine``,
# ``make_history``), not by ``import sknn``: constructing an estimator needs none of
# it. ``_Engine`` is created on first use (``_engine_class``) and stays reachable as
# ``sknn._engine._Engine`` through the module's ``__getattr__``.

__all__ = [
    "AfterStep",
    "ClipGradNorm",
    "DataParallel",
    "PRECISIONS",
    "Target",
    "TensorBatches",
    "fit_lbfgs",
    "make_engine",
    "make_history",
    "runs_serially",
    "serial_threads",
]

#: ``precision`` values and the autocast dtype each one trains with.
PRECISIONS = {"bf16": torch.bfloat16, "fp16": torch.float16}

#: Extra keyword arguments for ``torch.compile`` (the tests use ``backend='eager'``).
_COMPILE_OPTIONS = {}

#: Training a dense network on the CPU runs on one intra-op thread (the thread
#: count is restored afterwards) when its batch rows times parameters (about the
#: multiply-adds of a forward pass) is below this: torch splits even tiny
#: reductions (the losses) and fused optimizer kernels across threads, and waking
#: them costs more than such a step's arithmetic (far more when the other cores
#: are busy). Larger networks, convolutions and recurrences keep torch's setting.
SERIAL_WORK = 2**20

#: module -> its parameter count if it is a dense network, else None (see runs_serially)
_DENSE_SIZES = weakref.WeakKeyDictionary()


def runs_serially(module, rows, device):
    """Whether passing ``rows`` rows through ``module`` on ``device`` (a
    ``torch.device``) should run on one intra-op thread: a dense network (no
    convolution or recurrence, which do much more work per parameter) on the CPU
    whose rows times parameters is below :data:`SERIAL_WORK`."""
    if rows < 2 or device.type != "cpu":
        return False  # (one row is not split across threads either)
    size = _DENSE_SIZES.get(module, False)
    if size is False:
        dense = not any(
            isinstance(m, (torch.nn.modules.conv._ConvNd, torch.nn.RNNBase))
            for m in module.modules()
        )
        size = sum(p.numel() for p in module.parameters()) if dense else None
        _DENSE_SIZES[module] = size
    return size is not None and rows * size < SERIAL_WORK


class serial_threads:
    """Context manager: torch runs on one intra-op thread inside it when
    ``enabled`` (the thread count is restored on exit)."""

    __slots__ = ("threads",)

    def __init__(self, enabled):
        self.threads = torch.get_num_threads() if enabled else 1

    def __enter__(self):
        if self.threads > 1:
            torch.set_num_threads(1)
        return self

    def __exit__(self, *exc_info):
        if self.threads > 1:
            torch.set_num_threads(self.threads)


class DataParallel(NamedTuple):
    """The process group an engine trains in (set by :mod:`sknn.distributed`)."""

    rank: int
    world_size: int
    group: object = None


#: The data-parallel setting of the current context (None: train in one process).
_DATA_PARALLEL = contextvars.ContextVar("sknn_data_parallel", default=None)


def current_data_parallel():
    """The :class:`DataParallel` of the current context, or None."""
    return _DATA_PARALLEL.get()


class Target(NamedTuple):
    """What a batch carries besides ``X``: targets, weights and their sum.

    ``w_sum`` is the weight (or row count) of the whole batch. Under data
    parallelism a process holds only its share of the batch: ``scale`` turns the
    loss normalised over that share into its share of the loss normalised over the
    whole batch, times the number of processes (whose gradients DDP averages).
    """

    y: torch.Tensor
    w: torch.Tensor | None
    w_sum: float
    scale: float = 1.0


class TensorBatches:
    """Iterate over mini-batches of in-memory tensors by index slicing.

    Parameters
    ----------
    X : torch.Tensor or scipy.sparse matrix
        Inputs; a sparse matrix stays on the host and each batch is densified.
    y : torch.Tensor
        Targets, on ``device``.
    w : numpy.ndarray or None
        Sample weights (a host copy is kept to compute per-batch sums without
        a device synchronisation).
    batch_size : int
    shuffle : bool
    generator : torch.Generator
        CPU generator used for the permutation.
    device : torch.device
    no_singleton : bool, default=False
        Never yield a batch of one row (for BatchNorm): a trailing single row is
        added to the previous batch.
    """

    def __init__(self, X, y, w, batch_size, shuffle, generator, device, no_singleton=False):
        self.X, self.y, self.batch_size = X, y, int(batch_size)
        self.shuffle, self.generator, self.device = shuffle, generator, device
        self.w_host = None if w is None else np.asarray(w, dtype=np.float64)
        self.w = None if w is None else torch.as_tensor(w, dtype=torch.float32).to(device)
        self.n = y.shape[0]
        self.sparse = not isinstance(X, torch.Tensor)
        starts = list(range(0, self.n, self.batch_size))
        if no_singleton and len(starts) > 1 and self.n - starts[-1] == 1:
            # BatchNorm cannot train on a batch of one row: the last row joins the
            # previous batch instead.
            starts.pop()
        self.starts = np.asarray(starts)
        self.stops = np.append(self.starts[1:], self.n)
        self._bounds = list(zip(self.starts.tolist(), self.stops.tolist()))
        # Factor turning 0.5 * alpha * ||W||^2 into its contribution to the epoch
        # loss as scikit-learn reports it: sum_b (len_b / sum_w_b) / n.
        self.penalty_factor = None
        self._fixed_sums = None
        self.sharding = None

    def shard(self, rank, world_size, normalize):
        """Yield only this process's share of each batch from now on.

        Every process draws the same permutation (same generator state) and so the
        same global batches; process ``rank`` takes rows ``rank::world_size`` of each.
        Batch sums, the L2 factor and the number of batches stay those of the global
        batches, so with gradients averaged over the processes a step equals the
        single-process step on the whole batch.

        Parameters
        ----------
        rank, world_size : int
        normalize : {'weights', 'count'}
            How the loss normalises a batch (``SampleLoss.normalize``).
        """
        self.sharding = (int(rank), int(world_size), normalize)
        return self

    def __len__(self):
        return len(self.starts)

    def _batch_sums(self, order):
        if self.w_host is None or order is None:
            # Without weights (or without shuffling) the sums are the same in every
            # epoch: computed once.
            if self._fixed_sums is None:
                self._fixed_sums = (self._compute_batch_sums(None), self.penalty_factor)
            sums, self.penalty_factor = self._fixed_sums
            return sums
        return self._compute_batch_sums(order)

    def _compute_batch_sums(self, order):
        starts = self.starts
        lens = self.stops - starts
        if self.w_host is None:
            sums = lens.astype(np.float64)
        else:
            w = self.w_host if order is None else self.w_host[order]
            sums = np.add.reduceat(w, starts)
        # Batches whose weights are all zero take no L2 step (see train_step).
        per_batch = np.divide(lens, sums, out=np.zeros(len(lens)), where=np.asarray(sums) > 0)
        self.penalty_factor = float(np.sum(per_batch) / self.n)
        return sums.tolist()

    def _x(self, index):
        if self.sparse:
            rows = self.X[index.cpu().numpy() if isinstance(index, torch.Tensor) else index]
            return torch.from_numpy(rows.toarray()).to(self.device, non_blocking=True)
        return self.X[index]

    def __iter__(self):
        if self.sharding is not None:
            yield from self._iter_shard()
            return
        bounds = self._bounds
        # One batch holds every row whatever the order: not shuffling it gives the
        # same step without a gather, and the same arithmetic in every epoch (so
        # fit and repeated partial_fit agree exactly, as scikit-learn's do).
        if self.shuffle and len(bounds) > 1:
            perm = torch.randperm(self.n, generator=self.generator)
            sums = self._batch_sums(perm.numpy())
            perm_dev = perm.to(self.device, non_blocking=True)
            for i, (start, stop) in enumerate(bounds):
                idx = perm_dev[start:stop]
                w = None if self.w is None else self.w[idx]
                yield self._x(idx), Target(self.y[idx], w, sums[i])
        elif len(bounds) == 1 and not self.sparse:
            # The whole training set: no slicing.
            yield self.X, Target(self.y, self.w, self._batch_sums(None)[0])
        else:
            sums = self._batch_sums(None)
            for i, (start, stop) in enumerate(bounds):
                sl = slice(start, stop)
                w = None if self.w is None else self.w[sl]
                yield self._x(sl), Target(self.y[sl], w, sums[i])

    def in_order(self):
        """The inputs of every (global) batch in row order, without shuffling."""
        for start, stop in self._bounds:
            yield self._x(slice(start, stop))

    @property
    def batch_sizes(self):
        """Rows in each (global) batch, as a float array."""
        return (self.stops - self.starts).astype(np.float64)

    def _iter_shard(self):
        rank, world, normalize = self.sharding
        if self.shuffle:
            order = torch.randperm(self.n, generator=self.generator).numpy()
            sums = self._batch_sums(order)
        else:
            order = np.arange(self.n)
            sums = self._batch_sums(None)
        parts, scales = [], []
        for start, stop, total in zip(self.starts.tolist(), self.stops.tolist(), sums):
            local = order[start:stop][rank::world]
            if self.w_host is None or normalize == "count":
                local_norm, global_norm = float(len(local)), float(stop - start)
            else:
                local_norm, global_norm = float(self.w_host[local].sum()), total
            scales.append(local_norm * world / global_norm if local_norm > 0 else 0.0)
            parts.append(local)
        lens = [len(p) for p in parts]
        # One host-to-device copy of this process's indices for the whole epoch.
        index = torch.from_numpy(np.concatenate(parts)).to(self.device, non_blocking=True)
        offsets = np.concatenate([[0], np.cumsum(lens)]).tolist()
        for i in range(len(parts)):
            idx = index[offsets[i] : offsets[i + 1]]
            w = None if self.w is None else self.w[idx]
            yield self._x(idx), Target(self.y[idx], w, sums[i], scales[i])


class AfterStep(NamedTuple):
    """A hook: ``fn(module)`` runs after every optimizer step (e.g. a weight
    constraint or a proximal step), under ``torch.no_grad``."""

    fn: object


class ClipGradNorm(NamedTuple):
    """A hook: clip the gradients' global norm to ``max_norm`` before each step."""

    max_norm: float


@functools.cache
def _after_step_class():
    """The skorch callback that runs an :class:`AfterStep` hook."""
    from skorch.callbacks import Callback

    class _AfterStep(Callback):
        def __init__(self, fn):
            self.fn = fn

        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                with torch.no_grad():
                    self.fn(net.module_)

    return _AfterStep


def _callbacks(hooks):
    """skorch callbacks for sknn's hooks, named in order."""
    from skorch.callbacks import GradientNormClipping

    callbacks = []
    for i, hook in enumerate(hooks):
        if isinstance(hook, AfterStep):
            callbacks.append((f"after_step_{i}", _after_step_class()(hook.fn)))
        elif isinstance(hook, ClipGradNorm):
            callbacks.append((f"clip_grad_norm_{i}", GradientNormClipping(hook.max_norm)))
        else:
            raise TypeError(f"Unknown engine hook {hook!r}.")
    return callbacks


def make_history(rows=()):
    """A training history (skorch's ``History``: one dict per epoch) from ``rows``."""
    from skorch.history import History

    return History(list(rows))


class _EngineMethods:
    """What ``_Engine`` adds to skorch's ``NeuralNet``: sknn's data path, loss and
    stopping rule. ``_Engine`` derives from this class and ``NeuralNet`` (in that
    order, so ``super()`` here is skorch's); see :func:`_engine_class`.

    Parameters beyond skorch's: ``l2_alpha`` (scikit-learn-style L2 on weight
    matrices) and ``penalty_fn`` (``penalty(module)`` added to each batch loss).
    """

    def __init__(self, *args, l2_alpha=0.0, penalty_fn=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.l2_alpha = l2_alpha
        self.penalty_fn = penalty_fn
        self.stop_requested = False
        self.data_parallel_runs = 0

    def get_default_callbacks(self):
        # skorch's EpochTimer is replaced by timing in fit_loop (same ``dur``).
        return []

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # skorch's ``history.new_epoch(); history.record("epoch", ...)``, without
        # History's indexing (which copies the whole history on every access).
        history = self.history
        list.append(history, {"batches": [], "epoch": len(history) + 1})

    def _row(self):
        """The last epoch's history row (a dict)."""
        return list.__getitem__(self.history, -1)

    # ``dataset`` is already a TensorBatches instance.
    def get_split_datasets(self, X, y=None, **fit_params):
        return X, None

    def get_iterator(self, dataset, training=False):
        return dataset

    def check_data(self, X, y=None):
        pass

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        # skorch appends a history row per batch; sknn records per epoch only.
        pass

    def initialize_optimizer(self, triggered_directly=None):
        super().initialize_optimizer()
        if "optimizer" not in self._optimizers:
            # skorch registers an optimizer (for ``optimizer__*`` parameters) when a
            # torch.optim.Optimizer is assigned; sknn's (sknn._optimizers) are not one.
            self._register_attribute("optimizer_", self.optimizer_)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        # Group 0: weight matrices (L2-decayed, as in scikit-learn); group 1: the rest.
        args, kwargs = super().get_params_for_optimizer(prefix, [])
        params = [p for _, p in named_parameters]
        groups = [
            {"params": [p for p in params if p.ndim >= 2], "decayed": True},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
        ]
        return ([g for g in groups if g["params"]],), kwargs

    # Training options (see set_speed_options); class defaults, so that engines
    # built before these options existed, or rebuilt on load, have them.
    amp_dtype = None
    grad_scaler = None
    compile_forward = False
    _compiled = None
    _ddp = None
    _epoch_hooks = True

    def set_speed_options(self, precision=None, compile=False):
        """Choose mixed precision (``None``, ``'bf16'``, ``'fp16'``) and whether to
        ``torch.compile`` the training forward pass. Called before each fit."""
        device_type = torch.device(self.device).type
        if precision == "bf16" and device_type == "cuda" and not torch.cuda.is_bf16_supported():
            raise ValueError(
                "precision='bf16' needs a GPU with bfloat16 support (compute capability "
                "8.0 or newer); use precision='fp16' on this GPU."
            )
        self.amp_dtype = None if precision is None else PRECISIONS[precision]
        if precision == "fp16":
            if self.grad_scaler is None:
                self.grad_scaler = torch.amp.GradScaler(device_type)
        else:
            self.grad_scaler = None
        if not compile:
            self._compiled = None
        self.compile_forward = bool(compile)
        return self

    def _autocast(self):
        device_type = torch.device(self.device).type
        return torch.autocast(device_type, dtype=self.amp_dtype, enabled=self.amp_dtype is not None)

    def _training_forward(self):
        """The callable the training step runs: the module, wrapped in DDP and/or
        compiled when those options are on."""
        fn = self.module_ if self._ddp is None else self._ddp[0]
        if not self.compile_forward:
            return fn
        if self._compiled is None or self._compiled[0] is not fn:
            self._compiled = (fn, torch.compile(fn, **_COMPILE_OPTIONS))
        return self._compiled[1]

    def infer(self, x, **fit_params):
        # ``x`` is already a tensor on the device (TensorBatches).
        if self.module_.training and torch.is_grad_enabled():
            return self._training_forward()(x, **fit_params)
        return self.module_(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        scale = getattr(y_true, "scale", 1.0)
        if scale == 0.0:
            # This process holds no row (or no weight) of the batch: it still runs
            # backward, with zero gradients, so that DDP's all-reduce completes.
            loss = y_pred.float().sum() * 0.0
        else:
            loss = self.criterion_(y_pred.float(), y_true.y, y_true.w)
            if scale != 1.0:
                loss = loss * scale
        if training and self.penalty_fn is not None:
            loss = loss + self.penalty_fn(self.module_)
        return loss

    def train_step_single(self, batch, **fit_params):
        # skorch's version switches every module to training mode on every batch
        # (``Module.train`` walks all children); switch only when needed.
        if not self.module_.training:
            self.module_.train()
        Xi, yi = batch
        if self.amp_dtype is None:
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        else:
            with self._autocast():
                y_pred = self.infer(Xi, **fit_params)
                loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.grad_scaler is not None:
            self.grad_scaler.scale(loss).backward()
        else:
            loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def initialize_callbacks(self):
        from skorch.callbacks import Callback

        super().initialize_callbacks()

        # Only pay for per-batch hooks that some callback implements.
        def overridden(name):
            return any(
                getattr(type(cb), name) is not getattr(Callback, name) for _, cb in self.callbacks_
            )

        self._grad_hooks = overridden("on_grad_computed")
        self._batch_hooks = overridden("on_batch_begin") or overridden("on_batch_end")
        self._epoch_hooks = overridden("on_epoch_begin") or overridden("on_epoch_end")
        return self

    def train_step(self, batch, **fit_params):
        optimizer = self.optimizer_
        if self.l2_alpha and optimizer.param_groups[0].get("decayed", False):
            # scikit-learn's L2 gradient, alpha * W / (total sample weight of the batch),
            # on weight matrices only: the optimizer's (fused) weight_decay adds it.
            # A batch whose sample weights are all zero takes no L2 step either.
            w_sum = batch[1].w_sum
            optimizer.param_groups[0]["weight_decay"] = self.l2_alpha / w_sum if w_sum else 0.0
        # Same steps as skorch's train_step, without the closure (sknn's solvers
        # evaluate the loss once per step; L-BFGS goes through SciPy instead).
        optimizer.zero_grad(set_to_none=True)
        step = self.train_step_single(batch, **fit_params)
        if self._grad_hooks:
            from skorch.utils import TeeGenerator

            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        if self.grad_scaler is not None:
            # With a fused optimizer the scaler passes its inf check to the kernel
            # (no host synchronisation); with others it reads it once per step.
            self.grad_scaler.step(optimizer)
            self.grad_scaler.update()
        else:
            optimizer.step()
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        losses, sizes = [], []
        hooks = self._batch_hooks
        for batch in iterator:
            if hooks:
                self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            losses.append(step["loss"].detach())
            sizes.append(batch[1].y.shape[0])
            if hooks:
                self.notify("on_batch_end", batch=batch, training=training, **step)
        if self._ddp is not None:
            # Each process's batch losses are its share of the global batch loss
            # times world_size: the sum over processes, divided by world_size, is the
            # single-process epoch loss. One all-reduce per epoch, so every process
            # sees the same loss and takes the same stopping decisions.
            world = iterator.sharding[1]
            weights = torch.as_tensor(iterator.batch_sizes / (world * iterator.n))
            total = torch.stack(losses).double() @ weights.to(losses[0].device)
            torch.distributed.all_reduce(total, group=current_data_parallel().group)
            row = self._row()
            row[prefix + "_loss"] = float(total.cpu())
            row[prefix + "_batch_count"] = len(iterator)
            return
        # one host synchronisation per epoch
        if len(losses) == 1:
            # (the same float64 arithmetic as the dot product below)
            total = float(losses[0]) * float(sizes[0])
        else:
            total = torch.stack(losses).double().cpu().numpy() @ np.asarray(sizes, dtype=float)
        row = self._row()
        row[prefix + "_loss"] = float(total) / iterator.n
        row[prefix + "_batch_count"] = len(iterator)

    # ---------------------------------------------------- what sknn calls
    @property
    def current_lr(self):
        """The learning rate of the first parameter group (skorch's ``lr`` is the
        initial one)."""
        return self.optimizer_.param_groups[0]["lr"]

    def set_lr(self, lr):
        """Set the learning rate of every parameter group."""
        for group in self.optimizer_.param_groups:
            group["lr"] = lr

    def move_to(self, device):
        """Move the module and the optimizer's state to another device."""
        from ._optimizers import SGD, Adam

        self.module_.to(device)
        # Step counters stay on the CPU, except for fused kernels (sknn's optimizers).
        fused = isinstance(self.optimizer_, (Adam, SGD))
        for state in self.optimizer_.state.values():
            for key, value in state.items():
                if isinstance(value, torch.Tensor) and (fused or key != "step"):
                    state[key] = value.to(device)
        self.device = str(device)

    def reset_optimizer(self, solver=None, params=None, alpha=None):
        """A fresh optimizer state (warm starts and recovery from divergence);
        with ``solver`` and ``params`` (as :func:`make_engine`'s), built from
        them, so a warm start uses the estimator's current settings."""
        if solver is not None:
            opt_class, opt_kwargs = _optimizer_spec(solver, params, self.device)
            for key in [k for k in vars(self) if k.startswith("optimizer__")]:
                delattr(self, key)
            self.optimizer, self.lr = opt_class, opt_kwargs.pop("lr")
            for key, value in opt_kwargs.items():
                setattr(self, f"optimizer__{key}", value)
        if alpha is not None:
            self.l2_alpha = float(alpha)
        self.initialize_optimizer()

    def last(self, key):
        """The value of ``key`` in the last epoch's history row."""
        return self._row()[key]

    def record(self, key, value):
        """Record ``key`` in the last epoch's history row."""
        self._row()[key] = value

    def export(self):
        """Optimizer state and history as tensors and plain values (the module's
        state is exported by the caller, which knows how to rebuild it)."""
        optimizer = getattr(self, "optimizer_", None)
        return {
            "optimizer": None if optimizer is None else optimizer.state_dict(),
            "history": [dict(row) for row in self.history_],
        }

    def load(self, data):
        """Restore what :meth:`export` returned."""
        if data.get("optimizer") is not None:
            self.optimizer_.load_state_dict(data["optimizer"])
        self.history_ = make_history(data["history"])

    def fit_loop(self, X, y=None, epochs=None, epoch_end=None, **fit_params):
        """Train for ``epochs`` epochs over ``X`` (a :class:`TensorBatches`);
        ``epoch_end(engine)`` runs after each epoch and a true result stops."""
        self.check_training_readiness()
        self.stop_requested = False
        epochs = self.max_epochs if epochs is None else epochs
        kwargs = {"dataset_train": X, "dataset_valid": None}
        parallel = current_data_parallel()
        if parallel is not None:
            self._start_data_parallel(X, parallel)
        # Callbacks' epoch hooks are called only if some callback has them.
        callbacks = self.callbacks_ if self._epoch_hooks else ()
        threads = serial_threads(
            runs_serially(self.module_, X.batch_size, torch.device(self.device))
        )
        threads.__enter__()
        try:
            for _ in range(epochs):
                start = time.time()
                self.on_epoch_begin(self, **kwargs)
                for _, cb in callbacks:
                    cb.on_epoch_begin(self, **kwargs)
                self.run_single_epoch(
                    X, training=True, prefix="train", step_fn=self.train_step, **fit_params
                )
                self._row()["dur"] = time.time() - start  # as skorch's EpochTimer
                self.on_epoch_end(self, **kwargs)
                for _, cb in callbacks:
                    cb.on_epoch_end(self, **kwargs)
                if epoch_end is not None and epoch_end(self):
                    self.stop_requested = True
                if self.stop_requested:
                    break
        finally:
            threads.__exit__()
            self._ddp = None
            if self._compiled is not None and parallel is not None:
                self._compiled = None  # it wraps the DDP module
        return self

    def _start_data_parallel(self, batches, parallel):
        """Wrap the module in DDP (which broadcasts rank 0's weights and buffers to
        every process) and take this process's share of each batch."""
        from torch.nn.parallel import DistributedDataParallel

        device = torch.device(self.device)
        device_ids = None
        if device.type == "cuda":
            device_ids = [device.index if device.index is not None else 0]
        # In a tuple: skorch refuses torch modules as attributes set outside
        # its initialize methods.
        self._ddp = (
            DistributedDataParallel(
                self.module_, device_ids=device_ids, process_group=parallel.group
            ),
        )
        batches.shard(parallel.rank, parallel.world_size, self.criterion_.normalize)
        self.data_parallel_runs += 1


@functools.cache
def _engine_class():
    """``_Engine``: skorch's ``NeuralNet`` with :class:`_EngineMethods`, created on
    first use so that skorch is imported only when an engine is built."""
    from skorch import NeuralNet

    namespace = {
        "__module__": __name__,
        "__qualname__": "_Engine",
        "__doc__": _EngineMethods.__doc__,
    }
    return type("_Engine", (_EngineMethods, NeuralNet), namespace)


def __getattr__(name):
    # ``sknn._engine._Engine`` (pickle finds the class by this name, and tests
    # patch its methods) without importing skorch at ``import sknn``.
    if name == "_Engine":
        return _engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _optimizer_spec(solver, params, device):
    """Return ``(optimizer class, kwargs)`` for a stochastic solver on ``device``.

    On the CPU and CUDA: sknn's :class:`~sknn._optimizers.Adam` and
    :class:`~sknn._optimizers.SGD` (torch's fused kernels without
    ``torch.optim.Optimizer``'s per-step overhead, and without importing
    ``torch._dynamo``); elsewhere torch's own, which have the same state dict.
    """
    from . import _optimizers

    fused = _optimizers.supports(device)
    if solver == "adam":
        kwargs = dict(
            lr=params["learning_rate_init"],
            betas=(params.get("beta_1", 0.9), params.get("beta_2", 0.999)),
            eps=params.get("epsilon", 1e-8),
        )
        return (_optimizers.Adam if fused else torch.optim.Adam), kwargs
    momentum = params.get("momentum", 0.0)
    kwargs = dict(
        lr=params["learning_rate_init"],
        momentum=momentum,
        nesterov=bool(params.get("nesterovs_momentum", False)) and momentum > 0,
    )
    return (_optimizers.SGD if fused else torch.optim.SGD), kwargs


def make_engine(module, loss, solver, params, device, hooks=(), alpha=0.0, penalty=None):
    """Build and initialise the training engine around ``module``.

    Parameters
    ----------
    module : torch.nn.Module
        The network (already initialised).
    loss : torch.nn.Module
        A :class:`sknn.modules.SampleLoss`.
    solver : {'adam', 'sgd'}
    params : dict
        The estimator's parameters (``get_params()``).
    device : torch.device
    hooks : sequence of AfterStep or ClipGradNorm
        Run at each training step, in order.
    alpha : float
        L2 penalty, applied to parameters with two or more dimensions.
    penalty : callable, optional
        ``penalty(module) -> scalar tensor`` added to each training batch's loss.

    Returns
    -------
    engine : _Engine
    """
    opt_class, opt_kwargs = _optimizer_spec(solver, params, device)
    lr = opt_kwargs.pop("lr")
    engine = _engine_class()(
        module=module,
        criterion=loss,
        optimizer=opt_class,
        lr=lr,
        train_split=None,
        callbacks=_callbacks(hooks),
        device=str(device),
        verbose=0,
        max_epochs=1,
        l2_alpha=float(alpha),
        penalty_fn=penalty,
        **{f"optimizer__{k}": v for k, v in opt_kwargs.items()},
    )
    engine.initialize()
    return engine


def fit_lbfgs(module, loss, X, y, w, alpha, penalty, max_iter, max_fun, tol, verbose):
    """Full-batch L-BFGS-B through SciPy, as scikit-learn's ``solver='lbfgs'``.

    Parameters
    ----------
    module : torch.nn.Module
    loss : torch.nn.Module
        A :class:`sknn.modules.SampleLoss`.
    X, y : torch.Tensor
    w : torch.Tensor or None
    alpha : float
    penalty : callable or None
        Extra ``penalty(module)`` term added to the loss.
    max_iter, max_fun : int
    tol : float
        Passed as ``gtol``.
    verbose : bool or int

    Returns
    -------
    result : scipy.optimize.OptimizeResult
    """
    if current_data_parallel() is not None:
        raise ValueError(
            "solver='lbfgs' does not support data-parallel training; use 'adam' or "
            "'sgd', or fit outside sknn.distributed."
        )
    params = [p for p in module.parameters() if p.requires_grad]
    decayed = [p for p in params if p.ndim >= 2]
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]
    w_sum = float(w.sum()) if w is not None else float(y.shape[0])
    module.train()

    def unpack(theta):
        chunks = torch.from_numpy(theta).split(sizes)
        with torch.no_grad():
            for p, c, s in zip(params, chunks, shapes):
                p.copy_(c.view(s).to(p.dtype))

    def fun(theta):
        unpack(theta)
        for p in params:
            p.grad = None
        value = loss(module(X), y, w)
        if alpha:
            value = value + 0.5 * alpha * sum(p.square().sum() for p in decayed) / w_sum
        if penalty is not None:
            value = value + penalty(module)
        value.backward()
        grad = torch.cat([p.grad.reshape(-1) for p in params]).double().cpu().numpy()
        f = float(value.detach())
        if not math.isfinite(f):
            return np.inf, np.zeros_like(grad)
        return f, grad

    import scipy.optimize  # only L-BFGS needs it: keep it out of ``import sknn``

    theta0 = torch.cat([p.detach().reshape(-1) for p in params]).double().cpu().numpy()
    result = scipy.optimize.minimize(
        fun,
        theta0,
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
    unpack(result.x)
    if verbose:
        print(f"L-BFGS-B: {result.nit} iterations, loss = {result.fun:.8f}, {result.message}")
    return result
