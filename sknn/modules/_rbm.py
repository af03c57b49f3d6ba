"""Restricted Boltzmann machines: the energy model, Gibbs sampling, contrastive
divergence statistics and annealed importance sampling.

Everything works on torch tensors of shape ``(n_samples, n_visible)`` and
``(n_samples, n_hidden)``; no scikit-learn or NumPy.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["CDBuffers", "DBNModule", "RBMModule"]


class RBMModule(nn.Module):
    """A restricted Boltzmann machine with binary hidden units.

    The energy of a visible vector ``v`` and hidden vector ``h`` is

    * Bernoulli visible units: ``E(v, h) = -b·v - c·h - h·W v``,
    * Gaussian visible units of unit variance (for standardized data):
      ``E(v, h) = ||v - b||² / 2 - c·h - h·W v``,

    where ``W`` is ``weight``, ``b`` ``visible_bias`` and ``c`` ``hidden_bias``.
    ``forward`` returns ``P(h = 1 | v)``.

    Parameters
    ----------
    n_visible : int
        Number of visible units.
    n_hidden : int
        Number of hidden units.
    visible_unit : {'bernoulli', 'gaussian'}, default='bernoulli'
        Type of the visible units.
    generator : torch.Generator, optional
        Randomness for the initial weights, drawn from N(0, 0.01²) as in
        scikit-learn's ``BernoulliRBM``; biases start at zero.

    Attributes
    ----------
    weight : torch.nn.Parameter of shape (n_hidden, n_visible)
        Connection weights.
    hidden_bias : torch.nn.Parameter of shape (n_hidden,)
        Hidden biases.
    visible_bias : torch.nn.Parameter of shape (n_visible,)
        Visible biases.
    """

    def __init__(self, n_visible, n_hidden, visible_unit="bernoulli", generator=None):
        super().__init__()
        if visible_unit not in ("bernoulli", "gaussian"):
            raise ValueError(
                f"visible_unit must be 'bernoulli' or 'gaussian', got {visible_unit!r}"
            )
        self.visible_unit = visible_unit
        weight = torch.randn(int(n_hidden), int(n_visible), generator=generator) * 0.01
        # Training updates the parameters in place from contrastive-divergence
        # statistics, not from autograd.
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.hidden_bias = nn.Parameter(torch.zeros(int(n_hidden)), requires_grad=False)
        self.visible_bias = nn.Parameter(torch.zeros(int(n_visible)), requires_grad=False)

    @property
    def n_visible(self):
        """int: number of visible units."""
        return self.weight.shape[1]

    @property
    def n_hidden(self):
        """int: number of hidden units."""
        return self.weight.shape[0]

    # ----------------------------------------------------------- conditionals
    def hidden_probs(self, v, beta=1.0):
        """Return ``P(h = 1 | v)`` (at inverse temperature ``beta``)."""
        pre = torch.addmm(self.hidden_bias, v, self.weight.t())
        return torch.sigmoid(pre if beta == 1.0 else beta * pre)

    def visible_mean(self, h):
        """Return ``E[v | h]``: probabilities (Bernoulli) or means (Gaussian)."""
        pre = torch.addmm(self.visible_bias, h, self.weight)
        return torch.sigmoid(pre) if self.visible_unit == "bernoulli" else pre

    def sample_hidden(self, v, generator=None):
        """Draw ``h ~ P(h | v)``; returns ``(probabilities, sample)``."""
        p = self.hidden_probs(v)
        return p, _bernoulli(p, generator)

    def sample_visible(self, h, generator=None, out=None):
        """Draw ``v ~ P(v | h)``; returns ``(mean, sample)``.

        ``out``, a pair of tensors of those shapes, receives them in place (no
        allocation; the same numbers and random draws as without it).
        """
        if out is not None:
            mean, sample = out
            torch.addmm(self.visible_bias, h, self.weight, out=mean)
            if self.visible_unit == "bernoulli":
                mean.sigmoid_()
                sample.uniform_(generator=generator).lt_(mean)
            else:
                sample.normal_(generator=generator).add_(mean)
            return mean, sample
        mean = self.visible_mean(h)
        if self.visible_unit == "bernoulli":
            return mean, _bernoulli(mean, generator)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        return mean, mean + noise

    def forward(self, v):
        """Return ``P(h = 1 | v)``, the features a transformer outputs.

        Parameters
        ----------
        v : torch.Tensor of shape (n_samples, n_visible)
            Visible vectors.

        Returns
        -------
        h : torch.Tensor of shape (n_samples, n_hidden)
            Hidden unit activation probabilities.
        """
        return self.hidden_probs(v)

    # ---------------------------------------------------------------- energy
    def free_energy(self, v):
        """Return ``F(v) = -log sum_h exp(-E(v, h))`` for each row of ``v``."""
        softplus = F.softplus(torch.addmm(self.hidden_bias, v, self.weight.t())).sum(1)
        if self.visible_unit == "bernoulli":
            return -(v @ self.visible_bias) - softplus
        return 0.5 * ((v - self.visible_bias) ** 2).sum(1) - softplus

    # -------------------------------------------------------- training maths
    def cd_statistics(self, v_pos, chain, k=1, generator=None, out=None):
        """Positive and negative statistics of contrastive divergence (CD-k).

        Parameters
        ----------
        v_pos : torch.Tensor of shape (batch, n_visible)
            A minibatch of data.
        chain : torch.Tensor of shape (n_chains, n_hidden) or None
            Binary hidden states the negative chains start from (persistent CD);
            None starts them from hidden states sampled from the data (CD-k).
        k : int, default=1
            Number of Gibbs steps in the negative phase.
        generator : torch.Generator, optional
            Randomness of the Gibbs sampling.
        out : CDBuffers, optional
            Preallocated tensors (for ``n_chains`` chains) to compute into, used
            when ``v_pos`` has ``n_chains`` rows: the training loop's fast path.
            The returned tensors are then views of ``out``, overwritten by the
            next call, and the new chain states are written into ``out.chain``
            (which may be passed back as ``chain``). The numbers and random draws
            are those of a call without ``out``; the positive and the last
            negative hidden probabilities come from one matrix product of the
            ``2 * n_chains`` visible rows.

        Returns
        -------
        h_pos : torch.Tensor of shape (batch, n_hidden)
            ``P(h | v_pos)``.
        v_neg : torch.Tensor of shape (n_chains, n_visible)
            Visible samples at the end of the negative chains.
        h_neg : torch.Tensor of shape (n_chains, n_hidden)
            ``P(h | v_neg)``.
        chain : torch.Tensor of shape (n_chains, n_hidden)
            Binary hidden samples to continue persistent chains from.
        """
        if out is not None and v_pos.shape[0] == out.n_chains:
            return self._cd_statistics_into(v_pos, chain, k, generator, out)
        h_pos = self.hidden_probs(v_pos)
        h = _bernoulli(h_pos, generator) if chain is None else chain
        for _ in range(k):
            _, v_neg = self.sample_visible(h, generator)
            h_neg = self.hidden_probs(v_neg)
            h = _bernoulli(h_neg, generator)
        return h_pos, v_neg, h_neg, h

    def _cd_statistics_into(self, v_pos, chain, k, generator, out):
        """``cd_statistics`` into ``out``: the same steps and random draws in the same
        order, in place; for persistent chains the last negative phase's ``P(h |
        v_neg)`` and ``P(h | v_pos)`` (which no random draw depends on) are one
        product of the stacked visible rows."""
        b = v_pos.shape[0]
        v_both, h_both, h = out.visible, out.hidden, out.chain
        v_neg, h_pos, h_neg = v_both[b:], h_both[:b], h_both[b:]
        v_both[:b].copy_(v_pos)
        weight_t = self.weight.t()
        if chain is None:  # CD-k: the chains start from the data's hidden samples
            torch.addmm(self.hidden_bias, v_pos, weight_t, out=h_pos).sigmoid_()
            h.uniform_(generator=generator).lt_(h_pos)
        elif chain.data_ptr() != h.data_ptr():
            h.copy_(chain)
        for step in range(k):
            self.sample_visible(h, generator, out=(out.visible_mean, v_neg))
            if chain is not None and step == k - 1:
                torch.addmm(self.hidden_bias, v_both, weight_t, out=h_both).sigmoid_()
            else:
                torch.addmm(self.hidden_bias, v_neg, weight_t, out=h_neg).sigmoid_()
            h.uniform_(generator=generator).lt_(h_neg)
        return h_pos, v_neg, h_neg, h

    def log_partition_exact(self):
        """The exact ``log Z`` by enumeration; only for tiny models (tests).

        Enumerates the visible states (Bernoulli) or the hidden states
        (Gaussian, where the visible units integrate out in closed form), so
        the smaller of the two layers must have at most 20 units.

        Returns
        -------
        log_z : torch.Tensor
            A scalar in float64.
        """
        W = self.weight.double()
        b = self.visible_bias.double()
        c = self.hidden_bias.double()
        if self.visible_unit == "bernoulli":
            n = min(self.n_visible, self.n_hidden)
            if n > 20:
                raise ValueError("exact log Z needs at most 20 visible or hidden units")
            if self.n_visible <= self.n_hidden:
                states = _binary_states(self.n_visible, W.device)
                return torch.logsumexp(states @ b + F.softplus(states @ W.t() + c).sum(1), 0)
            states = _binary_states(self.n_hidden, W.device)
            return torch.logsumexp(states @ c + F.softplus(states @ W + b).sum(1), 0)
        if self.n_hidden > 20:
            raise ValueError("exact log Z needs at most 20 hidden units")
        states = _binary_states(self.n_hidden, W.device)
        mean = states @ W + b  # (2^H, V)
        log_terms = states @ c + 0.5 * (mean**2).sum(1) - 0.5 * (b**2).sum()
        return torch.logsumexp(log_terms, 0) + 0.5 * self.n_visible * math.log(2 * math.pi)

    def log_partition_ais(self, base_visible_bias=None, n_chains=100, n_betas=1000, generator=None):
        """Estimate ``log Z`` by annealed importance sampling.

        Salakhutdinov & Murray (2008): anneal from a base-rate model with the
        given visible biases and no hidden units (whose partition function is
        known) to this RBM through ``n_betas`` intermediate distributions
        ``p_β(v, h) ∝ exp((1 - β) E_A(v) - β E(v, h))``, running ``n_chains``
        independent chains.

        Parameters
        ----------
        base_visible_bias : torch.Tensor of shape (n_visible,), optional
            Visible biases (Bernoulli) or means (Gaussian) of the base model,
            e.g. the logits of the data's pixel means; zeros by default.
        n_chains : int, default=100
            Number of annealing runs.
        n_betas : int, default=1000
            Number of inverse temperatures, linearly spaced in [0, 1].
        generator : torch.Generator, optional
            Randomness of the sampling.

        Returns
        -------
        log_z : float
            The estimate of ``log Z``.
        log_z_std : float
            The standard error of the estimate of ``Z`` expressed in log space
            (delta method on the importance weights).
        """
        W = self.weight.double()
        b = self.visible_bias.double()
        c = self.hidden_bias.double()
        device = W.device
        n_v = self.n_visible
        if base_visible_bias is None:
            b_a = torch.zeros(n_v, dtype=torch.float64, device=device)
        else:
            b_a = base_visible_bias.double().to(device)
        gaussian = self.visible_unit == "gaussian"
        betas = torch.linspace(0.0, 1.0, int(n_betas), dtype=torch.float64).tolist()

        def log_p(v, beta):
            """Unnormalised log-probability of visible states at inverse temperature beta."""
            if gaussian:
                base = -0.5 * ((v - b_a) ** 2).sum(1)
                target = -0.5 * ((v - b) ** 2).sum(1)
            else:
                base = v @ b_a
                target = v @ b
            hidden = F.softplus(beta * (v @ W.t() + c)).sum(1)
            return (1 - beta) * base + beta * target + hidden

        def draw_visible(mean_logit, shape):
            if gaussian:
                noise = torch.randn(shape, generator=generator, dtype=torch.float64)
                return mean_logit + noise.to(device)
            u = torch.rand(shape, generator=generator, dtype=torch.float64).to(device)
            return (u < torch.sigmoid(mean_logit)).double()

        shape = (int(n_chains), n_v)
        v = draw_visible(b_a.expand(shape), shape)
        log_w = torch.zeros(int(n_chains), dtype=torch.float64, device=device)
        for prev, beta in zip(betas[:-1], betas[1:]):
            log_w += log_p(v, beta) - log_p(v, prev)
            # One Gibbs transition that leaves p_beta invariant.
            p_h = torch.sigmoid(beta * (v @ W.t() + c))
            u = torch.rand(p_h.shape, generator=generator, dtype=torch.float64).to(device)
            h = (u < p_h).double()
            # The visible conditional's logit (Bernoulli) or mean (Gaussian).
            v = draw_visible((1 - beta) * b_a + beta * (b + h @ W), shape)
        if gaussian:
            log_z_base = 0.5 * n_v * math.log(2 * math.pi)
        else:
            log_z_base = float(F.softplus(b_a).sum())
        log_z_base += self.n_hidden * math.log(2.0)
        n = log_w.numel()
        log_mean_w = torch.logsumexp(log_w, 0) - math.log(n)
        w = torch.exp(log_w - log_w.max())
        rel_se = float(w.std() / (w.mean() * math.sqrt(n))) if n > 1 else float("inf")
        return float(log_z_base + log_mean_w), rel_se


class CDBuffers:
    """Preallocated tensors for :meth:`RBMModule.cd_statistics` (``out=``).

    Parameters
    ----------
    rbm : RBMModule
        The machine (its sizes, device and dtype).
    n_chains : int
        Number of chains (the minibatch size).

    Attributes
    ----------
    visible : torch.Tensor of shape (2 * n_chains, n_visible)
        The minibatch, then the negative visible samples.
    hidden : torch.Tensor of shape (2 * n_chains, n_hidden)
        Their hidden probabilities.
    visible_mean : torch.Tensor of shape (n_chains, n_visible)
        ``E[v | h]`` of the negative phase.
    chain : torch.Tensor of shape (n_chains, n_hidden)
        The chains' binary hidden states.
    """

    def __init__(self, rbm, n_chains):
        kw = {"device": rbm.weight.device, "dtype": rbm.weight.dtype}
        self.n_chains = int(n_chains)
        self.visible = torch.empty(2 * self.n_chains, rbm.n_visible, **kw)
        self.hidden = torch.empty(2 * self.n_chains, rbm.n_hidden, **kw)
        self.visible_mean = torch.empty(self.n_chains, rbm.n_visible, **kw)
        self.chain = torch.empty(self.n_chains, rbm.n_hidden, **kw)


class DBNModule(nn.Module):
    """A stack of RBMs (a deep belief net); ``forward`` is the mean-field up-pass.

    Parameters
    ----------
    rbms : sequence of RBMModule
        The layers from the bottom (visible) up; each one's ``n_visible``
        equals the previous one's ``n_hidden``.

    Attributes
    ----------
    rbms : torch.nn.ModuleList
        The RBM layers.
    """

    def __init__(self, rbms):
        super().__init__()
        for lower, upper in zip(rbms[:-1], rbms[1:]):
            if lower.n_hidden != upper.n_visible:
                raise ValueError("each RBM's n_visible must equal the n_hidden below it")
        self.rbms = nn.ModuleList(rbms)

    def up(self, v, n_layers=None):
        """Hidden probabilities after ``n_layers`` layers (all when None)."""
        for rbm in self.rbms[:n_layers]:
            v = rbm.hidden_probs(v)
        return v

    def down(self, h, n_layers=None):
        """Mean visible activities, propagating down from the top ``n_layers``."""
        rbms = list(self.rbms)
        start = 0 if n_layers is None else len(rbms) - n_layers
        for rbm in reversed(rbms[start:]):
            h = rbm.visible_mean(h)
        return h

    def forward(self, v):
        """Return the top layer's hidden probabilities.

        Parameters
        ----------
        v : torch.Tensor of shape (n_samples, n_visible)
            Visible vectors.

        Returns
        -------
        h : torch.Tensor of shape (n_samples, n_hidden_top)
            Mean-field activations of the top hidden layer.
        """
        return self.up(v)


def _bernoulli(p, generator=None):
    """Binary samples with probabilities ``p`` (same dtype and device).

    ``torch.rand(...) < p`` draws the same distribution as ``torch.bernoulli(p)``
    and is about 2.5 times faster on the CPU.
    """
    u = torch.rand(p.shape, generator=generator, device=p.device, dtype=p.dtype)
    return (u < p).to(p.dtype)


def _binary_states(n, device):
    """All ``2**n`` binary vectors of length ``n`` as float64 rows."""
    idx = torch.arange(2**n, device=device).unsqueeze(1)
    bits = 2 ** torch.arange(n, device=device)
    return ((idx & bits) > 0).double()
