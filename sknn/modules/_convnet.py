"""Convolutional networks over images (2-D) and numeric sequences (1-D)."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._activations import get_activation
from ._init import WEIGHT_INITS, init_linear_

__all__ = ["ConvNetModule", "RandomShiftFlip", "init_conv_"]

POOLINGS = ("max", "avg")
GLOBAL_POOLINGS = ("avg", "max")


def init_conv_(layer, scheme, activation, generator=None):
    """Initialise a convolution layer in place, with the schemes of the linear layers.

    Parameters
    ----------
    layer : torch.nn.Conv1d or torch.nn.Conv2d
        The layer to initialise.
    scheme : {'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal'}
        As in :func:`sknn.modules.init_linear_`, with ``fan_in = in_channels *
        kernel area`` and ``fan_out = out_channels * kernel area`` (Glorot & Bengio's
        and He et al.'s fans for convolutions).
    activation : str
        Name of the activation that follows the layer.
    generator : torch.Generator, optional
        Source of randomness; the global RNG is used when None.

    Returns
    -------
    layer : torch.nn.Module
        The same layer.
    """
    if scheme not in WEIGHT_INITS:
        raise ValueError(
            f"Unknown weight_init {scheme!r}; expected one of {list(WEIGHT_INITS)}."
        )
    out_ch, in_ch, *kernel = layer.weight.shape
    area = math.prod(kernel)
    fan_in, fan_out = in_ch * area, out_ch * area
    weight, bias = layer.weight, layer.bias
    with torch.no_grad():
        if scheme.startswith("glorot"):
            factor = 4.0 if activation == "logistic" else 1.0
            if scheme == "glorot_uniform":
                bound = factor * math.sqrt(6.0 / (fan_in + fan_out))
                weight.uniform_(-bound, bound, generator=generator)
                if bias is not None:
                    bias.uniform_(-bound, bound, generator=generator)
            else:
                std = factor * math.sqrt(2.0 / (fan_in + fan_out))
                weight.normal_(0.0, std, generator=generator)
                if bias is not None:
                    bias.normal_(0.0, std, generator=generator)
        else:
            if scheme == "he_uniform":
                bound = math.sqrt(2.0) * math.sqrt(3.0 / fan_in)
                weight.uniform_(-bound, bound, generator=generator)
            else:
                weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)
            if bias is not None:
                nn.init.zeros_(bias)
    return layer


class RandomShiftFlip(nn.Module):
    """Light data augmentation, applied per sample in training mode only.

    Each sample is shifted by a random whole number of pixels (time steps) in
    ``[-max_shift, max_shift]`` along every spatial axis, filling with zeros, and,
    for images, mirrored left-right with probability 1/2. In evaluation mode the
    module is the identity. The randomness comes from torch's generator of the
    input's device, so seeding torch makes it reproducible.

    Parameters
    ----------
    max_shift : int, default=0
        Largest shift in pixels (time steps); 0 for none.
    flip : bool, default=False
        Whether to mirror images left-right (last axis) at random.
    """

    def __init__(self, max_shift=0, flip=False):
        super().__init__()
        self.max_shift = int(max_shift)
        self.flip = bool(flip)

    def forward(self, x):
        """Augment a batch (training mode) or return it unchanged (evaluation mode).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, channels, ...)
            A batch of images ``(n, c, h, w)`` or sequences ``(n, c, length)``.

        Returns
        -------
        out : torch.Tensor
            The batch, of the same shape.
        """
        if not self.training:
            return x
        n = x.shape[0]
        if self.flip and x.ndim == 4:
            mask = torch.rand(n, device=x.device) < 0.5
            x = torch.where(mask[:, None, None, None], x.flip(-1), x)
        s = self.max_shift
        if s > 0:
            spatial = x.shape[2:]
            padded = F.pad(x, [s, s] * len(spatial))
            index = []
            for axis, size in enumerate(spatial):
                offset = torch.randint(0, 2 * s + 1, (n, 1), device=x.device)
                idx = offset + torch.arange(size, device=x.device)  # (n, size)
                shape = [n, 1] + [1] * len(spatial)
                shape[2 + axis] = size
                index.append(idx.view(shape))
            rows = torch.arange(n, device=x.device).view([n, 1] + [1] * len(spatial))
            chans = torch.arange(x.shape[1], device=x.device).view(
                [1, -1] + [1] * len(spatial)
            )
            x = padded[(rows, chans, *index)]
        return x

    def extra_repr(self):
        return f"max_shift={self.max_shift}, flip={self.flip}"


class _SamePad(nn.Module):
    """Zero padding that keeps the size under an even-sized stride-1 kernel."""

    def __init__(self, kernel_size):
        super().__init__()
        self.pad = []
        for k in reversed(kernel_size):  # F.pad lists the last axis first
            left = (k - 1) // 2
            self.pad += [left, k - 1 - left]

    def forward(self, x):
        return F.pad(x, self.pad)


def _check_layout(in_shape, channels, kernel_size, pooling, global_pooling):
    """Check ConvNetModule's layout arguments; returns the kernel size of each block."""
    if len(in_shape) - 1 not in (1, 2):
        raise ValueError(
            f"in_shape must be (channels, length) or (channels, height, width); "
            f"got {in_shape!r}."
        )
    kernels = [int(kernel_size)] * len(channels) if isinstance(kernel_size, int) else [
        int(k) for k in kernel_size
    ]
    if len(kernels) != len(channels):
        raise ValueError(f"kernel_size has {len(kernels)} entries for {len(channels)} blocks.")
    if pooling not in (*POOLINGS, None):
        raise ValueError(f"pooling must be 'max', 'avg' or None; got {pooling!r}.")
    if global_pooling not in (*GLOBAL_POOLINGS, None):
        raise ValueError(f"global_pooling must be 'avg', 'max' or None; got {global_pooling!r}.")
    if global_pooling is None and any(s is None for s in in_shape[1:]):
        raise ValueError("Flattening (global_pooling=None) needs a fixed input size.")
    return kernels


