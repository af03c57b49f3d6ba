"""Adam and SGD for the stochastic solvers: torch's fused kernels, called directly.

``torch.optim.Adam(fused=True)`` and ``SGD(fused=True)`` spend most of a small
step around their kernel: the ``Optimizer.step`` wrapper (a profiler range, hooks,
grad-mode switching), regathering the state of every parameter group, and one
kernel call per group. ``torch.optim.Optimizer`` also imports ``torch._dynamo``
(over a second, once per process and in every worker process) when it is built
and at its first step. :class:`Adam` and :class:`SGD` here do the same update with
the same kernels (``torch._fused_adam_``, ``torch._fused_sgd_``), without that
machinery:

* the state of a parameter group is gathered once per step and updated by one
  kernel call; Adam's step counters (torch's layout: a tensor per parameter) are
  views into one tensor, advanced by one call;
* a parameter group whose tensors hold fewer than :data:`SERIAL_NUMEL` elements
  runs its kernel on one thread: the fused CPU kernels split even a few dozen
  elements across threads, and waking them costs more than the update (much more
  when the other cores are busy). ATen's element-wise operations do not split
  work below this size either. The thread count is restored right after;
* nothing imports ``torch._dynamo``.

They keep the surface that the engine and ``torch.amp.GradScaler`` use
(``param_groups``, ``state``, ``defaults``, ``zero_grad``, ``state_dict``,
``load_state_dict``, ``add_param_group``) and **the state dict format of torch's
optimizers**: a state dict of one loads into the other, so models and checkpoints
saved with ``torch.optim`` load unchanged. The flags of torch's groups that choose
an implementation (``foreach``, ``fused``, ``capturable``, ``differentiable``) are
kept in the groups for that format only; these classes always run the fused kernel
and so support the devices and dtypes it supports (floating-point tensors on the
CPU or CUDA; :func:`supports` tells).
"""

import collections
import copy

import torch

__all__ = ["Adam", "SGD", "SERIAL_NUMEL", "supports"]

#: Parameter groups with fewer elements than this run the kernel on one thread
#: (ATen's grain size for element-wise operations, ``at::internal::GRAIN_SIZE``).
SERIAL_NUMEL = 32768


def supports(device):
    """Whether :class:`Adam` and :class:`SGD` (torch's fused kernels) run on ``device``."""
    return torch.device(device).type in ("cpu", "cuda")


