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
    per_unit = F.binary_cross_entropy_with_logits(raw, y, reduction="none")
    return per_unit if reduction == "elementwise" else per_unit.sum(1)


def _mean_binary_log_loss(raw, y, reduction):
    # mean over the outputs of the binary log-loss, y in [0, 1] (soft targets allowed):
    # the reconstruction loss of an autoencoder of [0, 1]-valued inputs
    if reduction == "mean":
        return F.binary_cross_entropy_with_logits(raw, y)
    per_unit = F.binary_cross_entropy_with_logits(raw, y, reduction="none")
    return per_unit if reduction == "elementwise" else per_unit.mean(1)


def _squared_error(raw, y, reduction):
    if reduction == "mean":
        return 0.5 * F.mse_loss(raw, y)
    return 0.5 * (raw - y).square().mean(1)


def _poisson(raw, y, reduction):
    # half Poisson deviance with log link: y log(y / mu) - y + mu, mu = exp(raw)
    per_sample = (torch.xlogy(y, y) - y * raw - y + torch.exp(raw)).mean(1)
    return per_sample.mean() if reduction == "mean" else per_sample


def _perceptron(raw, y, reduction):
    # Rosenblatt's criterion, one-vs-rest: max(0, -m) with margin m = s * raw and
    # s in {-1, +1}. Written as -m * (m <= 0) so that a point on the boundary
    # (m == 0, e.g. at the zero initialisation) still gets the update, as in the
    # classic rule; clamp/relu would give it a zero gradient.
    margin = (2.0 * y - 1.0) * raw
    per_unit = -margin * (margin <= 0)
    if reduction == "elementwise":
        return per_unit
    per_sample = per_unit.sum(1)
    return per_sample.mean() if reduction == "mean" else per_sample


LOSSES = {
    "cross_entropy": _cross_entropy,
    "binary_log_loss": _binary_log_loss,
    "squared_error": _squared_error,
    "poisson": _poisson,
    "mean_binary_log_loss": _mean_binary_log_loss,
    "perceptron": _perceptron,
}


class SampleLoss(nn.Module):
    """Weighted mean of a per-sample loss.

    Parameters
    ----------
    name : str
        A key of :data:`LOSSES`.
    normalize : {'weights', 'count'}, default='weights'
        Divide the weighted sum by the sum of the weights (``numpy.average``, as
        scikit-learn's MLP losses do) or by the number of samples (sample weights
        scale each sample's gradient, as in scikit-learn's SGD linear models).
    pos_weight : sequence of float, optional
        For one-vs-rest losses: output unit ``k`` weighs the samples of its own
        class by ``pos_weight[k]`` (class weights, applied per unit).

    Notes
    -----
    ``forward(raw, y, w=None)`` returns ``sum(w * l) / sum(w)`` (or ``/ n``); the
    plain mean when ``w`` is None.
    """

    def __init__(self, name, normalize="weights", pos_weight=None):
        super().__init__()
        if name not in LOSSES:
            raise ValueError(f"Unknown loss {name!r}; expected one of {sorted(LOSSES)}.")
        if normalize not in ("weights", "count"):
            raise ValueError(f"normalize must be 'weights' or 'count', got {normalize!r}.")
        if pos_weight is not None and name not in ("perceptron", "binary_log_loss"):
            raise ValueError("pos_weight only applies to one-vs-rest losses.")
        self.name = name
        self.normalize = normalize
        self.pos_weight = None if pos_weight is None else torch.as_tensor(pos_weight)

    def _per_sample(self, raw, y):
        if self.pos_weight is None:
            return LOSSES[self.name](raw, y, "none")
        # Unit k weighs its positive samples (y[:, k] == 1) by pos_weight[k] and its
        # negatives by 1, as scikit-learn's one-vs-rest SGD models apply class_weight.
        unit = LOSSES[self.name](raw, y, "elementwise")
        scale = 1.0 + y * (self.pos_weight.to(raw.device, raw.dtype) - 1.0)
        return (unit * scale).sum(1)

    def forward(self, raw, y, w=None):
        """Compute the (weighted) mean loss.

        Parameters
        ----------
        raw : torch.Tensor of shape (n_samples, n_outputs)
            Raw network outputs.
        y : torch.Tensor
            Targets: class indices for ``'cross_entropy'``, else the same shape as
            ``raw``.
        w : torch.Tensor of shape (n_samples,), optional
            Sample weights.

        Returns
        -------
        loss : torch.Tensor
            A scalar.
        """
        if w is None:
            if self.pos_weight is None:
                return LOSSES[self.name](raw, y, "mean")
            return self._per_sample(raw, y).mean()
        total = (self._per_sample(raw, y) * w).sum()
        if self.normalize == "count":
            return total / w.shape[0]
        # A batch whose weights are all zero has zero loss (and gradients), not 0/0.
        return total / w.sum().clamp_min(torch.finfo(total.dtype).tiny)
