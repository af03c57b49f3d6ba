"""Recurrent networks (LSTM, GRU, Elman) for time series, sequences and text."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._backprop import SOLVER_CONSTRAINTS, BackpropEstimator
from ._base import PREDICT_DTYPES
from ._docs import fill_doc
from ._engine import ClipGradNorm
from ._mixins import NeuralClassifierMixin, NeuralRegressorMixin, TokenDefaultsMixin
from .modules import ACTIVATIONS, WEIGHT_INITS, RNNModule
from .utils._compat import Interval, StrOptions, validate_data
from .utils._tokens import (
    AUTO_MAX_VOCAB,
    PADDING_ID,
    STOPPING_CONSTRAINTS,
    TEXT_MAX_TOKENS,
    reads_tokens,
)
from .utils._tokens import as_ids as _as_ids
from .utils._tokens import compact as _compact
from .utils._validation import (
    check_input_shape,
    check_int_tuple,
    rows_to_shape,
    sequence_layout,
)

__all__ = ["RNNClassifier", "RNNRegressor"]

#: The size of the embedding vectors with ``embedding_dim='auto'``.
AUTO_EMBEDDING_DIM = 64

#: ``pooling='auto'``: numeric sequences (key False), token ids (key True). The
#: maximum over the steps reads a long text's every part; the last state mostly
#: its end (measured in benchmarks/bench_text.py).
AUTO_POOLING = {False: "last", True: "max"}

#: ``learning_rate_init='auto'``: numeric sequences, token ids (embeddings learnt
#: from scratch take the larger step, as in ConvNetClassifier).
AUTO_LEARNING_RATE = {False: 0.001, True: 0.005}

#: ``batch_size='auto'`` caps the minibatches at this many samples: 200 as in
#: scikit-learn's MLP for numeric sequences, 50 for token ids.
AUTO_BATCH_SIZE = {False: 200, True: 50}


class _BaseRNN(TokenDefaultsMixin, BackpropEstimator):
    """What RNNClassifier and RNNRegressor share: inputs and architecture."""

    _auto_learning_rate = AUTO_LEARNING_RATE
    _auto_batch_size = AUTO_BATCH_SIZE

    _parameter_constraints: dict = {
        **BackpropEstimator._parameter_constraints,
        **SOLVER_CONSTRAINTS,
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions({"last", "avg", "max", "auto"})],
        "input_shape": ["array-like", None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "vocab_size": [Interval(Integral, 2, None, closed="left"), None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        **STOPPING_CONSTRAINTS,
    }

    # ------------------------------------------------------------ parameters
    def _tokens(self):
        """Whether X holds token ids: decided in the first fit (``embeds_tokens_``)."""
        try:
            return self.embeds_tokens_
        except AttributeError:  # fitted by sknn 0.1, where embedding_dim alone decided
            return self.embedding_dim is not None

    def _embedding_size(self):
        return AUTO_EMBEDDING_DIM if self.embedding_dim == "auto" else self.embedding_dim

    def _pooling(self):
        return AUTO_POOLING[self._tokens()] if self.pooling == "auto" else self.pooling

    def _decide_tokens(self, X, kind):
        """Record in ``embeds_tokens_`` whether X (of the first fit) holds token ids."""
        tokens = reads_tokens(self.embedding_dim, self.input_shape, self.vocab_size, X, kind)
        self.embeds_tokens_ = tokens
        # the networks of models fitted before the cap read every token
        self._max_tokens = TEXT_MAX_TOKENS if tokens else None
        if not tokens and hasattr(self, "vocab_size_"):
            del self.vocab_size_  # from an earlier fit on token ids

    def _input_shape_param(self):
        """``input_shape`` checked: (timesteps, n_features), at most one -1."""
        return check_input_shape(self.input_shape, (2,), "(timesteps, n_features)")

    def _check_params(self):
        check_int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes")
        self._input_shape_param()
        if self.vocab_size is not None and self.embedding_dim is None:
            raise ValueError(
                "vocab_size is the size of the token embedding; it needs embedding_dim "
                "(X holding integer token ids)."
            )
        if self.embedding_dim not in (None, "auto") and self.input_shape is not None:
            raise ValueError(
                "input_shape reshapes numeric rows; with embedding_dim, each row of X "
                "is already one sequence of token ids."
            )

    # ----------------------------------------------------------------- inputs
    def _rows_shape(self, n_columns):
        """Sample shape ``(timesteps, n_features)`` of 2-D rows, for the first fit."""
        shape = self._input_shape_param()
        if shape is None:
            return (n_columns, 1)  # univariate series, one value per time step
        return rows_to_shape(n_columns, shape, self.input_shape)

    def _check_step_features(self, n_step_features, reset):
        """Per-step width of sequence input: checked against fit, or recorded."""
        if reset:
            shape = self._input_shape_param()
            if shape is not None and shape[1] not in (-1, n_step_features):
                raise ValueError(
                    f"X has {n_step_features} features per time step, which does not "
                    f"match input_shape={self.input_shape!r}."
                )
            return
        expected = 1 if self._tokens() else self.input_shape_[-1]
        if n_step_features != expected:
            raise ValueError(
                f"X has {n_step_features} features per time step, but "
                f"{type(self).__name__} was fitted on {expected}."
            )

    def _finish(self, X, reset, fixed_length, n_features_in):
        """Record the sample layout on the first fit; check token ids."""
        if reset:
            steps = X.shape[1] if fixed_length else None
            self.input_shape_ = (steps,) if self._tokens() else (steps, int(X.shape[2]))
            self.n_features_in_ = int(n_features_in)
            if self._tokens():
                max_id = int(X.max()) if X.size else 0
                if self.vocab_size is not None and max_id >= self.vocab_size:
                    _as_ids(X, self.vocab_size)  # raises with the explanation
                if self.vocab_size is None and self.embedding_dim == "auto":
                    self._check_auto_vocab(max_id)
                self.vocab_size_ = (
                    int(self.vocab_size) if self.vocab_size is not None else max(max_id + 1, 2)
                )
        elif self._tokens():
            _as_ids(X, self.vocab_size_)
        return X

    def _check_auto_vocab(self, max_id):
        if max_id >= AUTO_MAX_VOCAB:
            raise ValueError(
                f"X holds integers up to {max_id}; with embedding_dim='auto', integer X "
                f"is read as token ids, which would need an embedding table of "
                f"{max_id + 1} rows. If X holds numeric features, pass embedding_dim=None; "
                "if token ids, pass vocab_size (or an int embedding_dim)."
            )

    def _samples(self, X, reset, y=None):
        """Validated ``X`` in the module's layout (and ``y``): float32 ``(n, T, F)``
        with all-NaN steps as trailing padding (for prediction, float64 X stays
        float64, so it is computed in float64 as in the other estimators), or int64
        token ids ``(n, T)`` with padding id 0 moved to the end of each row."""
        float_dtype = np.float32 if reset or y is not None else PREDICT_DTYPES
        kind = sequence_layout(X)
        if reset:
            self._decide_tokens(X, kind)
        y_kwargs = dict(multi_output=True, y_numeric=self._y_numeric)
        if kind == "rows":
            return self._row_samples(X, reset, y, y_kwargs, float_dtype)
        if y is not None:
            y = validate_data(self, y=y, reset=reset, **y_kwargs)
        elif reset and hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if reset:
            self._fitted_on_rows = False
        if kind == "nd":
            if self._tokens():
                raise ValueError(
                    "With embedding_dim set, X holds token ids of shape (n_samples, "
                    f"timesteps); got X of shape {np.shape(X)}."
                )
            X = check_array(X, allow_nd=True, dtype=float_dtype, estimator=self)
            if X.ndim != 3:
                raise ValueError(
                    f"{type(self).__name__} takes sequences of shape (n_samples, "
                    f"timesteps, n_features); got X of shape {X.shape}."
                )
            self._check_step_features(X.shape[2], reset)
            X = self._finish(X, reset, True, X.shape[2])
        else:
            X = self._pad(list(X), reset, float_dtype)
        if y is not None:
            check_consistent_length(X, y)
            return X, y
        return X

    def _row_samples(self, X, reset, y, y_kwargs, float_dtype=np.float32):
        """:meth:`_samples` for 2-D X: each row one sequence (of token ids, or of
        values reshaped by ``input_shape``)."""
        tokens = self._tokens()
        kwargs = dict(accept_sparse=["csr", "csc"], dtype=None if tokens else float_dtype)
        if reset or self._fitted_on_rows:
            if y is None:
                X = validate_data(self, X, reset=reset, **kwargs)
            else:
                X, y = validate_data(self, X, y, reset=reset, **kwargs, **y_kwargs)
        else:  # fitted on sequences: rows of any width are sequences too
            if y is not None:
                y = validate_data(self, y=y, reset=False, **y_kwargs)
            X = check_array(X, estimator=self, **kwargs)
            if y is not None:
                check_consistent_length(X, y)
        if sp.issparse(X):
            X = X.toarray()
        n_columns = X.shape[1]
        if tokens:
            X = _compact(_as_ids(X))
        else:
            if reset:
                shape = self._rows_shape(n_columns)
            elif self._fitted_on_rows:
                shape = self.input_shape_
            else:
                shape = (
                    self._rows_shape(n_columns)
                    if self.input_shape is not None
                    else (
                        n_columns,
                        1,
                    )
                )
                self._check_step_features(shape[1], reset)
            X = X.reshape((X.shape[0], *shape))
        if reset:
            self._fitted_on_rows = True
        X = self._finish(X, reset, True, n_columns)
        return X if y is None else (X, y)

    def _pad(self, sequences, reset, float_dtype=np.float32):
        """Pad variable-length sequences at the end: NaN steps or padding ids."""
        if self._tokens():
            seqs = [_as_ids(np.asarray(s)).reshape(-1) for s in sequences]
            steps = max(max(len(s) for s in seqs), 1)
            X = np.full((len(seqs), steps), PADDING_ID, dtype=np.int64)
            for i, s in enumerate(seqs):
                X[i, : len(s)] = s
            return self._finish(_compact(X), reset, False, 1)
        seqs = []
        for i, s in enumerate(sequences):
            s = check_array(
                s, ensure_2d=False, dtype=float_dtype, estimator=self, input_name=f"X[{i}]"
            )
            if s.ndim == 1:
                s = s[:, None]  # univariate
            if s.ndim != 2:
                raise ValueError(
                    f"Each sequence must be an array of shape (timesteps, n_features); "
                    f"X[{i}] has shape {s.shape}."
                )
            seqs.append(s)
        widths = {s.shape[1] for s in seqs}
        if len(widths) > 1:
            raise ValueError(
                f"All sequences must have the same number of features per time step; "
                f"got {sorted(widths)}."
            )
        width = widths.pop()
        self._check_step_features(width, reset)
        dtype = np.result_type(*(s.dtype for s in seqs))
        X = np.full((len(seqs), max(len(s) for s in seqs), width), np.nan, dtype)
        for i, s in enumerate(seqs):
            X[i, : len(s)] = s
        return self._finish(X, reset, False, width)

    def _validate_X(self, X, reset):
        return self._samples(X, reset)

    def _validate_Xy(self, X, y, reset):
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        return self._samples(X, reset, y)

    def _validate_predict_X(self, X):
        check_is_fitted(self)
        return self._samples(X, reset=False)

    # ------------------------------------------------------------------ model
    def _build_module(self, n_features, n_outputs, generator):
        tokens = self._tokens()
        return RNNModule(
            None if tokens else self.input_shape_[-1],
            n_outputs,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            pooling=self._pooling(),
            hidden_sizes=check_int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes"),
            activation=self.activation,
            vocab_size=self.vocab_size_ if tokens else None,
            embedding_dim=self._embedding_size() if tokens else None,
            padding_idx=PADDING_ID,
            max_len=getattr(self, "_max_tokens", None) if tokens else None,
            weight_init=self.weight_init,
            generator=generator,
        )

    def _engine_hooks(self):
        if self.clip_grad_norm is None:
            return []
        return [ClipGradNorm(float(self.clip_grad_norm))]

    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences X and target(s) y.

        Parameters
        ----------
        X : array-like of shape (n_samples, timesteps, n_features), (n_samples, \
timesteps), list of arrays, or sparse matrix
            Numeric sequences ``(n_samples, timesteps, n_features)``; univariate
            series ``(n_samples, timesteps)`` (or rows reshaped by
            ``input_shape``); sequences of different lengths as a list (or 1-D
            object array) of ``(timesteps_i, n_features)`` or ``(timesteps_i,)``
            arrays; or integer token ids ``(n_samples, timesteps)`` or a list of
            1-D id arrays (0 is padding), embedded by default (see
            ``embedding_dim``; the decision is kept in ``embeds_tokens_``).
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


@fill_doc
class RNNClassifier(NeuralClassifierMixin, _BaseRNN):
    """Recurrent neural network classifier (LSTM, GRU or Elman) for sequences.

    Recurrent layers read each sequence step by step and carry a hidden state
    (with LSTM and GRU cells, gated so that it can hold information over long
    spans); the sequence is summarised into one vector (the final state, or the
    mean or maximum over the steps) and a dense head maps it to one output per
    class. Inputs are numeric sequences (multivariate, univariate, or of
    different lengths) or integer token ids through an embedding layer (with
    :class:`TextSequencer`, raw text). Training, parameters and fitted attributes
    follow :class:`MLPClassifier`.

    Read more in the :ref:`User Guide <rnn>`.

    Parameters
    ----------
    %(rnn_params)s

    %(class_weight)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(classes_)s

    %(rnn_attrs)s

    See Also
    --------
    RNNRegressor : Recurrent network for real-valued targets.
    TextSequencer : Turns raw text into token-id sequences for this estimator.
    ConvNetClassifier : 1-D convolutions over sequences (``conv_dim=1``).

    Notes
    -----
    Training runs in float32 on ``device``; the whole training set is moved there
    once per fit (padded to its longest sequence) and sliced per batch. A batch of
    sequences of different lengths is packed (``pack_padded_sequence``), so the
    padded steps are never computed and a sequence's prediction does not depend
    on the other sequences or on how much padding it gets. Binary and multilabel
    problems use one logistic output per label and multiclass problems a softmax,
    as in :class:`MLPClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 12, 2))       # 200 sequences, 12 steps, 2 features
    >>> y = (X[:, 0, 0] > 0).astype(int)        # the class is set by the first step
    >>> clf = RNNClassifier(hidden_size=16, max_iter=60, learning_rate_init=0.01,
    ...                     random_state=0).fit(X, y)
    >>> clf.input_shape_
    (12, 2)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        pooling="auto",
        *,
        input_shape=None,
        embedding_dim="auto",
        vocab_size=None,
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        weight_init="glorot_uniform",
        clip_grad_norm=1.0,
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
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.input_shape = input_shape
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.weight_init = weight_init
        self.clip_grad_norm = clip_grad_norm
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
        **_BaseRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, timesteps, n_features), list of arrays, \
or array-like of shape (n_samples, timesteps)
            Sequences, as in :meth:`fit`.
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
class RNNRegressor(NeuralRegressorMixin, _BaseRNN):
    """Recurrent neural network regressor (LSTM, GRU or Elman) for sequences.

    The network of :class:`RNNClassifier` with real-valued outputs: one identity
    output per target (squared error), or an exponential output with
    ``loss='poisson'``. For forecasting, each sample is a window of past values
    and the target the next value(s).

    Read more in the :ref:`User Guide <rnn>`.

    Parameters
    ----------
    %(regressor_loss)s

    %(rnn_params)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(rnn_attrs)s

    See Also
    --------
    RNNClassifier : Recurrent network classifier.
    ConvNetRegressor : 1-D convolutions over sequences (``conv_dim=1``).

    Notes
    -----
    Training runs in float32 on ``device``, as in :class:`RNNClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(300, 10))  # 300 univariate series of length 10
    >>> y = X.sum(axis=1)                       # a running sum over the whole series
    >>> reg = RNNRegressor(cell="gru", hidden_size=16, max_iter=100,
    ...                    learning_rate_init=0.01, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        loss="squared_error",
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        pooling="auto",
        *,
        input_shape=None,
        embedding_dim="auto",
        vocab_size=None,
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        weight_init="glorot_uniform",
        clip_grad_norm=1.0,
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
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.input_shape = input_shape
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.weight_init = weight_init
        self.clip_grad_norm = clip_grad_norm
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
        **_BaseRNN._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def _loss_name(self):
        return self.loss

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, timesteps, n_features), list of arrays, \
or array-like of shape (n_samples, timesteps)
            Sequences, as in :meth:`fit`.
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
