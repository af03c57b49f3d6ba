"""Per-sample losses on raw network outputs, with optional sample weights.

Each loss matches the definition scikit-learn's MLP uses (half squared error,
half Poisson deviance, summed binary log-loss for multilabel outputs), but takes
logits / raw outputs so the numerically stable torch kernels can be used.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LOSSES", "SampleLoss"]


def _cross_entropy(raw, y, reduction):
    return F.cross_entropy(raw, y, reduction=reduction)


def _binary_log_loss(raw, y, reduction):
    if reduction == "mean":  # mean over samples of the sum over labels
        return F.binary_cross_entropy_with_logits(raw, y) * raw.shape[1]
    return F.binary_cross_entropy_with_logits(raw, y, reduction="none").sum(1)


def _squared_error(raw, y, reduction):
    if reduction == "mean":
        return 0.5 * F.mse_loss(raw, y)
    return 0.5 * (raw - y).square().mean(1)


def _poisson(raw, y, reduction):
    # half Poisson deviance with log link: y log(y / mu) - y + mu, mu = exp(raw)
    per_sample = (torch.xlogy(y, y) - y * raw - y + torch.exp(raw)).mean(1)
    return per_sample.mean() if reduction == "mean" else per_sample


def _perceptron(raw, y, reduction):
    # Rosenblatt's criterion, one-vs-rest: max(0, -s * raw) with s in {-1, +1}
    per_sample = torch.clamp((1.0 - 2.0 * y) * raw, min=0.0).sum(1)
    return per_sample.mean() if reduction == "mean" else per_sample


LOSSES = {
    "cross_entropy": _cross_entropy,
    "binary_log_loss": _binary_log_loss,
    "squared_error": _squared_error,
    "poisson": _poisson,
    "perceptron": _perceptron,
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
        fn = LOSSES[self.name]
        if w is None:
            return fn(raw, y, "mean")
        return (fn(raw, y, "none") * w).sum() / w.sum()