class _FusedOptimizer:
    """What :class:`Adam` and :class:`SGD` share: groups, state and its format.

    A subclass defines ``_update(group, params, grads)``, the kernel call of one group.
    """

    #: For ``torch.amp.GradScaler``: pass the scale to the kernel, do not unscale.
    _step_supports_amp_scaling = True

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        self._small = []  # per group: runs its kernel on one thread (see step)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'`` and settings)."""
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, torch.Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections")
        group["params"] = params = list(params)
        for p in params:
            if not isinstance(p, torch.Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one is {type(p)}")
            if not supports(p.device) or not torch.is_floating_point(p):
                raise RuntimeError(
                    f"{type(self).__name__} runs torch's fused kernels, which need "
                    f"floating-point tensors on the CPU or CUDA; got {p.dtype} on {p.device}."
                )
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)
        self._small.append(sum(p.numel() for p in params) < SERIAL_NUMEL)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients (to None, or to zero)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    # ------------------------------------------------------------ state dict
    def state_dict(self):
        """The state as ``torch.optim.Optimizer.state_dict`` lays it out."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {
            (index[id(k)] if isinstance(k, torch.Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` or from torch's optimizer of the same
        kind (tensors are moved to their parameter's device and, except the step
        counters, cast to its dtype)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group "
                "that doesn't match the size of optimizer's group"
            )
        id_map = {
            saved: p
            for g, s in zip(self.param_groups, saved_groups)
            for saved, p in zip(s["params"], g["params"])
        }
        state = collections.defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = {k: _cast(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            for key, value in self.defaults.items():
                saved.setdefault(key, value)
        self.param_groups = saved_groups
        self.state = state
        self._loaded()

    def _loaded(self):
        """Per-optimizer fix-ups after :meth:`load_state_dict`."""

    # ------------------------------------------------------------ step
    def _gather(self, group):
        """``(params, grads)`` of the group's parameters that have a gradient."""
        params, grads = [], []
        for p in group["params"]:
            g = p.grad
            if g is not None:
                if g.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                params.append(p)
                grads.append(g)
        return params, grads

    def step(self, closure=None):
        """One update of every parameter that has a gradient.

        ``closure`` (re-evaluating the loss) is accepted for compatibility and
        called once, with gradients enabled, before the update.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        grad_enabled = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)
        try:
            work = [
                (group, small, *self._gather(group))
                for group, small in zip(self.param_groups, self._small)
            ]
            self._prepare(work)
            for group, small, params, grads in work:
                if not params:
                    continue
                threads = torch.get_num_threads() if small and params[0].is_cpu else 0
                if threads > 1:
                    torch.set_num_threads(1)
                    try:
                        self._update(group, params, grads)
                    finally:
                        torch.set_num_threads(threads)
                else:
                    self._update(group, params, grads)
        finally:
            torch._C._set_grad_enabled(grad_enabled)
        return loss

    def _prepare(self, work):
        """Before the updates: ``work`` lists ``(group, small, params, grads)``."""

    def _amp_tensors(self, device):
        """``(grad_scale, found_inf)`` set by ``GradScaler.step``, on ``device``."""
        grad_scale = getattr(self, "grad_scale", None)
        found_inf = getattr(self, "found_inf", None)
        if grad_scale is not None:
            grad_scale = grad_scale.to(device, non_blocking=True)
        if found_inf is not None:
            found_inf = found_inf.to(device, non_blocking=True)
        return grad_scale, found_inf


def _cast(param, key, value):
    """A loaded state tensor on ``param``'s device (as torch's fused optimizers do)."""
    if not isinstance(value, torch.Tensor):
        return value
    if key == "step":
        return value.to(dtype=torch.float32, device=param.device)
    if param.is_floating_point():
        return value.to(dtype=param.dtype, device=param.device)
    return value.to(device=param.device)


class Adam(_FusedOptimizer):
    """Adam, as ``torch.optim.Adam(fused=True)`` (same kernel, same state dict).

    Parameters
    ----------
    params : iterable of tensors or of dicts
        Parameters, or parameter groups (dicts with ``'params'`` and settings).
    lr : float, default=1e-3
    betas : tuple of float, default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=0
        L2 penalty added to the gradient (coupled, as in ``torch.optim.Adam``).
    amsgrad : bool, default=False
    maximize : bool, default=False
    decoupled_weight_decay : bool, default=False
        AdamW's decoupled weight decay.
    **flags
        ``foreach``, ``fused``, ``capturable``, ``differentiable``: accepted and
        stored in the groups (for torch's state dict format) but the fused kernel
        always runs; ``capturable`` and ``differentiable`` must be false.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
        foreach=None,
        fused=True,
        capturable=False,
        differentiable=False,
    ):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if capturable or differentiable:
            raise ValueError("sknn's Adam supports neither capturable nor differentiable.")
        defaults = {
            "lr": lr,
            "betas": (float(betas[0]), float(betas[1])),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    # The step counters: torch's layout (a float32 tensor per parameter) but, once
    # every parameter has one on the same device, views into one tensor, so that a
    # step advances them all with one call instead of one per parameter.
    _counters = None  # (tensor, [its views in parameter order])
    _advanced = False  # whether this step's counters were advanced in _prepare

    def _loaded(self):
        # Step counters stored as numbers (torch < 1.12) become tensors.
        self._counters = None
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state.get(p)
                if state and "step" in state and not isinstance(state["step"], torch.Tensor):
                    state["step"] = torch.tensor(
                        float(state["step"]), dtype=torch.float32, device=p.device
                    )

    def _prepare(self, work):
        state = self.state
        for group, _, params, _ in work:
            for p in params:
                if not state[p]:
                    st = state[p]
                    st["step"] = torch.zeros((), dtype=torch.float32, device=p.device)
                    st["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    st["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if group["amsgrad"]:
                        st["max_exp_avg_sq"] = torch.zeros_like(
                            p, memory_format=torch.preserve_format
                        )
        self._advanced = False
        if any(len(params) != len(group["params"]) for group, _, params, _ in work):
            return  # some parameters sit this step out: their counters stay
        states = [state[p] for group, _, params, _ in work for p in params]
        counters = self._counters
        if (
            counters is None
            or len(counters[1]) != len(states)
            or any(s["step"] is not v for s, v in zip(states, counters[1]))
        ):
            counters = self._bind_counters(states)
        if counters is not None:
            counters[0].add_(1)
            self._advanced = True

    def _bind_counters(self, states):
        """Make the step counters of ``states`` views into one tensor (None if
        they are on different devices)."""
        steps = [s["step"] for s in states]
        if len({t.device for t in steps}) != 1:
            self._counters = None
            return None
        buffer = torch.stack([t.to(torch.float32) for t in steps])
        views = list(buffer.unbind(0))
        for s, view in zip(states, views):
            s["step"] = view
        self._counters = (buffer, views)
        return self._counters

    def _update(self, group, params, grads):
        amsgrad = group["amsgrad"]
        states = [self.state[p] for p in params]
        steps = [s["step"] for s in states]
        if not self._advanced:
            torch._foreach_add_(steps, 1)
        grad_scale, found_inf = self._amp_tensors(params[0].device)
        beta1, beta2 = group["betas"]
        kernel = torch._fused_adamw_ if group["decoupled_weight_decay"] else torch._fused_adam_
        kernel(
            params,
            grads,
            [s["exp_avg"] for s in states],
            [s["exp_avg_sq"] for s in states],
            [s["max_exp_avg_sq"] for s in states] if amsgrad else [],
            steps,
            amsgrad=amsgrad,
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=group["maximize"],
            grad_scale=grad_scale,
            found_inf=found_inf,
        )
        if found_inf is not None:
            # A skipped step does not count (as in torch's fused Adam).
            torch._foreach_sub_(steps, [found_inf] * len(steps))


class SGD(_FusedOptimizer):
    """SGD with optional (Nesterov) momentum, as ``torch.optim.SGD(fused=True)``
    (same kernel, same state dict).

    Parameters
    ----------
    params : iterable of tensors or of dicts
    lr : float, default=1e-3
    momentum : float, default=0
    dampening : float, default=0
    weight_decay : float, default=0
    nesterov : bool, default=False
    maximize : bool, default=False
    **flags
        ``foreach``, ``fused``, ``differentiable``: as for :class:`Adam`.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        fused=True,
        differentiable=False,
    ):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable:
            raise ValueError("sknn's SGD does not support differentiable.")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def _update(self, group, params, grads):
        momentum = group["momentum"]
        buffers = []
        first_step = False
        if momentum != 0:
            # (Without momentum there is no state, as in torch's SGD.)
            states = [self.state[p] for p in params]
            buffers = [s.get("momentum_buffer") for s in states]
            first_step = all(b is None for b in buffers)
            if first_step:
                # The kernel sets each buffer to the gradient on the first step.
                buffers = [torch.empty_like(g) for g in grads]
                for s, b in zip(states, buffers):
                    s["momentum_buffer"] = b
        grad_scale, found_inf = self._amp_tensors(params[0].device)
        torch._fused_sgd_(
            params,
            grads,
            buffers,
            weight_decay=group["weight_decay"],
            momentum=momentum,
            lr=group["lr"],
            dampening=group["dampening"],
            nesterov=group["nesterov"],
            maximize=group["maximize"],
            is_first_step=first_step,
            grad_scale=grad_scale,
            found_inf=found_inf,
        )
