"""A convolutional network over token ids (Kim, 2014): embedding, parallel 1-D
convolutions of several widths, max over time, dense head."""

import torch
from torch import nn

from ._activations import get_activation
from ._convnet import init_conv_
from ._init import init_linear_

__all__ = ["TextConvNetModule"]


class TextConvNetModule(nn.Module):
    """Kim's (2014) text CNN: ``Embedding -> Conv1d of each width (in parallel) ->
    activation -> max (or mean) over time -> concatenate -> [Dropout] -> dense
    head``.

    The convolutions are "narrow" (no padding): a filter of width ``k`` reads the
    windows of ``k`` consecutive tokens that lie inside the sequence (a sequence
    shorter than ``k`` gets one window, its tokens followed by zero vectors). The
    maximum (or mean) over time is taken over those windows only, so the padding after a
    sequence, and how much of it a batch holds, never changes its outputs. Each
    batch is cut to its longest sequence (at most ``max_len`` tokens) first.

    Parameters
    ----------
    vocab_size : int
        Rows of the embedding table (ids ``0 .. vocab_size - 1``).
    embedding_dim : int
        Size of each token's embedding vector.
    channels : sequence of int
        Number of filters of each width.
    kernel_sizes : sequence of int
        The filter widths, one per entry of ``channels`` (e.g. ``(3, 4, 5)``).
    out_features : int
        Number of raw outputs (logits or values).
    hidden_sizes : sequence of int, default=()
        Widths of the dense hidden layers between the pooled features and the
        output layer.
    activation : str, default='relu'
        Activation of the convolutions and of the dense hidden layers.
    dropout : float, default=0.5
        Dropout probability on the pooled features and after each dense
        activation.
    padding_idx : int, default=0
        The padding id; padding must follow each sequence's tokens.
    embedding_std : float, default=0.1
        Standard deviation of the initial token vectors (the padding vector is 0).
    max_len : int, optional
        Read only the first ``max_len`` tokens of each sequence (a bound on the
        cost of long documents); None: all of them.
    pooling : {'max', 'avg'}, default='max'
        Each filter's maximum over the windows (Kim, 2014), or its mean: with
        ``kernel_sizes=(1,)`` and an identity activation, the mean of the token
        embeddings projected by one linear map, a fastText-style model (Joulin et
        al., 2017).
    weight_init : str, default='glorot_uniform'
        Initialisation of the convolutions and dense layers
        (:func:`sknn.modules.init_conv_`, :func:`sknn.modules.init_linear_`).
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    embedding : torch.nn.Embedding
        The token embedding table.
    convs : torch.nn.ModuleList
        One ``Conv1d`` per filter width.
    head : torch.nn.ModuleList
        One ``nn.Sequential`` per dense hidden layer.
    output : torch.nn.Linear
        The output layer.
    """

    def __init__(
        self,
        vocab_size,
        embedding_dim,
        channels,
        kernel_sizes,
        out_features,
        hidden_sizes=(),
        activation="relu",
        dropout=0.5,
        padding_idx=0,
        embedding_std=0.1,
        max_len=None,
        pooling="max",
        weight_init="glorot_uniform",
        generator=None,
    ):
        super().__init__()
        channels = [int(c) for c in channels]
        kernel_sizes = [int(k) for k in kernel_sizes]
        if not channels or len(channels) != len(kernel_sizes):
            raise ValueError(
                f"channels ({len(channels)} entries) and kernel_sizes "
                f"({len(kernel_sizes)}) must give one filter count per width."
            )
        self.padding_idx = int(padding_idx)
        self.kernel_sizes = tuple(kernel_sizes)
        self.max_len = None if max_len is None else int(max_len)
        if pooling not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg'; got {pooling!r}.")
        self.pooling = pooling
        self.embedding = nn.Embedding(
            int(vocab_size), int(embedding_dim), padding_idx=self.padding_idx
        )
        with torch.no_grad():
            self.embedding.weight.normal_(0.0, float(embedding_std), generator=generator)
            self.embedding.weight[self.padding_idx] = 0.0
        self.convs = nn.ModuleList(
            nn.Conv1d(int(embedding_dim), c, k) for c, k in zip(channels, kernel_sizes)
        )
        self.act = get_activation(activation)
        self.n_features_out = sum(channels)
        self.dropout_in = nn.Dropout(dropout) if dropout > 0 else None
        sizes = [self.n_features_out, *map(int, hidden_sizes)]
        head = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            parts = [nn.Linear(a, b), get_activation(activation)]
            if dropout > 0:
                parts.append(nn.Dropout(dropout))
            head.append(nn.Sequential(*parts))
        self.head = nn.ModuleList(head)
        self.output = nn.Linear(sizes[-1], int(out_features))
        for conv in self.convs:
            init_conv_(conv, weight_init, activation, generator=generator)
        for block in self.head:
            init_linear_(block[0], weight_init, activation, generator=generator)
        init_linear_(self.output, weight_init, activation, generator=generator)

    def features(self, x):
        """The pooled features: each filter's maximum (or mean) over the sequence.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, timesteps), int64
            Token ids, each sequence's padding after its tokens.

        Returns
        -------
        h : torch.Tensor of shape (n_samples, sum(channels))
            Each filter's maximum (or mean) over the windows, filters of the first
            width first.
        """
        if self.max_len is not None:
            x = x[:, : self.max_len]
        lengths = (x != self.padding_idx).sum(1)
        width = max(int(lengths.max()) if x.shape[0] else 0, max(self.kernel_sizes))
        if x.shape[1] < width:
            x = nn.functional.pad(x, (0, width - x.shape[1]), value=self.padding_idx)
        x = x[:, :width]
        e = self.embedding(x).transpose(1, 2)  # (n, E, T)
        pooled = []
        for conv, k in zip(self.convs, self.kernel_sizes):
            h = self.act(conv(e))  # (n, C, T - k + 1)
            # window t is inside the sequence when t + k <= length (or t = 0)
            last = (lengths - k).clamp(min=0)
            valid = torch.arange(h.shape[2], device=h.device)[None, :] <= last[:, None]
            if self.pooling == "max":
                pooled.append(h.masked_fill(~valid[:, None, :], float("-inf")).amax(2))
            else:
                h = h * valid[:, None, :].to(h.dtype)
                pooled.append(h.sum(2) / (last + 1).to(h.dtype)[:, None])
        return torch.cat(pooled, dim=1)

    def forward(self, x):
        """Compute the raw outputs.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, timesteps), int64
            Token ids, as in :meth:`features`.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, out_features)
            Raw outputs (logits or values).
        """
        h = self.features(x)
        if self.dropout_in is not None:
            h = self.dropout_in(h)
        for block in self.head:
            h = block(h)
        return self.output(h)
