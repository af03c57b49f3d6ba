"""Fully connected networks (multi-layer perceptrons)."""

from torch import nn

from ._activations import get_activation
from ._init import init_linear_

__all__ = ["MLPModule"]


class MLPModule(nn.Module):
    """A stack of fully connected layers that returns raw outputs (logits).

    Each hidden block is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``
    (an ``nn.Sequential`` holding only the parts in use); the output layer is a
    plain ``Linear``.

    Parameters
    ----------
    in_features : int
        Size of each input row.
    hidden_sizes : sequence of int
        Width of each hidden layer; empty for a linear model.
    out_features : int
        Number of outputs (logits for classification).
    activation : str, default='relu'
        Hidden activation, a key of :data:`sknn.modules.ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Whether to put a ``BatchNorm1d`` between each hidden linear layer and
        its activation.
    weight_init : str, default='glorot_uniform'
        Initialisation scheme, see :func:`sknn.modules.init_linear_`.
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    blocks : torch.nn.ModuleList
        One ``nn.Sequential`` per hidden layer; ``blocks[i][0]`` is its ``Linear``.
    output : torch.nn.Linear
        The output layer.
    """

    def __init__(
        self,
        in_features,
        hidden_sizes,
        out_features,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        generator=None,
    ):
        super().__init__()
        sizes = [int(in_features), *map(int, hidden_sizes)]
        blocks = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            parts = [nn.Linear(fan_in, fan_out)]
            if batch_norm:
                parts.append(nn.BatchNorm1d(fan_out))
            parts.append(get_activation(activation))
            if dropout > 0:
                parts.append(nn.Dropout(dropout))
            blocks.append(nn.Sequential(*parts))
        self.blocks = nn.ModuleList(blocks)
        self.output = nn.Linear(sizes[-1], int(out_features))
        for layer in self.linears:
            init_linear_(layer, weight_init, activation, generator=generator)

    @property
    def linears(self):
        """list of torch.nn.Linear: the linear layers in order, output last."""
        return [block[0] for block in self.blocks] + [self.output]

    def linear_parameters(self):
        """The weight and bias of each linear layer, in order, output last.

        The same tensors as ``linears`` gives, read straight from the modules'
        registries: ten times faster than through ``nn.Module.__getattr__``, for
        code that reads them on every prediction.

        Returns
        -------
        params : tuple of torch.Tensor
            ``(weight_0, bias_0, weight_1, bias_1, ...)``.
        """
        layers = [
            next(iter(b._modules.values())) for b in self._modules["blocks"]._modules.values()
        ]
        layers.append(self._modules["output"])
        return tuple(
            t for lin in layers for t in (lin._parameters["weight"], lin._parameters["bias"])
        )

    def hidden(self, x, n_layers=None):
        """Return the activations after ``n_layers`` hidden blocks (all if None).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows.
        n_layers : int, optional
            How many hidden blocks to apply; all of them when None.

        Returns
        -------
        h : torch.Tensor
            The output of the last applied hidden block.
        """
        for block in self.blocks[:n_layers]:
            x = block(x)
        return x

    def forward(self, x):
        """Compute the raw outputs.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, out_features)
            Raw outputs (logits or values).
        """
        for block in self.blocks:
            x = block(x)
        return self.output(x)
