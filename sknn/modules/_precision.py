"""Running a module's computation in float64 without changing the module."""

import copy
import operator

import torch
from torch import nn

__all__ = ["Float64Copy", "float64_call"]

#: Up to this many elements the copy into float64 runs on one thread: torch splits a
#: copy of more than 32768 elements across its threads, which gains little for a
#: memory-bound copy and costs milliseconds when the cores are busy with other work.
SERIAL_COPY = 1 << 22

#: A module with more elements than this (128 MiB in float64) is copied for each
#: call and not kept: see :meth:`Float64Copy.release`.
KEEP_LIMIT = 1 << 24


def _tree(module):
    """The submodules of ``module`` (itself first) and their tensors (parameters,
    then buffers, of each module in turn), in a fixed order."""
    modules = [module]
    for m in modules:  # grows while it is read: breadth first
        modules.extend(sub for sub in m._modules.values() if sub is not None)
    tensors = [
        t for m in modules for d in (m._parameters, m._buffers) for t in d.values() if t is not None
    ]
    return modules, tensors


_REGISTRIES = ("_parameters", "_buffers", "_modules")


def _holds_tensors(value):
    """Whether an attribute is a tensor or a container of tensors (such as an RNN's
    list of its weights), which the float64 copy must have its own of."""
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple, set)):
        return False
    return any(_holds_tensors(v) for v in value)


def _registries(modules):
    """The dicts in which ``modules`` hold their submodules, parameters and buffers."""
    return [d for m in modules for d in (m._modules, m._parameters, m._buffers)]


class Float64Copy:
    """A float64 copy of a module, brought up to date with the module on each use.

    The copy is made once (a deep copy with the floating-point parameters and
    buffers in float64) and kept while the module holds the same submodules,
    parameters and buffers (the same objects); each :meth:`update` copies the
    module's current values into it, so it always computes with the module's
    current weights, however they were changed (in place through torch, through a
    NumPy view of a parameter, or by assigning ``.data``), without allocating.
    A module whose structure changed (a submodule, parameter or buffer added,
    removed or replaced) is copied afresh. The copy shares the objects of the
    attributes that hold no tensor (hook dicts, so hooks registered later apply to
    both, sizes, flags) as they were when it was made: an attribute rebound on the
    module afterwards is not seen. Until rebuilt, the copy keeps the module it was
    made from alive.

    Never saved (pickling gives an empty one): it is rebuilt from the module when
    next used.
    """

    def __init__(self):
        self._module = None  # the module copied
        self._registries = ()  # its submodules' registries, and what they held
        self._held = ()
        self._copy = None
        self._sources = self._targets = ()
        self._serial = self._keep = True

    def _current(self, module):
        if module is not self._module:
            return False
        held = [v for d in self._registries for v in d.values()]
        return len(held) == len(self._held) and all(map(operator.is_, held, self._held))

    def _build(self, module):
        modules, tensors = _tree(module)
        memo = {}
        for t in tensors:
            if t.is_floating_point() and id(t) not in memo:
                t64 = t.detach().to(torch.float64, copy=True)
                memo[id(t)] = (
                    nn.Parameter(t64, requires_grad=False) if isinstance(t, nn.Parameter) else t64
                )
        for m in modules:
            # Attributes that hold no tensor (hook dicts, sizes, flags, ...) are
            # shared with the copy, not copied: hooks registered later apply to both.
            for name, value in vars(m).items():
                if name not in _REGISTRIES and not _holds_tensors(value):
                    memo[id(value)] = value
        twin = copy.deepcopy(module, memo)
        twin.eval()
        self._module = module
        self._registries = _registries(modules)
        self._held = [v for d in self._registries for v in d.values()]
        self._copy = twin
        self._sources, self._targets = tensors, _tree(twin)[1]
        size = sum(t.numel() for t in tensors)
        self._serial = size < SERIAL_COPY
        self._keep = size <= KEEP_LIMIT

    def update(self, module):
        """The float64 copy of ``module``, holding the module's current values.

        Parameters
        ----------
        module : torch.nn.Module
            The module to copy (on the CPU).

        Returns
        -------
        copy : torch.nn.Module
            The float64 copy, in eval mode.
        """
        if not self._current(module):
            self._build(module)
        if self._sources:
            threads = torch.get_num_threads() if self._serial else 1
            if threads > 1:
                torch.set_num_threads(1)
            try:
                with torch.no_grad():
                    torch._foreach_copy_(self._targets, self._sources)
            finally:
                if threads > 1:
                    torch.set_num_threads(threads)
        return self._copy

    def release(self):
        """Drop the copy if the module is large (more than :data:`KEEP_LIMIT`
        elements), so that a large model does not hold a float64 copy of itself
        between calls; call when done with the copy."""
        if not self._keep:
            self.__init__()

    def __getstate__(self):
        return {}  # rebuilt when needed, never saved

    def __setstate__(self, state):
        self.__init__()


def float64_call(module, fn, cache=None):
    """A function ``x -> fn(module, x)`` computed in float64.

    The module's floating-point parameters and buffers are converted when this is
    called (so the function always sees the module's current weights, and the
    module itself is unchanged); floating-point inputs are converted per call.

    Parameters
    ----------
    module : torch.nn.Module
        The module whose tensors the computation uses.
    fn : callable
        ``fn(module, x) -> tensor``.
    cache : Float64Copy, optional
        Where the float64 copy of ``module`` is kept between calls (made afresh
        when None).

    Returns
    -------
    call : callable
        ``call(x)``: ``fn(module, x)`` with the module's floating-point tensors
        and ``x`` in float64.
    """
    twin = (Float64Copy() if cache is None else cache).update(module)

    def call(x):
        return fn(twin, x.double() if x.is_floating_point() else x)

    return call
