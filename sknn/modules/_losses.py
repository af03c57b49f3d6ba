"""Per-sample losses on raw network outputs, with optional sample weights.

Each loss matches the definition scikit-learn's MLP uses (half squared error,
half Poisson deviance, summed binary log-loss for multilabel outputs), but takes
logits / raw outputs so the numerically stable torch kernels can be used.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LOSSES", "SampleLoss"]


def _cross_entropy(raw, y):
    return F.cross_entropy(raw, y, reduction="none")


def _binary_log_loss(raw, y):
    return F.binary_cross_entropy_with_logits(raw, y, reduction="none").sum(1)


def _squared_error(raw, y):
    return 0.5 * (raw - y).square().mean(1)


def _poisson(raw, y):
    # half Poisson deviance with log link: y log(y / mu) - y + mu, mu = exp(raw)
    return (torch.xlogy(y, y) - y * raw - y + torch.exp(raw)).mean(1)


def _hinge_perceptron(raw, y):
    # Rosenblatt's criterion, one-vs-rest: max(0, -s * raw) with s in {-1, +1}
    s = 2.0 * y - 1.0
    return torch.clamp(-s * raw, min=0.0).sum(1)


LOSSES = {
    "cross_entropy": _cross_entropy,
    "binary_log_loss": _binary_log_loss,
    "squared_error": _squared_error,
    "poisson": _poisson,
    "perceptron": _hinge_perceptron,
}


class SampleLoss(nn.Module):
    """Weighted mean of a per-sample loss.

    Parameters
    ----------
    name : str
        A key of :data:`LOSSES`.

    Notes
    -----
    ``forward(raw, y, w=None)`` returns ``sum(w * l) / sum(w)`` (the plain mean
    when ``w`` is None), as ``numpy.average`` does in scikit-learn's losses.
    """

    def __init__(self, name):
        super().__init__()
        if name not in LOSSES:
            raise ValueError(f"Unknown loss {name!r}; expected one of {sorted(LOSSES)}.")
        self.name = name

    def forward(self, raw, y, w=None):
        """Return the (weighted) mean loss as a scalar tensor."""
        per_sample = LOSSES[self.name](raw, y)
        if w is None:
            return per_sample.mean()
        return (per_sample * w).sum() / w.sum()
