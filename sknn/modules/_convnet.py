"""Convolutional networks over images (2-D) and numeric sequences (1-D)."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._activations import get_activation
from ._init import WEIGHT_INITS, init_linear_

__all__ = ["ConvNetModule", "RandomShiftFlip", "ResidualBlock", "init_conv_"]

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
        raise ValueError(f"Unknown weight_init {scheme!r}; expected one of {list(WEIGHT_INITS)}.")
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
            chans = torch.arange(x.shape[1], device=x.device).view([1, -1] + [1] * len(spatial))
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


def _check_layout(in_shape, channels, kernel_size, pooling, global_pooling, residual=False):
    """Check ConvNetModule's layout arguments; returns the kernel size of each block
    (plain blocks) or of each convolution inside every block (residual blocks)."""
    if len(in_shape) - 1 not in (1, 2):
        raise ValueError(
            f"in_shape must be (channels, length) or (channels, height, width); got {in_shape!r}."
        )
    if isinstance(kernel_size, int):
        kernels = [int(kernel_size)] * (2 if residual else len(channels))
    else:
        kernels = [int(k) for k in kernel_size]
    if residual:
        if not kernels:
            raise ValueError("kernel_size names no convolution for the residual blocks.")
    elif len(kernels) != len(channels):
        raise ValueError(f"kernel_size has {len(kernels)} entries for {len(channels)} blocks.")
    if pooling not in (*POOLINGS, None):
        raise ValueError(f"pooling must be 'max', 'avg' or None; got {pooling!r}.")
    if global_pooling not in (*GLOBAL_POOLINGS, None):
        raise ValueError(f"global_pooling must be 'avg', 'max' or None; got {global_pooling!r}.")
    if global_pooling is None and any(s is None for s in in_shape[1:]):
        raise ValueError("Flattening (global_pooling=None) needs a fixed input size.")
    return kernels


def _same_conv(conv_dim, fan_in, out_ch, k):
    """A stride-1 convolution with "same" zero padding: its layers and the conv."""
    conv_cls = nn.Conv1d if conv_dim == 1 else nn.Conv2d
    if k % 2:
        conv = conv_cls(fan_in, out_ch, k, padding=k // 2)
        return [conv], conv
    conv = conv_cls(fan_in, out_ch, k)
    return [_SamePad((k,) * conv_dim), conv], conv


def _batch_norm(conv_dim, channels):
    return (nn.BatchNorm1d if conv_dim == 1 else nn.BatchNorm2d)(channels)


def _pooling(conv_dim, pooling, pool_size, spatial):
    """The pooling layer (or None) and the spatial size after it."""
    if pooling is None or pool_size <= 1:
        return None, spatial
    kwargs = {"ceil_mode": True}
    if pooling == "avg":
        kwargs["count_include_pad"] = False
    pool_cls = {
        ("max", 1): nn.MaxPool1d,
        ("max", 2): nn.MaxPool2d,
        ("avg", 1): nn.AvgPool1d,
        ("avg", 2): nn.AvgPool2d,
    }[pooling, conv_dim]
    spatial = [None if s is None else -(-s // pool_size) for s in spatial]
    return pool_cls(pool_size, **kwargs), spatial


def _conv_block(conv_dim, fan_in, out_ch, k, batch_norm, activation, pooling, pool_size, spatial):
    """``Conv -> [BatchNorm] -> activation -> [pooling]``; returns the block, its
    convolution (in a list) and the spatial size after it."""
    parts, conv = _same_conv(conv_dim, fan_in, out_ch, k)
    if batch_norm:
        parts.append(_batch_norm(conv_dim, out_ch))
    parts.append(get_activation(activation))
    pool, spatial = _pooling(conv_dim, pooling, pool_size, spatial)
    if pool is not None:
        parts.append(pool)
    return nn.Sequential(*parts), [conv], spatial


def _dense_head(sizes, batch_norm, activation, dropout):
    """``Linear -> [BatchNorm1d] -> activation -> [Dropout]`` between each pair of
    consecutive ``sizes``, as a ModuleList."""
    head = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        parts = [nn.Linear(a, b)]
        if batch_norm:
            parts.append(nn.BatchNorm1d(b))
        parts.append(get_activation(activation))
        if dropout > 0:
            parts.append(nn.Dropout(dropout))
        head.append(nn.Sequential(*parts))
    return nn.ModuleList(head)


class ResidualBlock(nn.Module):
    """A residual block: ``activation(body(x) + shortcut(x))``.

    The body is one stride-1, "same"-padded convolution per entry of
    ``kernel_sizes``, each followed by batch normalization (when ``batch_norm``)
    and, but for the last, by the activation. The shortcut is a 1x1 convolution
    (followed by batch normalization when ``batch_norm``) when the number of
    channels changes; otherwise batch normalization alone, or the identity
    without ``batch_norm``. With ``kernel_sizes=(8, 5, 3)`` this is the block of
    Wang, Yan & Oates's (2017) ResNet for time series as Fawaz et al. (2019) ran
    it (``hfawaz/dl-4-tsc``, ``classifiers/resnet.py``); with ``(3, 3)`` for
    images, the basic block of He et al. (2016).

    Parameters
    ----------
    conv_dim : {1, 2}
        1-D convolution over sequences or 2-D over images.
    in_channels : int
        Channels of the input.
    out_channels : int
        Channels of every convolution of the block, and of its output.
    kernel_sizes : sequence of int
        Kernel size of each convolution of the body, in order.
    batch_norm : bool, default=True
        Batch normalization after each convolution (body and shortcut).
    activation : str, default='relu'
        Activation between the body's convolutions and after the sum, a key of
        :data:`sknn.modules.ACTIVATIONS`.

    Attributes
    ----------
    body : torch.nn.Sequential
        The convolutions of the main path, with their batch normalization and
        activations.
    shortcut : torch.nn.Module
        ``nn.Sequential(Conv, [BatchNorm])``, a ``BatchNorm1d``/``BatchNorm2d`` or
        ``nn.Identity``.
    activation : torch.nn.Module
        The activation applied to the sum.
    """

    def __init__(
        self, conv_dim, in_channels, out_channels, kernel_sizes, batch_norm=True, activation="relu"
    ):
        super().__init__()
        kernel_sizes = [int(k) for k in kernel_sizes]
        if not kernel_sizes:
            raise ValueError("A residual block needs at least one convolution.")
        body, fan_in = [], int(in_channels)
        for i, k in enumerate(kernel_sizes):
            parts, _ = _same_conv(conv_dim, fan_in, out_channels, k)
            body += parts
            if batch_norm:
                body.append(_batch_norm(conv_dim, out_channels))
            if i < len(kernel_sizes) - 1:
                body.append(get_activation(activation))
            fan_in = out_channels
        self.body = nn.Sequential(*body)
        if in_channels != out_channels:
            conv_cls = nn.Conv1d if conv_dim == 1 else nn.Conv2d
            parts = [conv_cls(in_channels, out_channels, 1)]
            if batch_norm:
                parts.append(_batch_norm(conv_dim, out_channels))
            self.shortcut = nn.Sequential(*parts)
        elif batch_norm:
            self.shortcut = _batch_norm(conv_dim, out_channels)
        else:
            self.shortcut = nn.Identity()
        self.activation = get_activation(activation)

    def forward(self, x):
        """Apply the block.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_channels, ...)
            A batch of sequences ``(n, c, length)`` or images ``(n, c, h, w)``.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, out_channels, ...)
            The block's output, of the same spatial size.
        """
        return self.activation(self.body(x) + self.shortcut(x))


def _residual_block(
    conv_dim, fan_in, out_ch, kernels, batch_norm, activation, pooling, pool_size, spatial
):
    """``ResidualBlock -> [pooling]``; returns the block, its convolutions and the
    spatial size after it."""
    block = ResidualBlock(conv_dim, fan_in, out_ch, kernels, batch_norm, activation)
    parts = [block]
    pool, spatial = _pooling(conv_dim, pooling, pool_size, spatial)
    if pool is not None:
        parts.append(pool)
    convs = [m for m in block.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    return nn.Sequential(*parts), convs, spatial


class ConvNetModule(nn.Module):
    """Convolution blocks, optional global pooling and a dense head; raw outputs.

    Each convolution block is ``Conv -> [BatchNorm] -> activation -> [pooling]``
    with stride 1 and "same" zero padding (so only pooling changes the size); with
    ``residual=True`` it is a :class:`ResidualBlock` of several such convolutions
    and a shortcut, followed by the pooling. The
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
        With ``residual``, the kernel size of each convolution inside every block
        (an int ``k``: two convolutions of size ``k``).
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
    residual : bool, default=False
        Residual blocks (:class:`ResidualBlock`, one per entry of ``channels``,
        with one convolution per entry of ``kernel_size``) instead of single
        convolutions. ``channels=(64, 128, 128)``, ``kernel_size=(8, 5, 3)``,
        ``pooling=None``, ``global_pooling='avg'`` and ``batch_norm=True`` give the
        ResNet for time series of Wang, Yan & Oates (2017).
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    augment : RandomShiftFlip or None
        The augmentation layer, when there is one.
    convs : torch.nn.ModuleList
        One ``nn.Sequential`` per convolution block (:attr:`conv_layers` lists
        their ``Conv1d``/``Conv2d`` layers); with ``residual``, each holds a
        :class:`ResidualBlock` and the pooling layer, if any.
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
        residual=False,
        generator=None,
    ):
        super().__init__()
        in_shape = tuple(in_shape)
        channels = [int(c) for c in channels]
        residual = bool(residual)
        kernels = _check_layout(in_shape, channels, kernel_size, pooling, global_pooling, residual)
        conv_dim = len(in_shape) - 1
        self.conv_dim = conv_dim
        self.global_pooling = global_pooling
        self.residual = residual
        self.augment = RandomShiftFlip(max_shift, flip) if (max_shift or flip) else None
        blocks, conv_layers, spatial = [], [], list(in_shape[1:])
        fan_in = int(in_shape[0])
        make_block = _residual_block if residual else _conv_block
        for i, out_ch in enumerate(channels):
            k = kernels if residual else kernels[i]  # residual: the kernels of a block
            block, convs, spatial = make_block(
                conv_dim, fan_in, out_ch, k, batch_norm, activation, pooling, pool_size, spatial
            )
            blocks.append(block)
            conv_layers += convs
            fan_in = out_ch
        self.convs = nn.ModuleList(blocks)

        n_flat = fan_in if global_pooling is not None else fan_in * math.prod(spatial)
        self.n_features_out = n_flat
        self.dropout_in = nn.Dropout(dropout) if dropout > 0 else None
        sizes = [n_flat, *map(int, hidden_sizes)]
        self.head = _dense_head(sizes, batch_norm, activation, dropout)
        self.output = nn.Linear(sizes[-1], int(out_features))
        for conv in conv_layers:
            init_conv_(conv, weight_init, activation, generator=generator)
        for block in self.head:
            init_linear_(block[0], weight_init, activation, generator=generator)
        init_linear_(self.output, weight_init, activation, generator=generator)

    @property
    def conv_layers(self):
        """list of torch.nn.Module: the convolution layers in order (in a
        residual block, those of the body, then the shortcut's 1x1 convolution)."""
        return [
            m
            for block in self.convs
            for m in block.modules()
            if isinstance(m, (nn.Conv1d, nn.Conv2d))
        ]

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
