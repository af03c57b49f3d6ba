"""Autoencoders as scikit-learn transformers: bottleneck, denoising, sparse,
contractive."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from ._backprop import SOLVER_CONSTRAINTS, BackpropEstimator
from ._base import check_finite_output
from ._docs import fill_doc
from .modules import ACTIVATIONS, LOSSES, WEIGHT_INITS, AutoencoderModule
from .utils._compat import Interval, StrOptions
from .utils._validation import check_int_tuple

__all__ = ["AutoencoderTransformer"]

_LOSS_NAMES = {"mse": "squared_error", "bce": "mean_binary_log_loss"}


def _module_regularization(module):
    """The training penalty: what the module recorded in its last forward pass.

    A module-level function (not a closure) so that a fitted estimator pickles.
    """
    return module.regularization()


@fill_doc
class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BackpropEstimator):
    """Autoencoder transformer: a nonlinear, trainable PCA, trained with PyTorch.

    An encoder network maps each row to a code of ``n_components`` units and a
    mirrored decoder maps the code back to the input space; both are trained
    together to reconstruct the input. :meth:`transform` returns the codes,
    :meth:`inverse_transform` decodes codes back to rows and
    :meth:`score_samples` gives the negative reconstruction error of each row
    (higher is more typical), for anomaly detection. Denoising, sparse and
    contractive autoencoders are plain parameters.

    Read more in the :ref:`User Guide <autoencoder>`.

    Parameters
    ----------
    n_components : int, default=2
        Number of code units (the dimension of the output of ``transform``).

    hidden_layer_sizes : array-like of shape (n_layers,), default=(100,)
        Widths of the encoder's hidden layers, from the input to the code; the
        decoder uses them in reverse order. ``()`` gives a single code layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
'selu', 'gelu', 'silu', 'softplus'}, default='relu'
        Activation of the hidden layers of the encoder and the decoder.

    code_activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
