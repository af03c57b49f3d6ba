"""Single-layer (linear) networks."""

import torch
from torch import nn

__all__ = ["LinearModule"]


class LinearModule(nn.Module):
    """One fully connected layer returning raw scores, initialised at zero.

    Zero initialisation is Rosenblatt's (and scikit-learn's linear models'): the
    objectives trained on top of it (perceptron criterion, logistic and softmax
    log-loss) are convex, so no random start is needed.

    Parameters
    ----------
    in_features : int
        Size of each input row.
    out_features : int
        Number of scores (one per class, or one for a binary problem).
    bias : bool, default=True
        Whether to learn an intercept.

    Attributes
    ----------
    linear : torch.nn.Linear
        The layer; ``linear.weight`` has shape ``(out_features, in_features)``.
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.linear = nn.Linear(int(in_features), int(out_features), bias=bias)
        with torch.no_grad():
            self.linear.weight.zero_()
            if bias:
                self.linear.bias.zero_()

    @property
    def linears(self):
        """list of torch.nn.Linear: the single layer, for symmetry with MLPModule."""
        return [self.linear]

    def forward(self, x):
        """Compute the raw scores.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows.

        Returns
        -------
        scores : torch.Tensor of shape (n_samples, out_features)
            One score per output unit.
        """
        return self.linear(x)
