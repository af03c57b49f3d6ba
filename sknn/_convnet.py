"""Convolutional networks for images and numeric sequences."""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import check_consistent_length
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._backprop import SOLVER_CONSTRAINTS, BackpropEstimator
from ._docs import fill_doc
from ._mixins import NeuralClassifierMixin, NeuralRegressorMixin, TokenDefaultsMixin
from .modules import ACTIVATIONS, WEIGHT_INITS, ConvNetModule, TextConvNetModule
from .utils._compat import Interval, Options, StrOptions, validate_data
from .utils._tokens import (
    AUTO_MAX_VOCAB,
    PADDING_ID,
    STOPPING_CONSTRAINTS,
    TEXT_MAX_TOKENS,
    as_ids,
    compact,
    reads_tokens,
)
from .utils._validation import (
    check_input_shape,
    check_int_tuple,
    rows_to_shape,
    sequence_layout,
)

__all__ = ["ConvNetClassifier", "ConvNetRegressor"]

#: The ``'auto'`` architecture parameters of images and numeric sequences.
IMAGE_DEFAULTS = {
    "channels": (32, 64),
    "kernel_size": 3,
    "dropout": 0.0,
    "hidden_layer_sizes": (100,),
}

#: The ``'auto'`` architecture parameters of token ids: Kim's (2014) text CNN,
#: 100 filters of each width 3, 4 and 5, max over time, dropout 0.5, no hidden
#: layer, on embeddings of ``AUTO_EMBEDDING_DIM`` values.
TEXT_DEFAULTS = {
    "channels": (100,),
    "kernel_size": (3, 4, 5),
    "dropout": 0.5,
    "hidden_layer_sizes": (),
}

#: The size of the embedding vectors with ``embedding_dim='auto'``.
AUTO_EMBEDDING_DIM = 64

#: ``learning_rate_init='auto'``: images and sequences, token ids. Embeddings
#: learnt from scratch need the larger step (measured in benchmarks/bench_text.py).
AUTO_LEARNING_RATE = {False: 0.001, True: 0.005}

#: ``batch_size='auto'`` caps the minibatches at this many samples: 200 as in
#: scikit-learn's MLP for images and sequences, 50 for token ids (Kim, 2014).
AUTO_BATCH_SIZE = {False: 200, True: 50}


def _is_nd(X):
    """Whether X is a dense array-like with three or more dimensions."""
    if sp.issparse(X) or hasattr(X, "columns") or isinstance(X, str):
        return False
    try:
        return np.ndim(X) >= 3
    except (ValueError, TypeError):  # ragged nested lists: validate_data says why
        return False


