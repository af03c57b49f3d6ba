"""Recurrent networks (LSTM, GRU, Elman RNN) over numeric sequences or token ids."""

import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._mlp import MLPModule

__all__ = ["RNNModule"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
POOLINGS = ("last", "avg", "max")


def _init_recurrent_(rnn, cell, generator=None):
    """Keras' defaults: Glorot-uniform input weights, orthogonal recurrent weights
    (one block per gate), zero biases, and a forget-gate bias of 1 for LSTMs."""
    hidden = rnn.hidden_size
    with torch.no_grad():
        for name, param in rnn.named_parameters():
            if name.startswith("weight_ih"):
                fan_out, fan_in = param.shape
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                param.uniform_(-bound, bound, generator=generator)
            elif name.startswith("weight_hh"):
                for block in param.split(hidden, dim=0):
                    nn.init.orthogonal_(block, generator=generator)
            elif name.startswith("bias"):
                param.zero_()
                if cell == "lstm" and name.startswith("bias_ih"):
                    param[hidden : 2 * hidden] = 1.0  # gates are ordered i, f, g, o


class RNNModule(nn.Module):
    """A recurrent network over sequences, summarised into one vector per sequence
    and mapped to raw outputs (logits or values) by a dense head.

    ``[Embedding] -> LSTM/GRU/RNN (stacked, optionally bidirectional) -> summary
    (last state, mean or max over the steps) -> [Dropout] -> dense head``.

    Sequences of different lengths share a batch padded at the end; padding never
    changes an output. One direction reads the padded batch (each sequence's real
    steps come before its padding, and the summary reads only those steps); a
    bidirectional network packs it (``pack_padded_sequence``).

    Parameters
    ----------
    n_features : int or None
        Values per time step of numeric sequences; ignored (may be None) when
        ``vocab_size`` is given.
    n_outputs : int
        Number of raw outputs.
    cell : {'lstm', 'gru', 'rnn'}, default='lstm'
        The recurrent unit: long short-term memory, gated recurrent unit, or an
        Elman network with tanh units.
    hidden_size : int, default=64
        Units of each recurrent layer (per direction).
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout probability between stacked recurrent layers, on the summary
        vector and after each dense hidden activation.
    pooling : {'last', 'avg', 'max'}, default='last'
        How the sequence becomes one vector: the last layer's final state (for a
        bidirectional layer, the forward state after the last step and the
        backward state after the first), or the mean or maximum of its outputs
        over the real (unpadded) steps.
    hidden_sizes : sequence of int, default=()
        Widths of the dense hidden layers of the head.
    activation : str, default='relu'
        Activation of the dense hidden layers.
    vocab_size : int, optional
        With token ids as input: size of the embedding table (ids ``0 ..
        vocab_size - 1``).
    embedding_dim : int, optional
        With token ids as input: size of each token's embedding vector.
    padding_idx : int, default=0
        The token id that marks padding; its embedding is a constant zero vector.
    max_len : int, optional
        With token ids as input: read only the first ``max_len`` tokens of each
        sequence (a bound on the cost of long documents, whose steps are computed
        one after another); None: all of them.
    weight_init : str, default='glorot_uniform'
        Initialisation of the dense head, see :func:`sknn.modules.init_linear_`.
    generator : torch.Generator, optional
        Randomness for the initial weights.

    Attributes
    ----------
    embedding : torch.nn.Embedding or None
        The token embedding table (token-id input only).
    rnn : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        The recurrent layers (``batch_first=True``).
    head : sknn.modules.MLPModule
        The dense head from the summary vector to the outputs.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="last",
        hidden_sizes=(),
        activation="relu",
        vocab_size=None,
        embedding_dim=None,
        padding_idx=0,
        max_len=None,
        weight_init="glorot_uniform",
        generator=None,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Unknown cell {cell!r}; expected one of {list(CELLS)}.")
        if pooling not in POOLINGS:
            raise ValueError(f"Unknown pooling {pooling!r}; expected one of {list(POOLINGS)}.")
        if (vocab_size is None) != (embedding_dim is None):
            raise ValueError("Token-id input needs both vocab_size and embedding_dim.")
        self.pooling = pooling
        self.padding_idx = int(padding_idx)
        self.max_len = None if max_len is None else int(max_len)
        if vocab_size is not None:
            self.embedding = nn.Embedding(
                int(vocab_size), int(embedding_dim), padding_idx=self.padding_idx
            )
            with torch.no_grad():
                self.embedding.weight.normal_(0.0, 1.0, generator=generator)
                self.embedding.weight[self.padding_idx] = 0.0
            in_size = int(embedding_dim)
        else:
            self.embedding = None
            in_size = int(n_features)
        self.rnn = CELLS[cell](
            in_size,
            int(hidden_size),
            num_layers=int(num_layers),
            batch_first=True,
            bidirectional=bool(bidirectional),
            dropout=float(dropout) if num_layers > 1 else 0.0,
        )
        _init_recurrent_(self.rnn, cell, generator=generator)
        self.n_directions = 2 if bidirectional else 1
        self.summary_dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = MLPModule(
            self.n_directions * int(hidden_size),
            hidden_sizes,
            n_outputs,
            activation=activation,
            dropout=dropout,
            weight_init=weight_init,
            generator=generator,
        )

    def _inputs(self, x, lengths):
        """Step inputs ``(n, T, F)`` and the length of each sequence."""
        if self.embedding is not None:
            if self.max_len is not None and x.shape[1] > self.max_len:
                x = x[:, : self.max_len]
                lengths = None if lengths is None else lengths.clamp(max=self.max_len)
            if lengths is None:
                lengths = (x != self.padding_idx).sum(1)
            return self.embedding(x), lengths
        if x.ndim == 2:
            x = x.unsqueeze(-1)  # univariate series
        if lengths is None:
            padded = torch.isnan(x).all(-1)
            lengths = x.shape[1] - padded.sum(1)
        return torch.nan_to_num(x, nan=0.0), lengths

    def _recurrent(self, x):
        """``self.rnn(x)``; on the CPU under autocast, in float32 with autocast off.

        Autocast would run a CPU LSTM through oneDNN's bfloat16 primitive, which
        exists only on CPUs with native bfloat16 (AVX512-BF16 or AMX) and raises a
        RuntimeError on the others: mixed precision would then work or fail by CPU
        model. The recurrent layer runs in float32 on every CPU instead; the layers
        around it keep autocast. GPUs are unaffected.
        """
        packed = not isinstance(x, torch.Tensor)  # a PackedSequence
        device = (x.data if packed else x).device
        if device.type == "cpu" and torch.is_autocast_enabled("cpu"):
            with torch.autocast("cpu", enabled=False):
                return self.rnn(x if packed else x.float())
        return self.rnn(x)

    def encode(self, x, lengths=None):
        """Return the summary vector of each sequence (the head's input).

        Parameters
        ----------
        x : torch.Tensor
            Numeric sequences ``(n, timesteps, n_features)`` (or ``(n, timesteps)``
            for one feature), where steps whose values are all NaN are padding;
            or token ids ``(n, timesteps)`` (int64), where ``padding_idx`` is
            padding. Padding must come after each sequence's real steps.
        lengths : torch.Tensor of shape (n,), optional
            Number of real steps of each sequence; inferred from the padding when
            None.

        Returns
        -------
        z : torch.Tensor of shape (n, n_directions * hidden_size)
            One summary vector per sequence.
        """
        x, lengths = self._inputs(x, lengths)
        lengths = lengths.clamp(min=1)  # an empty sequence reads one zero step
        steps = max(int(lengths.max()), 1) if x.shape[0] else x.shape[1]
        x = x[:, :steps]  # the padding after the batch's longest sequence
        lengths = lengths.to(x.device)
        full = bool((lengths == steps).all())
        if full or self.n_directions == 1:
            # One direction reads each sequence's steps before the padding that
            # follows them, so the padded batch computes the same real steps as a
            # packed one, and much faster (a packed LSTM's backward pass on the CPU
            # is tens of times slower, in benchmarks/bench_text.py).
            out, state = self._recurrent(x)
            if self.pooling == "last":
                if full:
                    h = state[0] if isinstance(state, tuple) else state  # LSTM: (h, c)
                    return torch.cat(list(h[-self.n_directions :]), dim=1)
                return out[torch.arange(out.shape[0], device=out.device), lengths - 1]
        else:  # bidirectional: the backward direction must start at each real end
            seq = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, state = self._recurrent(seq)
            if self.pooling == "last":
                h = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
                return torch.cat(list(h[-self.n_directions :]), dim=1)
            out = pad_packed_sequence(out, batch_first=True, total_length=steps)[0]
        if full:
            return out.mean(1) if self.pooling == "avg" else out.amax(1)
        mask = torch.arange(steps, device=out.device)[None, :] < lengths[:, None]
        if self.pooling == "avg":
            out = out * mask.unsqueeze(-1)
            return out.sum(1) / lengths.to(out.dtype).unsqueeze(-1)
        return out.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(1)

    def forward(self, x, lengths=None):
        """Compute the raw outputs.

        Parameters
        ----------
        x : torch.Tensor
            Sequences, as in :meth:`encode`.
        lengths : torch.Tensor of shape (n,), optional
            Number of real steps of each sequence; inferred when None.

        Returns
        -------
        out : torch.Tensor of shape (n, n_outputs)
            Raw outputs (logits or values).
        """
        return self.head(self.summary_dropout(self.encode(x, lengths)))
