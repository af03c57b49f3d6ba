"""Running a module's computation in float64 without changing the module."""

import torch
from torch import nn

__all__ = ["float64_call"]


class _Call(nn.Module):
    """``fn(module, x)`` as a module, so that ``functional_call`` can swap the
    wrapped module's tensors."""

    def __init__(self, module, fn):
        super().__init__()
        self.module = module
        self.fn = fn

    def forward(self, x):
        return self.fn(self.module, x)


def float64_call(module, fn):
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

    Returns
    -------
    call : callable
        ``call(x)``: ``fn(module, x)`` with the module's floating-point tensors
        and ``x`` in float64.
    """
    wrapper = _Call(module, fn)
    tensors = {
        name: t.double() if t.is_floating_point() else t
        for name, t in (*wrapper.named_parameters(), *wrapper.named_buffers())
    }

    def call(x):
        x = x.double() if x.is_floating_point() else x
        return torch.func.functional_call(wrapper, tensors, (x,))

    return call