class _BaseConvNet(TokenDefaultsMixin, BackpropEstimator):
    """What ConvNetClassifier and ConvNetRegressor share: inputs and architecture."""

    _auto_learning_rate = AUTO_LEARNING_RATE
    _auto_batch_size = AUTO_BATCH_SIZE

    _parameter_constraints: dict = {
        **BackpropEstimator._parameter_constraints,
        **SOLVER_CONSTRAINTS,
        "conv_dim": [Options(Integral, {1, 2})],
        "input_shape": ["array-like", None],
        "channels": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "kernel_size": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "pooling": [StrOptions({"max", "avg"}), None],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "global_pooling": [StrOptions({"auto", "avg", "max"}), None],
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "vocab_size": [Interval(Integral, 2, None, closed="left"), None],
        "residual": ["boolean"],
        "batch_norm": ["boolean"],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
        "random_shift": [Interval(Integral, 0, None, closed="left")],
        "random_flip": ["boolean"],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        **STOPPING_CONSTRAINTS,
    }

    # ------------------------------------------------------------ parameters
    def _tokens(self):
        """Whether the network embeds token ids: decided in the first fit
        (``embeds_tokens_``; models fitted before the text path have none)."""
        return getattr(self, "embeds_tokens_", False)

    def _param(self, name, tokens=None):
        """A parameter with ``'auto'`` resolved for images or for token ids."""
        value = getattr(self, name)
        if isinstance(value, str) and value == "auto":
            tokens = self._tokens() if tokens is None else tokens
            return (TEXT_DEFAULTS if tokens else IMAGE_DEFAULTS)[name]
        return value

    def _dropout(self):
        return self._param("dropout")

    def _hidden_sizes(self):
        return check_int_tuple(self._param("hidden_layer_sizes"), "hidden_layer_sizes")

    def _channels(self):
        return check_int_tuple(self._param("channels"), "channels", allow_empty=False)

    def _kernel_sizes(self):
        channels = self._channels()
        kernel_size = self._param("kernel_size")
        kernels = check_int_tuple(kernel_size, "kernel_size", allow_empty=False)
        if self.residual and not self._tokens():
            # the convolutions inside every residual block; an int k: two of size k
            return kernels * 2 if isinstance(kernel_size, Integral) else kernels
        if self._tokens():  # parallel filter widths, one filter count or one per width
            if len(channels) not in (1, len(kernels)):
                raise ValueError(
                    f"On token ids, kernel_size lists the filter widths ({len(kernels)}) "
                    f"and channels the number of filters: one count for every width, or "
                    f"one per width; got {len(channels)} counts."
                )
            return kernels
        if len(kernels) == 1:
            return kernels * len(channels)
        if len(kernels) != len(channels):
            raise ValueError(
                f"kernel_size has {len(kernels)} entries but channels has "
                f"{len(channels)} blocks; give one kernel size, or one per block."
            )
        return kernels

    def _embedding_size(self):
        return AUTO_EMBEDDING_DIM if self.embedding_dim == "auto" else self.embedding_dim

    def _decide_tokens(self, X):
        """Record in ``embeds_tokens_`` whether X (of the first fit) holds token ids:
        with ``embedding_dim='auto'``, non-negative integer rows or a list of 1-D
        integer sequences, when ``input_shape`` is None (as in RNNClassifier)."""
        tokens = reads_tokens(
            self.embedding_dim, self.input_shape, self.vocab_size, X, sequence_layout(X)
        )
        if tokens:
            if self.input_shape is not None:
                raise ValueError(
                    "input_shape lays out numeric rows; with embedding_dim, each row of "
                    "X is one sequence of token ids. Pass input_shape=None."
                )
            unused = [
                name
                for name, off in (
                    ("residual", False),
                    ("batch_norm", False),
                    ("random_shift", 0),
                    ("random_flip", False),
                )
                if getattr(self, name) != off
            ]
            if self.global_pooling is None:
                unused.append("global_pooling=None")
            if unused:
                raise ValueError(
                    f"The text network (token ids, max over time) does not take "
                    f"{', '.join(unused)}; leave them at their defaults, or pass "
                    "embedding_dim=None if X holds numeric values."
                )
        self.embeds_tokens_ = tokens
        if not tokens and hasattr(self, "vocab_size_"):
            del self.vocab_size_  # from an earlier fit on token ids

    def _global_pooling(self):
        if self.global_pooling == "auto":
            return "avg" if self.conv_dim == 1 else None
        return self.global_pooling

    def _input_shape_param(self):
        """``input_shape`` checked: a tuple of positive ints, at most one -1."""
        lengths = (2,) if self.conv_dim == 1 else (2, 3)
        layout = (
            "(timesteps, n_features)"
            if self.conv_dim == 1
            else ("(height, width) or (channels, height, width)")
        )
        layout = f"{layout} for conv_dim={self.conv_dim}"
        return check_input_shape(self.input_shape, lengths, layout)

    def _check_params(self):
        check_int_tuple(self._param("hidden_layer_sizes", False), "hidden_layer_sizes")
        self._input_shape_param()
        if self.vocab_size is not None and self.embedding_dim is None:
            raise ValueError(
                "vocab_size is the size of the token embedding; it needs embedding_dim "
                "(X holding integer token ids)."
            )
        if self.random_flip and self.conv_dim == 1:
            raise ValueError("random_flip mirrors images; it needs conv_dim=2.")
        if (self.random_shift or self.random_flip) and self._solver_name() == "lbfgs":
            raise ValueError(
                "Data augmentation (random_shift, random_flip) draws new samples every "
                "batch; it needs a stochastic solver ('adam' or 'sgd'), not 'lbfgs'."
            )

    # ----------------------------------------------------------------- inputs
    def _layout(self):
        if self.conv_dim == 1:
            return (
                "numeric sequences of shape (n_samples, timesteps, n_features), or "
                "(n_samples, timesteps) for univariate ones"
            )
        return (
            "images of shape (n_samples, height, width) or (n_samples, channels, "
            "height, width), or rows of shape (n_samples, n_pixels) with input_shape="
            "(height, width) or (channels, height, width)"
        )

    def _resolve_rows(self, n_columns):
        """Sample shape of 2-D rows of ``n_columns`` values, for the first fit."""
        shape = self._input_shape_param()
        if shape is None:
            if self.conv_dim == 1:
                return (n_columns, 1)  # univariate series, one value per time step
            raise ValueError(
                f"{type(self).__name__}(conv_dim=2) takes {self._layout()}; got 2-D X "
                f"with {n_columns} columns and input_shape=None. Pass input_shape to say "
                "how each row is laid out (e.g. input_shape=(8, 8) for rows of 64 "
                "pixels), or conv_dim=1 if the rows are time series."
            )
        shape = rows_to_shape(n_columns, shape, self.input_shape)
        if self.conv_dim == 2 and len(shape) == 2:
            shape = (1, *shape)  # grayscale
        return shape

    def _matches_input_shape(self, sample):
        """Whether a sample shape agrees with the input_shape parameter (if any)."""
        if self._input_shape_param() is None:
            return True
        try:
            return self._resolve_rows(math.prod(sample)) == sample
        except ValueError:
            return False

    def _to_samples(self, X, reset):
        """Validated X (2-D rows or N-D) as samples: ``(n, c, h, w)`` or ``(n, T, F)``."""
        if sp.issparse(X):
            X = X.toarray()
        n = X.shape[0]
        if X.ndim == 2:
            shape = self._resolve_rows(X.shape[1]) if reset else self.input_shape_
            X = X.reshape((n, *shape))
        else:
            ndims = (3,) if self.conv_dim == 1 else (3, 4)
            if X.ndim not in ndims:
                raise ValueError(
                    f"{type(self).__name__}(conv_dim={self.conv_dim}) takes "
                    f"{self._layout()}; got X of shape {X.shape}."
                )
            if self.conv_dim == 2 and X.ndim == 3:
                X = X[:, None]
            sample = X.shape[1:]
            if reset:
                if not self._matches_input_shape(sample):
                    raise ValueError(
                        f"X has samples of shape {X.shape[1:]}, which does not match "
                        f"input_shape={self.input_shape!r}."
                    )
            else:
                expected = self.input_shape_
                variable = self.conv_dim == 1 and self._global_pooling() is not None
                same = (sample[1:] == expected[1:]) if variable else (sample == expected)
                if not same:
                    what = (
                        f"n_features={expected[1]} values per time step"
                        if variable
                        else f"samples of shape {expected}"
                    )
                    raise ValueError(
                        f"X has samples of shape {X.shape[1:]}, but "
                        f"{type(self).__name__} was fitted on {what}."
                    )
        if reset:
            self.input_shape_ = tuple(int(s) for s in X.shape[1:])
            self.n_features_in_ = math.prod(self.input_shape_)
        return X

    def _check_not_ragged(self, X):
        """A clear error for samples of different lengths (NumPy's would say
        'inhomogeneous shape')."""
        if sequence_layout(X) != "ragged":
            return
        name = type(self).__name__
        if self.conv_dim == 2:
            raise ValueError(
                f"{name} got a list of images of different sizes, but it needs images "
                f"of one size as one array: {self._layout()}. Resize or pad them first."
            )
        raise ValueError(
            f"{name} got a list of sequences of different lengths, but it needs "
            f"sequences of equal length as one 3-D array (n_samples, timesteps, "
            f"n_features). Pad them to one length first (e.g. with zeros), or use "
            f"{name.replace('ConvNet', 'RNN')}, which takes sequences of different "
            "lengths as a list."
        )

    def _token_samples(self, X, reset, y=None):
        """Validated token ids ``(n, T)`` (int64, padding moved to the end of each
        row) and ``y``: 2-D integer rows, or a list of 1-D id sequences."""
        kind = sequence_layout(X)
        y_kwargs = dict(multi_output=True, y_numeric=self._y_numeric)
        if kind == "nd":
            raise ValueError(
                f"{type(self).__name__} fitted on token ids takes them as rows (n_samples, "
                f"timesteps) or a list of 1-D sequences; got X of shape {np.shape(X)}."
            )
        if kind == "rows":
            kwargs = dict(accept_sparse=["csr", "csc"], dtype=None)
            if y is None:
                X = validate_data(self, X, reset=reset, **kwargs)
            else:
                X, y = validate_data(self, X, y, reset=reset, **kwargs, **y_kwargs)
            if sp.issparse(X):
                X = X.toarray()
            X = compact(as_ids(X))
        else:
            if y is not None:
                y = validate_data(self, y=y, reset=reset, **y_kwargs)
            elif reset and hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            seqs = [as_ids(np.asarray(s)).reshape(-1) for s in X]
            ids = np.full((len(seqs), max([len(s) for s in seqs] + [1])), PADDING_ID, np.int64)
            for i, seq in enumerate(seqs):
                ids[i, : len(seq)] = seq
            X = compact(ids)
            if reset:
                self.n_features_in_ = 1
            if y is not None:
                check_consistent_length(X, y)
        if reset:
            max_id = int(X.max()) if X.size else 0
            if self.vocab_size is not None:
                as_ids(X, self.vocab_size)  # raises if an id is past the table
            elif self.embedding_dim == "auto" and max_id >= AUTO_MAX_VOCAB:
                raise ValueError(
                    f"X holds integers up to {max_id}; with embedding_dim='auto', integer "
                    f"X is read as token ids, which would need an embedding table of "
                    f"{max_id + 1} rows. If X holds numeric features, pass "
                    "embedding_dim=None; if token ids, pass vocab_size (or an int "
                    "embedding_dim)."
                )
            self.vocab_size_ = (
                int(self.vocab_size) if self.vocab_size is not None else max(max_id + 1, 2)
            )
            self.input_shape_ = (None,)  # any length: max over time
        else:
            as_ids(X, self.vocab_size_)
        return X if y is None else (X, y)

    def _validate_X(self, X, reset, dtype=np.float32):
        if reset:
            self._decide_tokens(X)
        if self._tokens():
            return self._token_samples(X, reset)
        self._check_not_ragged(X)
        if _is_nd(X):
            X = validate_data(self, X, allow_nd=True, ensure_2d=False, dtype=dtype, reset=reset)
        else:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=dtype, reset=reset)
        return self._to_samples(X, reset)

    def _validate_predict_X(self, X):
        if self._tokens():
            check_is_fitted(self)
            return self._token_samples(X, reset=False)
        return super()._validate_predict_X(X)

    def _validate_Xy(self, X, y, reset):
        if reset:
            self._decide_tokens(X)
        if self._tokens():
            if y is None:
                raise ValueError(
                    f"This {type(self).__name__} estimator requires y to be passed, but "
                    "the target y is None."
                )
            return self._token_samples(X, reset, y)
        kwargs = dict(
            dtype=np.float32,
            multi_output=True,
            y_numeric=self._y_numeric,
            reset=reset,
        )
        self._check_not_ragged(X)
        if _is_nd(X):
            X, y = validate_data(self, X, y, allow_nd=True, ensure_2d=False, **kwargs)
        else:
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], **kwargs)
        return self._to_samples(X, reset), y

    def _prepare_X(self, X):
        """Samples (or rows from the fast predict path) in the module's layout."""
        if isinstance(X, torch.Tensor):  # validation data, already prepared
            return X
        if self._tokens():
            return np.ascontiguousarray(X, dtype=np.int64)
        if X.ndim == 2:
            X = X.reshape((X.shape[0], *self.input_shape_))
        if self.conv_dim == 1:
            X = X.transpose(0, 2, 1)  # (n, T, F) -> (n, F, T): channels first
        dtype = np.float64 if X.dtype == np.float64 else np.float32  # see _forward
        return np.ascontiguousarray(X, dtype=dtype)

    # ------------------------------------------------------------------ model
    def _build_module(self, n_features, n_outputs, generator):
        if self._tokens():
            kernels = self._kernel_sizes()
            channels = self._channels()
            return TextConvNetModule(
                self.vocab_size_,
                self._embedding_size(),
                channels * len(kernels) if len(channels) == 1 else channels,
                kernels,
                n_outputs,
                hidden_sizes=self._hidden_sizes(),
                activation=self.activation,
                dropout=self._dropout(),
                padding_idx=PADDING_ID,
                max_len=TEXT_MAX_TOKENS,
                pooling="avg" if self.global_pooling == "avg" else "max",
                weight_init=self.weight_init,
                generator=generator,
            )
        in_shape = tuple(n_features)
        global_pooling = self._global_pooling()
        if self.conv_dim == 1 and global_pooling is not None:
            in_shape = (in_shape[0], None)  # any sequence length
        return ConvNetModule(
            in_shape,
            self._channels(),
            n_outputs,
            kernel_size=self._kernel_sizes(),
            pooling=self.pooling,
            pool_size=self.pool_size,
            global_pooling=global_pooling,
            hidden_sizes=self._hidden_sizes(),
            activation=self.activation,
            dropout=self._dropout(),
            batch_norm=self.batch_norm,
            weight_init=self.weight_init,
            max_shift=self.random_shift,
            flip=self.random_flip,
            residual=self.residual,
            generator=generator,
        )

    def fit(self, X, y, sample_weight=None):
        """Fit the network to images or sequences X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Images ``(n_samples, height, width)`` or ``(n_samples, channels, height,
            width)`` (``conv_dim=2``); sequences ``(n_samples, timesteps,
            n_features)`` or ``(n_samples, timesteps)`` (``conv_dim=1``); or rows
            ``(n_samples, n_features)`` reshaped by ``input_shape``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. The loss is the weighted mean over each batch and the
            L2 penalty is divided by the batch's total weight, as in scikit-learn.

        Returns
        -------
        self : object
            Returns the trained network.
        """
        return self._fit_with_context(X, y, sample_weight)

    def __setstate__(self, state):
        # sknn 0.1.0 had no text path (its models keep reading X as numbers) and no
        # residual blocks; the values go in before the module is rebuilt from them
        old = {"embedding_dim": None, "vocab_size": None, "residual": False}
        super().__setstate__({**old, **state})

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


