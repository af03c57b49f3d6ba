"""Weight initialisation schemes shared by the modules."""

import math

import torch
from torch import nn

__all__ = ["WEIGHT_INITS", "init_linear_"]

WEIGHT_INITS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal")


def init_linear_(layer, scheme, activation, generator=None):
    """Initialise a linear layer in place.

    Parameters
    ----------
    layer : torch.nn.Linear
        The layer to initialise.
    scheme : {'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal'}
        Glorot & Bengio (2010) or He et al. (2015) scaling. For Glorot schemes the
        bias is drawn from the same distribution as the weights and, when
        ``activation == 'logistic'``, the scale is divided by sqrt(3), exactly as
        scikit-learn's MLP does (``glorot_uniform`` is then its
        ``U(-sqrt(2 / (fan_in + fan_out)), +sqrt(2 / (fan_in + fan_out)))``);
        He schemes use zero biases.
    activation : str
        Name of the activation that follows the layer.
    generator : torch.Generator, optional
        Source of randomness; the global RNG is used when None.

    Returns
    -------
    layer : torch.nn.Linear
        The same layer.
    """
    if scheme not in WEIGHT_INITS:
        raise ValueError(f"Unknown weight_init {scheme!r}; expected one of {list(WEIGHT_INITS)}.")
    fan_out, fan_in = layer.weight.shape
    with torch.no_grad():
        if scheme.startswith("glorot"):
            # scikit-learn's _init_coef: sqrt(factor / (fan_in + fan_out)) with
            # factor 6, or 2 for logistic units.
            factor = math.sqrt(1.0 / 3.0) if activation == "logistic" else 1.0
            if scheme == "glorot_uniform":
                bound = factor * math.sqrt(6.0 / (fan_in + fan_out))
                layer.weight.uniform_(-bound, bound, generator=generator)
                if layer.bias is not None:
                    layer.bias.uniform_(-bound, bound, generator=generator)
            else:
                std = factor * math.sqrt(2.0 / (fan_in + fan_out))
                layer.weight.normal_(0.0, std, generator=generator)
                if layer.bias is not None:
                    layer.bias.normal_(0.0, std, generator=generator)
        else:
            gain = math.sqrt(2.0)
            if scheme == "he_uniform":
                bound = gain * math.sqrt(3.0 / fan_in)
                layer.weight.uniform_(-bound, bound, generator=generator)
            else:
                layer.weight.normal_(0.0, gain / math.sqrt(fan_in), generator=generator)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return layer
