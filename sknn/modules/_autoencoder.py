"""Autoencoders: an encoder to a code layer and a mirrored decoder."""

import torch
import torch.nn.functional as F
from torch import nn

from ._activations import get_activation
from ._init import init_linear_

__all__ = ["AutoencoderModule"]

NOISES = ("gaussian", "masking")
SPARSITIES = ("l1", "kl")


class AutoencoderModule(nn.Module):
    """A fully connected autoencoder that returns raw reconstructions.

    The encoder maps ``in_features`` through ``hidden_sizes`` to a code of
    ``n_components`` units; the decoder mirrors it (``n_components``, then
    ``hidden_sizes`` reversed, then ``in_features``). Each encoder and decoder
    layer but the last is ``Linear -> activation``; the code layer is
    ``Linear -> code_activation``; the decoder's last layer is a plain
    ``Linear`` (raw outputs: values for a squared error, logits for a log-loss).

    In training mode (``module.train()``) the module also

    * corrupts its input before encoding (denoising autoencoder): ``'masking'``
      sets each input to zero with probability ``noise_level``, ``'gaussian'``
      adds ``N(0, noise_level**2)`` noise. The randomness comes from torch's
      global generator, like dropout's;
    * computes a regularisation term on the batch's codes (and, for the
      contractive penalty, on the encoder's Jacobian), which
      :meth:`regularization` returns and clears. Add it to the reconstruction
      loss of the same batch.

    In evaluation mode the input is never corrupted and nothing is recorded.

    Parameters
    ----------
    in_features : int
        Size of each input row (and of each reconstruction).
    hidden_sizes : sequence of int
        Widths of the encoder's hidden layers, from the input; the decoder uses
        them in reverse order. Empty for a single code layer.
    n_components : int
        Number of code units.
    activation : str, default='relu'
        Activation of the hidden layers, a key of :data:`sknn.modules.ACTIVATIONS`.
    code_activation : str, default='identity'
        Activation of the code layer.
    tied_weights : bool, default=False
        If True, each decoder layer uses the transpose of the weight matrix of
        the mirrored encoder layer (it has its own bias).
    noise : {'gaussian', 'masking'} or None, default=None
        Input corruption in training mode.
    noise_level : float, default=0.0
        Standard deviation of the Gaussian noise, or probability of masking.
    sparsity : {'l1', 'kl'} or None, default=None
        Activity penalty on the code: ``'l1'`` is ``sparsity_weight`` times the
        mean of ``|code|`` over the batch and the code units; ``'kl'`` is
        ``sparsity_weight`` times the mean over code units of
        ``KL(sparsity_target || mean activation of the unit over the batch)``,
        which needs codes in ``(0, 1)`` (``code_activation='logistic'``).
    sparsity_weight : float, default=0.0
        Weight of the activity penalty.
    sparsity_target : float, default=0.05
        Target mean activation of a code unit for ``sparsity='kl'``.
    contractive_weight : float, default=0.0
        Weight of the contractive penalty: the batch mean of the squared
        Frobenius norm of the Jacobian of the code with respect to the input
        (Rifai et al., 2011), computed exactly for elementwise activations.
    weight_init : str, default='glorot_uniform'
        Initialisation scheme, see :func:`sknn.modules.init_linear_`. With
        tied weights the decoder's biases start at zero.
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    encoder : torch.nn.ModuleList
        The encoder's ``Linear`` layers, from the input; the last one gives the code.
    decoder : torch.nn.ModuleList
        The decoder's ``Linear`` layers (empty with tied weights).
    decoder_biases : torch.nn.ParameterList
        The decoder's biases with tied weights (empty otherwise).
    """

    def __init__(
        self,
        in_features,
        hidden_sizes,
        n_components,
        activation="relu",
        code_activation="identity",
        tied_weights=False,
        noise=None,
        noise_level=0.0,
        sparsity=None,
        sparsity_weight=0.0,
        sparsity_target=0.05,
        contractive_weight=0.0,
        weight_init="glorot_uniform",
        generator=None,
    ):
        super().__init__()
        if noise not in (None, *NOISES):
            raise ValueError(f"noise must be None, 'gaussian' or 'masking'; got {noise!r}.")
        if sparsity not in (None, *SPARSITIES):
            raise ValueError(f"sparsity must be None, 'l1' or 'kl'; got {sparsity!r}.")
        sizes = [int(in_features), *map(int, hidden_sizes), int(n_components)]
        self.n_components = int(n_components)
        self.tied_weights = bool(tied_weights)
        self.noise = noise
        self.noise_level = float(noise_level)
        self.sparsity = sparsity
        self.sparsity_weight = float(sparsity_weight)
        self.sparsity_target = float(sparsity_target)
        self.contractive_weight = float(contractive_weight)

        self.encoder = nn.ModuleList(
            nn.Linear(fan_in, fan_out) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
        )
        acts = [get_activation(activation) for _ in sizes[1:-1]]
        self.encoder_activations = nn.ModuleList([*acts, get_activation(code_activation)])
        back = sizes[::-1]
        if self.tied_weights:
            self.decoder = nn.ModuleList()
            self.decoder_biases = nn.ParameterList(
                nn.Parameter(torch.zeros(fan_out)) for fan_out in back[1:]
            )
        else:
            self.decoder = nn.ModuleList(
                nn.Linear(fan_in, fan_out) for fan_in, fan_out in zip(back[:-1], back[1:])
            )
            self.decoder_biases = nn.ParameterList()
        self.decoder_activations = nn.ModuleList(get_activation(activation) for _ in back[1:-1])
        for layer in [*self.encoder, *self.decoder]:
            init_linear_(layer, weight_init, activation, generator=generator)
        self._penalty = None

    # ------------------------------------------------------------------ parts
    def corrupt(self, x):
        """Return a corrupted copy of ``x`` (``x`` itself when there is no noise).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows; never modified in place.

        Returns
        -------
        x_noisy : torch.Tensor of shape (n_samples, in_features)
            The corrupted rows.
        """
        if self.noise is None or self.noise_level <= 0:
            return x
        if self.noise == "masking":
            keep = torch.rand_like(x) >= self.noise_level
            return x * keep
        return x + self.noise_level * torch.randn_like(x)

    def _encode(self, x, track=False):
        pre = []
        for linear, act in zip(self.encoder, self.encoder_activations):
            z = linear(x)
            x = act(z)
            if track:
                pre.append((z, x))
        return x, pre

    def encode(self, x):
        """Map input rows to their codes (no corruption).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows.

        Returns
        -------
        code : torch.Tensor of shape (n_samples, n_components)
            The code layer's activations.
        """
        return self._encode(x)[0]

    def decode(self, code):
        """Map codes to raw reconstructions.

        Parameters
        ----------
        code : torch.Tensor of shape (n_samples, n_components)
            Codes.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, in_features)
            Raw reconstructions (values, or logits for a log-loss).
        """
        x = code
        n = len(self.encoder)
        for k in range(n):
            if self.tied_weights:
                weight = self.encoder[n - 1 - k].weight
                x = F.linear(x, weight.t(), self.decoder_biases[k])
            else:
                x = self.decoder[k](x)
            if k < n - 1:
                x = self.decoder_activations[k](x)
        return x

    def forward(self, x):
        """Reconstruct the input rows (corrupting them first in training mode).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input rows.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, in_features)
            Raw reconstructions.
        """
        if not self.training:
            return self.decode(self.encode(x))
        x = self.corrupt(x)
        contractive = self.contractive_weight > 0 and torch.is_grad_enabled()
        code, pre = self._encode(x, track=contractive)
        penalty = None
        if self.sparsity is not None and self.sparsity_weight > 0:
            penalty = self.sparsity_weight * self._sparsity_penalty(code)
        if contractive:
            term = self.contractive_weight * self._jacobian_penalty(pre)
            penalty = term if penalty is None else penalty + term
        self._penalty = penalty
        return self.decode(code)

    # ------------------------------------------------------------ penalties
    def _sparsity_penalty(self, code):
        if self.sparsity == "l1":
            return code.abs().mean()
        eps = 1e-6
        rho = self.sparsity_target
        rho_hat = code.mean(0).clamp(eps, 1 - eps)
        kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
        return kl.mean()

    def _jacobian_penalty(self, pre):
        # J = D_L W_L ... D_1 W_1 with D_l = diag(f'(z_l)); f' from autograd, since
        # the activations act elementwise. Built from the code layer down.
        derivs = [
            torch.autograd.grad(h.sum(), z, create_graph=True, allow_unused=True)[0] for z, h in pre
        ]
        derivs = [torch.ones_like(z) if d is None else d for d, (z, _) in zip(derivs, pre)]
        jac = None
        for linear, d in zip(reversed(self.encoder), reversed(derivs)):
            if jac is None:
                jac = d.unsqueeze(2) * linear.weight  # (n, out, in)
            else:
                jac = (jac * d.unsqueeze(1)) @ linear.weight
        return jac.square().sum((1, 2)).mean()

    def regularization(self):
        """Return and clear the penalty of the last training-mode forward pass.

        Returns
        -------
        penalty : torch.Tensor
            A scalar (zero when no penalty is configured or after an
            evaluation-mode pass).
        """
        penalty, self._penalty = self._penalty, None
        if penalty is None:
            return torch.zeros((), device=self.encoder[0].weight.device)
        return penalty

    def __getstate__(self):
        state = super().__getstate__()
        state["_penalty"] = None  # a tensor of the last batch's graph: not state
        return state