@fill_doc
class ConvNetClassifier(NeuralClassifierMixin, _BaseConvNet):
    """Convolutional neural network classifier for images and numeric sequences.

    Convolution blocks (convolution, optional batch normalization, activation,
    pooling) learn local filters shared across positions; their feature maps are
    flattened or globally pooled and go through a dense head to one output per
    class. ``conv_dim=2`` classifies images, ``conv_dim=1`` numeric sequences (1-D
    convolution over time). Training, parameters and fitted attributes follow
    :class:`MLPClassifier`.

    Read more in the :ref:`User Guide <convnet>`.

    Parameters
    ----------
    %(convnet_params)s

    %(class_weight)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(classes_)s

    %(convnet_attrs)s

    See Also
    --------
    ConvNetRegressor : Convolutional network for real-valued targets.
    MLPClassifier : Fully connected network on flat rows.

    Notes
    -----
    Training runs in float32 on ``device``; the whole training set is moved there
    once per fit and sliced per batch. Binary and multilabel problems use one
    logistic output per label and multiclass problems a softmax, as in
    :class:`MLPClassifier`. A sparse ``X`` is densified.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import ConvNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8) / 16.0
    >>> clf = ConvNetClassifier(channels=(8,), hidden_layer_sizes=(32,), max_iter=30,
    ...                         learning_rate_init=0.01, random_state=0)
    >>> clf = clf.fit(images[:500], y[:500])
    >>> clf.input_shape_
    (1, 8, 8)
    >>> clf.predict_proba(images[:2]).shape
    (2, 10)
    >>> clf.score(images[500:], y[500:]) > 0.85
    True
    """

    def __init__(
        self,
        conv_dim=2,
        input_shape=None,
        channels="auto",
        kernel_size="auto",
        pooling="max",
        pool_size=2,
        global_pooling="auto",
        hidden_layer_sizes="auto",
        activation="relu",
        *,
        dropout="auto",
        embedding_dim="auto",
        vocab_size=None,
        residual=False,
        batch_norm=False,
        weight_init="glorot_uniform",
        random_shift=0,
        random_flip=False,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol="auto",
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change="auto",
        max_fun=15000,
        class_weight=None,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.conv_dim = conv_dim
        self.input_shape = input_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.pooling = pooling
        self.pool_size = pool_size
        self.global_pooling = global_pooling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
        self.residual = residual
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.random_shift = random_shift
        self.random_flip = random_flip
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.class_weight = class_weight
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    _parameter_constraints: dict = {
        **_BaseConvNet._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Images, sequences or rows, as in :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array of shape (n_classes,), default=None
            All classes across all calls; required on the first call.

        Returns
        -------
        self : object
            The trained network.
        """
        return self._partial_fit_with_context(X, y, sample_weight, classes)


@fill_doc
class ConvNetRegressor(NeuralRegressorMixin, _BaseConvNet):
    """Convolutional neural network regressor for images and numeric sequences.

    The network of :class:`ConvNetClassifier` with real-valued outputs: one
    identity output per target (squared error), or an exponential output with
    ``loss='poisson'``.

    Read more in the :ref:`User Guide <convnet>`.

    Parameters
    ----------
    %(regressor_loss)s

    %(convnet_params)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(convnet_attrs)s

    See Also
    --------
    ConvNetClassifier : Convolutional network classifier.
    MLPRegressor : Fully connected network on flat rows.

    Notes
    -----
    Training runs in float32 on ``device``, as in :class:`ConvNetClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import ConvNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 40))          # 300 univariate series of length 40
    >>> y = X[:, 10:15].sum(axis=1)             # a sum over a window of the series
    >>> reg = ConvNetRegressor(conv_dim=1, channels=(16,), kernel_size=5,
    ...                        global_pooling=None, max_iter=100,
    ...                        random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        loss="squared_error",
        conv_dim=2,
        input_shape=None,
        channels="auto",
        kernel_size="auto",
        pooling="max",
        pool_size=2,
        global_pooling="auto",
        hidden_layer_sizes="auto",
        activation="relu",
        *,
        dropout="auto",
        embedding_dim="auto",
        vocab_size=None,
        residual=False,
        batch_norm=False,
        weight_init="glorot_uniform",
        random_shift=0,
        random_flip=False,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol="auto",
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change="auto",
        max_fun=15000,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.loss = loss
        self.conv_dim = conv_dim
        self.input_shape = input_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.pooling = pooling
        self.pool_size = pool_size
        self.global_pooling = global_pooling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
        self.residual = residual
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.random_shift = random_shift
        self.random_flip = random_flip
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    _parameter_constraints: dict = {
        **_BaseConvNet._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def _loss_name(self):
        return self.loss

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Images, sequences or rows, as in :meth:`fit`.
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained network.
        """
        return self._partial_fit_with_context(X, y, sample_weight)