def _conv_block(conv_dim, fan_in, out_ch, k, batch_norm, activation, pooling, pool_size, spatial):
    """``Conv -> [BatchNorm] -> activation -> [pooling]``; returns the block, its
    convolution and the spatial size after it."""
    conv_cls = nn.Conv1d if conv_dim == 1 else nn.Conv2d
    parts = []
    if k % 2:
        conv = conv_cls(fan_in, out_ch, k, padding=k // 2)
    else:
        parts.append(_SamePad((k,) * conv_dim))
        conv = conv_cls(fan_in, out_ch, k)
    parts.append(conv)
    if batch_norm:
        parts.append((nn.BatchNorm1d if conv_dim == 1 else nn.BatchNorm2d)(out_ch))
    parts.append(get_activation(activation))
    if pooling is not None and pool_size > 1:
        kwargs = {"ceil_mode": True}
        if pooling == "avg":
            kwargs["count_include_pad"] = False
        pool_cls = {
            ("max", 1): nn.MaxPool1d,
            ("max", 2): nn.MaxPool2d,
            ("avg", 1): nn.AvgPool1d,
            ("avg", 2): nn.AvgPool2d,
        }[pooling, conv_dim]
        parts.append(pool_cls(pool_size, **kwargs))
        spatial = [None if s is None else -(-s // pool_size) for s in spatial]
    return nn.Sequential(*parts), conv, spatial


class ConvNetModule(nn.Module):
    """Convolution blocks, optional global pooling and a dense head; raw outputs.

    Each convolution block is ``Conv -> [BatchNorm] -> activation -> [pooling]``
    with stride 1 and "same" zero padding (so only pooling changes the size). The
    features are then either averaged or maxed over all positions (global pooling:
    any input size works) or flattened, and go through a dense head
    ``Linear -> [BatchNorm1d] -> activation -> [Dropout]`` per hidden layer before the
    output ``Linear``. With ``dropout > 0`` the features entering the head are also
    dropped out.

    Parameters
    ----------
    in_shape : tuple
        ``(channels, height, width)`` for 2-D convolution, ``(channels, length)``
        for 1-D convolution over sequences; a spatial size may be None (any size)
        when ``global_pooling`` is set.
    channels : sequence of int
        Output channels of each convolution block.
    out_features : int
        Number of outputs (logits for classification).
    kernel_size : int or sequence of int, default=3
        Kernel size of all blocks, or one per block (square kernels for images).
    pooling : {'max', 'avg'} or None, default='max'
        Pooling after each block, with window and stride ``pool_size``; a window
        past the edge is cut short, so an axis shorter than the window becomes 1.
    pool_size : int, default=2
        Pooling window and stride.
    global_pooling : {'avg', 'max'} or None, default=None
        Reduce each channel over all positions (global average pooling as in
        fully convolutional networks), or flatten the feature maps when None.
    hidden_sizes : sequence of int, default=()
        Widths of the dense hidden layers of the head.
    activation : str, default='relu'
        Activation of the convolution blocks and of the dense layers, a key of
        :data:`sknn.modules.ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability on the head's input and after each dense activation.
    batch_norm : bool, default=False
        Batch normalization before each activation.
    weight_init : str, default='glorot_uniform'
        Initialisation scheme (:func:`init_conv_`, :func:`sknn.modules.init_linear_`).
    max_shift : int, default=0
        Random shift augmentation in training mode (:class:`RandomShiftFlip`).
    flip : bool, default=False
        Random left-right flips in training mode (images only).
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    augment : RandomShiftFlip or None
        The augmentation layer, when there is one.
    convs : torch.nn.ModuleList
        One ``nn.Sequential`` per convolution block (:attr:`conv_layers` lists
        their ``Conv1d``/``Conv2d`` layers).
    head : torch.nn.ModuleList
        One ``nn.Sequential`` per dense hidden layer.
    output : torch.nn.Linear
        The output layer.
    """

    def __init__(
        self,
        in_shape,
        channels,
        out_features,
        kernel_size=3,
        pooling="max",
        pool_size=2,
        global_pooling=None,
        hidden_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        max_shift=0,
        flip=False,
        generator=None,
    ):
        super().__init__()
        in_shape = tuple(in_shape)
        channels = [int(c) for c in channels]
        kernels = _check_layout(in_shape, channels, kernel_size, pooling, global_pooling)
        conv_dim = len(in_shape) - 1
        self.conv_dim = conv_dim
        self.global_pooling = global_pooling
        self.augment = RandomShiftFlip(max_shift, flip) if (max_shift or flip) else None
        blocks, conv_layers, spatial = [], [], list(in_shape[1:])
        fan_in = int(in_shape[0])
        for out_ch, k in zip(channels, kernels):
            block, conv, spatial = _conv_block(
                conv_dim, fan_in, out_ch, k, batch_norm, activation, pooling, pool_size, spatial
            )
            blocks.append(block)
            conv_layers.append(conv)
            fan_in = out_ch
        self.convs = nn.ModuleList(blocks)

        n_flat = fan_in if global_pooling is not None else fan_in * math.prod(spatial)
        self.n_features_out = n_flat
        self.dropout_in = nn.Dropout(dropout) if dropout > 0 else None
        sizes = [n_flat, *map(int, hidden_sizes)]
        head = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            parts = [nn.Linear(a, b)]
            if batch_norm:
                parts.append(nn.BatchNorm1d(b))
            parts.append(get_activation(activation))
            if dropout > 0:
                parts.append(nn.Dropout(dropout))
            head.append(nn.Sequential(*parts))
        self.head = nn.ModuleList(head)
        self.output = nn.Linear(sizes[-1], int(out_features))
        for conv in conv_layers:
            init_conv_(conv, weight_init, activation, generator=generator)
        for block in self.head:
            init_linear_(block[0], weight_init, activation, generator=generator)
        init_linear_(self.output, weight_init, activation, generator=generator)

    @property
    def conv_layers(self):
        """list of torch.nn.Module: the convolution layers in order."""
        return [m for block in self.convs for m in block if isinstance(m, (nn.Conv1d, nn.Conv2d))]

    def features(self, x):
        """Return the features the dense head sees (pooled or flattened).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, channels, ...)
            A batch of images ``(n, c, h, w)`` or sequences ``(n, c, length)``.

        Returns
        -------
        h : torch.Tensor of shape (n_samples, n_features_out)
            The features after the convolution blocks and global pooling or
            flattening.
        """
        if self.augment is not None:
            x = self.augment(x)
        for block in self.convs:
            x = block(x)
        if self.global_pooling == "avg":
            return x.flatten(2).mean(-1)
        if self.global_pooling == "max":
            return x.flatten(2).amax(-1)
        return x.flatten(1)

    def forward(self, x):
        """Compute the raw outputs.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, channels, ...)
            A batch of images ``(n, c, h, w)`` or sequences ``(n, c, length)``.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, out_features)
            Raw outputs (logits or values).
        """
        x = self.features(x)
        if self.dropout_in is not None:
            x = self.dropout_in(x)
        for block in self.head:
            x = block(x)
        return self.output(x)
