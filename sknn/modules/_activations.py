"""Registry of activation layers, keyed by the names the estimators accept."""

from torch import nn

__all__ = ["ACTIVATIONS", "get_activation"]

#: Name -> ``nn.Module`` class. ``logistic`` is scikit-learn's name for the sigmoid.
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
}


def get_activation(name):
    """Return a fresh activation layer for ``name``.

    Parameters
    ----------
    name : str
        One of the keys of :data:`ACTIVATIONS`.

    Returns
    -------
    layer : torch.nn.Module
        A new instance of the activation layer.

    Raises
    ------
    ValueError
        If ``name`` is not a known activation; the message lists the choices.
    """
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
        ) from None