'elu', 'selu', 'gelu', 'silu', 'softplus'}, default='identity'
        Activation of the code layer. ``'identity'`` gives unbounded codes (with
        ``hidden_layer_sizes=()`` and ``loss='mse'`` the model spans the same
        subspace as PCA); ``sparsity='kl'`` needs ``'logistic'``. To initialise an
        MLP from the encoder, use the MLP's activation here.

    loss : {'mse', 'bce'}, default='mse'
        Reconstruction loss. ``'mse'``: half the mean squared error over the
        features, identity output, for real-valued data (standardise it first).
        ``'bce'``: mean binary cross-entropy over the features, logistic output,
        for data in ``[0, 1]`` (pixel intensities, frequencies, binary data);
        ``fit`` raises a ``ValueError`` for values outside ``[0, 1]``.

    noise : {'gaussian', 'masking'} or None, default=None
        Denoising autoencoder: corrupt each training input before encoding it and
        train to reconstruct the clean input. ``'masking'`` sets each value to 0
        with probability ``noise_level``; ``'gaussian'`` adds Gaussian noise of
        standard deviation ``noise_level``. Only training is corrupted; the noise
        is drawn from ``random_state``.

    noise_level : float, default=0.1
        Masking probability (in ``[0, 1)``) or noise standard deviation.

    sparsity : {'l1', 'kl'} or None, default=None
        Sparse autoencoder: an activity penalty on the codes of each batch, added
        to the loss. ``'l1'``: ``sparsity_weight`` times the mean absolute code
        value (over the batch and the code units); pair it with
        ``code_activation='relu'`` for exact zeros. ``'kl'``: ``sparsity_weight``
        times the mean over code units of ``KL(sparsity_target || rho_j)``, where
        ``rho_j`` is unit j's mean activation over the batch; it requires
        ``code_activation='logistic'``.

    sparsity_weight : float, default=0.1
        Weight of the sparsity penalty.

    sparsity_target : float, default=0.05
        Target mean activation of a code unit for ``sparsity='kl'``.

    contractive_weight : float, default=0.0
        Contractive autoencoder: weight of the batch mean of the squared
        Frobenius norm of the Jacobian of the code with respect to the input.
        It is computed exactly, which costs about one extra pass through the
        encoder per code unit; keep encoders small when using it.

    tied_weights : bool, default=False
        If True, each decoder layer uses the transposed weight matrix of its
        mirror encoder layer (with its own bias): half the weights.

    %(training_params)s

    weight_init : {'glorot_uniform', 'glorot_normal', 'he_uniform', \
'he_normal'}, default='glorot_uniform'
        Initialisation of the weights, as in :class:`MLPClassifier`.

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(training_attrs)s

    %(n_features_in_)s

    %(feature_names_in_)s

    %(n_iter_)s

    n_outputs_ : int
        Number of reconstructed features (``n_features_in_``).

    %(encoder_layers_)s

    module_ : torch.nn.Module
        The trained :class:`sknn.modules.AutoencoderModule`.

    %(history_)s

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    MLPClassifier : Its ``pretrain`` parameter initialises hidden layers from an
        autoencoder.

    Notes
    -----
    The reconstruction error of a row is the mean over its features of the squared
    error (``loss='mse'``) or of the binary cross-entropy (``loss='bce'``);
    :meth:`score_samples` returns its negative and :meth:`score` the mean of
    those. ``loss_curve_`` reports the training objective: half the mean squared
    error (as scikit-learn's MLPRegressor) or the mean cross-entropy, plus the
    penalties. Training runs in float32; ``transform`` and ``inverse_transform``
    return float32 for float32 input and float64 otherwise. Sparse input is
    accepted (the reconstruction targets are densified).

    References
    ----------
    Hinton, G. E. and Salakhutdinov, R. R. (2006). Reducing the dimensionality of
    data with neural networks. Science 313. Vincent, P. et al. (2008). Extracting
    and composing robust features with denoising autoencoders. ICML. Rifai, S. et
    al. (2011). Contractive auto-encoders. ICML.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import AutoencoderTransformer
    >>> X = load_digits().data[:300] / 16
    >>> ae = AutoencoderTransformer(n_components=8, hidden_layer_sizes=(32,),
    ...                             max_iter=50, learning_rate_init=0.01,
    ...                             random_state=0, device="cpu").fit(X)
    >>> ae.transform(X).shape
    (300, 8)
    >>> ae.inverse_transform(ae.transform(X)).shape
    (300, 64)
    >>> ae.get_feature_names_out()[:2].tolist()
    ['autoencodertransformer0', 'autoencodertransformer1']
    """

    _parameter_constraints: dict = {
        **BackpropEstimator._parameter_constraints,
        **SOLVER_CONSTRAINTS,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "code_activation": [StrOptions(set(ACTIVATIONS))],
        "loss": [StrOptions(set(_LOSS_NAMES))],
        "noise": [StrOptions({"gaussian", "masking"}), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "sparsity": [StrOptions({"l1", "kl"}), None],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "contractive_weight": [Interval(Real, 0, None, closed="left")],
        "tied_weights": ["boolean"],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        code_activation="identity",
        loss="mse",
        noise=None,
        noise_level=0.1,
        sparsity=None,
        sparsity_weight=0.1,
        sparsity_target=0.05,
        contractive_weight=0.0,
        tied_weights=False,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        weight_init="glorot_uniform",
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation
        self.loss = loss
        self.noise = noise
        self.noise_level = noise_level
        self.sparsity = sparsity
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.contractive_weight = contractive_weight
        self.tied_weights = tied_weights
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
        self.weight_init = weight_init
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    # ------------------------------------------------------------------ hooks
    def _hidden_sizes(self):
        return list(check_int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes"))

    def _check_params(self):
        self._hidden_sizes()
        if self.noise == "masking" and self.noise_level >= 1:
            raise ValueError(
                f"noise='masking' needs noise_level in [0, 1) (the probability of "
                f"masking an input); got noise_level={self.noise_level!r}."
            )
        if self.sparsity == "kl" and self.code_activation != "logistic":
            raise ValueError(
                "sparsity='kl' compares the mean activation of each code unit with "
                "sparsity_target, so the codes must lie in (0, 1): use "
                f"code_activation='logistic' (got {self.code_activation!r}), or "
                "sparsity='l1'."
            )

    def _build_module(self, n_features, n_outputs, generator):
        return AutoencoderModule(
            n_features,
            self._hidden_sizes(),
            self.n_components,
            activation=self.activation,
            code_activation=self.code_activation,
            tied_weights=self.tied_weights,
            noise=self.noise,
            noise_level=self.noise_level,
            sparsity=self.sparsity,
            sparsity_weight=self.sparsity_weight,
            sparsity_target=self.sparsity_target,
            contractive_weight=self.contractive_weight,
            weight_init=self.weight_init,
            generator=generator,
        )

    def _loss_name(self):
        return _LOSS_NAMES[self.loss]

    def _penalty(self):
        has_sparsity = self.sparsity is not None and self.sparsity_weight > 0
        if has_sparsity or self.contractive_weight > 0:
            return _module_regularization
        return None

    def _validate_Xy(self, X, y, reset):
        # Unsupervised: y is ignored and the reconstruction target is X itself.
        X = self._validate_X(X, reset=reset)
        return X, (X.toarray() if sp.issparse(X) else X)

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        if self.loss == "bce":
            self._check_unit_interval(y)
        return y, y.shape[1]

    def _check_unit_interval(self, X):
        low, high = float(X.min()), float(X.max())
        if low < 0 or high > 1:
            raise ValueError(
                "loss='bce' needs every value of X in [0, 1] (it reconstructs "
                f"probabilities); X ranges from {low:g} to {high:g}. Scale X into "
                "[0, 1] (e.g. with MinMaxScaler) or use loss='mse'."
            )

    def _output(self, raw):
        return torch.sigmoid(raw) if self.loss == "bce" else raw

    def _validation_score(self, X, y, sample_weight):
        errors = self._reconstruction_errors(X)
        return -float(np.average(errors, weights=sample_weight))

    # --------------------------------------------------------------- helpers
    def _reconstruction_errors(self, X):
        """Per-row reconstruction error (float64) of validated rows ``X``."""
        if self.loss == "bce":

            def error(module, x):
                return LOSSES["mean_binary_log_loss"](module(x), x, "none")

        else:

            def error(module, x):
                return (module(x) - x).square().mean(1)

        return self._forward(X, error).astype(np.float64)

    @staticmethod
    def _out_dtype(X):
        return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64

    # ---------------------------------------------------------------- public
    def fit(self, X, y=None, sample_weight=None):
        """Fit the autoencoder to reconstruct X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows; in ``[0, 1]`` for ``loss='bce'``.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the reconstruction loss (weighted mean over
            each batch, as in :class:`MLPRegressor`).

        Returns
        -------
        self : object
            The fitted autoencoder.
        """
        return self._fit_with_context(X, None, sample_weight)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the autoencoder with a single epoch over the given rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the reconstruction loss.

        Returns
        -------
        self : object
            The updated autoencoder.
        """
        return self._partial_fit_with_context(X, None, sample_weight)

    def transform(self, X):
        """Encode X: the code layer's activations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The codes.
        """
        dtype = self._out_dtype(X)
        X = self._validate_predict_X(X)
        return self._forward(X, lambda module, x: module.encode(x)).astype(dtype, copy=False)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The decoded rows (probabilities in ``[0, 1]`` for ``loss='bce'``).
        """
        check_is_fitted(self)
        dtype = self._out_dtype(X)
        X = check_array(X, dtype=np.float32, input_name="X")
        n_components = self.module_.n_components
        if X.shape[1] != n_components:
            raise ValueError(
                f"X has {X.shape[1]} features, but inverse_transform expects codes of "
                f"{n_components} components."
            )

        def decode(module, code):
            return self._output(module.decode(code))

        return self._forward(X, decode).astype(dtype, copy=False)

    def score_samples(self, X):
        """Negative reconstruction error of each row (higher is more typical).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score; in ``[0, 1]`` for ``loss='bce'``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus the mean over the features of the squared error
            (``loss='mse'``) or of the binary cross-entropy (``loss='bce'``)
            between each row and its reconstruction. Anomalies score low.
        """
        X = self._validate_predict_X(X)
        if self.loss == "bce":
            self._check_unit_interval(X)
        return check_finite_output(-self._reconstruction_errors(X), "The scores")

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: minus the mean reconstruction error.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            Minus the mean reconstruction error (higher is better), so that
            :class:`~sklearn.model_selection.GridSearchCV` can tune an
            autoencoder on its own.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def encoder_layers_(self):
        """list of (ndarray, ndarray): ``(coef, intercept)`` of each encoder layer."""
        return [
            (
                lin.weight.detach().cpu().numpy().T.copy(),
                lin.bias.detach().cpu().numpy().copy(),
            )
            for lin in self.module_.encoder
        ]

    @property
    def _n_features_out(self):
        return self.module_.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
