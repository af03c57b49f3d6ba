"""Multi-layer perceptrons: drop-in replacements for scikit-learn's MLPs."""

import operator
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._backprop import SOLVER_CONSTRAINTS, BackpropEstimator
from ._base import _all_finite
from ._docs import fill_doc
from ._mixins import NeuralClassifierMixin, NeuralRegressorMixin
from .modules import ACTIVATIONS, WEIGHT_INITS, MLPModule
from .utils._compat import HasMethods, Interval, StrOptions
from .utils._validation import check_int_tuple

__all__ = ["MLPClassifier", "MLPRegressor"]


#: What ``_initial_weights`` returns for ``coefs_``/``intercepts_`` assigned
#: before fitting (``_load_initial_weights`` then copies them).
_ASSIGNED = "assigned coefs_"


def _copies(coefs, intercepts):
    return [np.array(c) for c in coefs], [np.array(b) for b in intercepts]


def _expit(h):
    from scipy.special import expit  # (not at ``import sknn``)

    return expit(h, out=h)


#: scikit-learn's hidden activations, applied in place to a NumPy array: the
#: activations of the NumPy float64 prediction path (``_BaseMLP._forward``).
_NUMPY_ACTIVATIONS = {
    "identity": lambda h: h,
    "relu": lambda h: np.maximum(h, 0, out=h),
    "tanh": lambda h: np.tanh(h, out=h),
    "logistic": _expit,
}


def _softmax(h):
    h -= h.max(axis=1, keepdims=True)
    np.exp(h, out=h)
    h /= h.sum(axis=1, keepdims=True)
    return h


#: The output activations (``out_activation_``) in NumPy, in place, for the same path.
_NUMPY_OUTPUTS = {
    "identity": lambda h: h,
    "logistic": _expit,
    "softmax": _softmax,
    "exp": lambda h: np.exp(h, out=h),
}


def _stamp(module):
    """The module's weight tensors, and each one's version counter and storage: the
    stamp changes whenever the weights are edited or replaced through torch."""
    params = module.linear_parameters()
    return params, tuple((p._version, p.data_ptr()) for p in params)


def _copy_layers(linears, coefs, intercepts, indices=None):
    """Copy ``coefs``/``intercepts`` (scikit-learn's layout) into ``linears``
    (layers ``indices`` of the network, all by default), checking their number
    and shapes."""
    if len(coefs) != len(linears) or len(intercepts) != len(linears):
        raise ValueError(
            f"coefs_ and intercepts_ must hold {len(linears)} arrays, one per layer; "
            f"got {len(coefs)} and {len(intercepts)}."
        )
    indices = range(len(linears)) if indices is None else indices
    with torch.no_grad():
        for i, lin, coef, intercept in zip(indices, linears, coefs, intercepts):
            coef, intercept = np.asarray(coef), np.asarray(intercept)
            shape = (lin.in_features, lin.out_features)
            if coef.shape != shape or intercept.shape != (shape[1],):
                raise ValueError(
                    f"coefs_[{i}] has shape {coef.shape} and intercepts_[{i}] shape "
                    f"{intercept.shape}; layer {i} needs {shape} and ({shape[1]},)."
                )
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                raise ValueError(f"coefs_[{i}] or intercepts_[{i}] contains NaN or infinity.")
            lin.weight.copy_(torch.as_tensor(coef.T, dtype=lin.weight.dtype))
            lin.bias.copy_(torch.as_tensor(intercept, dtype=lin.bias.dtype))


class _BaseMLP(BackpropEstimator):
    """What MLPClassifier and MLPRegressor share: the architecture parameters."""

    _parameter_constraints: dict = {
        **BackpropEstimator._parameter_constraints,
        **SOLVER_CONSTRAINTS,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
        "pretrain": [None, HasMethods(["fit", "transform"]), list, tuple],
    }

    def _hidden_sizes(self):
        return list(check_int_tuple(self.hidden_layer_sizes, "hidden_layer_sizes"))

    def _check_params(self):
        self._hidden_sizes()

    def _initial_weights(self, X, continuing):
        """``coefs_``/``intercepts_`` assigned before a ``partial_fit`` or a
        ``warm_start`` fit (scikit-learn starts from them), else the layers of
        ``pretrain``: fit (a clone of) it on the training rows if it is not fitted."""
        if continuing and "coefs_" in self.__dict__:
            return _ASSIGNED
        pretrain = self.pretrain
        self.__dict__.pop("pretrain_", None)
        if pretrain is None or isinstance(pretrain, (list, tuple)):
            return pretrain
        try:
            check_is_fitted(pretrain)
        except NotFittedError:
            pretrain = clone(pretrain)
            params = pretrain.get_params()
            if "random_state" in params and params["random_state"] is None:
                seed = int(self._rng.randint(np.iinfo(np.int32).max))
                pretrain.set_params(random_state=seed)
            pretrain.fit(X)
        if not hasattr(pretrain, "encoder_layers_"):
            raise TypeError(
                f"pretrain={type(pretrain).__name__} has no encoder_layers_ after fit; "
                "pass an sknn RBMTransformer or AutoencoderTransformer, or a list of "
                "(coef, intercept) pairs."
            )
        self.pretrain_ = pretrain
        return pretrain.encoder_layers_

    def _build_module(self, n_features, n_outputs, generator):
        return MLPModule(
            n_features,
            self._hidden_sizes(),
            n_outputs,
            activation=self.activation,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            weight_init=self.weight_init,
            generator=generator,
        )

    def _load_initial_weights(self, module, layers):
        """Copy ``(coef, intercept)`` pairs into the first hidden layers (every
        layer for assigned ``coefs_``)."""
        if layers is _ASSIGNED:
            _copy_layers(module.linears, self.coefs_, self.intercepts_)
            return
        hidden = module.linears[:-1]
        layers = list(layers)
        if len(layers) > len(hidden):
            raise ValueError(
                f"pretrain gives {len(layers)} layer(s) but the network has only "
                f"{len(hidden)} hidden layer(s) (hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r})."
            )
        for i, (pair, linear) in enumerate(zip(layers, hidden)):
            try:
                coef, intercept = pair
                coef = np.asarray(coef, dtype=np.float32)
                intercept = np.asarray(intercept, dtype=np.float32)
            except (TypeError, ValueError):
                raise TypeError(
                    "pretrain layers must be (coef, intercept) pairs of arrays; layer "
                    f"{i} is {type(pair).__name__}."
                ) from None
            expected = (linear.in_features, linear.out_features)
            if coef.shape != expected or intercept.shape != (expected[1],):
                raise ValueError(
                    f"pretrain layer {i} has coef {coef.shape} and intercept "
                    f"{intercept.shape}, but hidden layer {i} of this network needs "
                    f"coef {expected} and intercept ({expected[1]},): match "
                    "hidden_layer_sizes (and the number of features) to the "
                    "pre-trained layers."
                )
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                raise ValueError(f"pretrain layer {i} contains NaN or infinity.")
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(coef.T.copy()))
                linear.bias.copy_(torch.from_numpy(intercept))

    # ``coefs_`` and ``intercepts_`` are plain attributes, as in scikit-learn: lists
    # of arrays in the fit's dtype that may be edited in place or reassigned. For a
    # float32 fit on the CPU they are views of the module's weights. Otherwise they
    # are copies, and ``_weight_copies`` remembers what was last copied: a layer
    # whose arrays differ from it (edited or reassigned) is copied into the module
    # before the module is next used. (So the module may also be edited directly;
    # ``coefs_`` then shows the edit after the next fit.)
    _derived_state = (
        "coefs_",
        "intercepts_",
        "n_layers_",
        "_weight_views",
        "_weight_copies",
        "_module_stamp",
    )

    def _sync_attributes(self):
        linears = self.module_.linears
        views = self._fit_dtype == np.float32 and self._device.type == "cpu"
        coefs, intercepts = [], []
        for lin in linears:
            w, b = lin.weight.detach(), lin.bias.detach()
            if views:
                coefs.append(w.numpy().T)
                intercepts.append(b.numpy())
            else:
                coefs.append(w.cpu().numpy().T.astype(self._fit_dtype))
                intercepts.append(b.cpu().numpy().astype(self._fit_dtype))
        self.coefs_, self.intercepts_ = coefs, intercepts
        self.n_layers_ = len(linears) + 1
        self._weight_views = (list(coefs), list(intercepts)) if views else None
        self._weight_copies = None if views else _copies(coefs, intercepts)
        self._module_stamp = _stamp(self.module_)

    def _sync_module(self):
        coefs, intercepts = self.__dict__.get("coefs_"), self.__dict__.get("intercepts_")
        if coefs is None or intercepts is None:
            return
        linears = self.module_.linears
        if len(coefs) != len(linears) or len(intercepts) != len(linears):
            _copy_layers(linears, coefs, intercepts)  # raises, naming the counts
        views = self.__dict__.get("_weight_views")
        if views is not None:
            if all(a is v for a, v in zip(coefs + intercepts, views[0] + views[1])):
                return  # unchanged, or edited in place: the module already has it
            _copy_layers(linears, coefs, intercepts)
            self._sync_attributes()  # arrays were assigned: views again
            return
        last = self.__dict__.get("_weight_copies")
        changed = [
            i
            for i in range(len(linears))
            if last is None
            or not np.array_equal(coefs[i], last[0][i])
            or not np.array_equal(intercepts[i], last[1][i])
        ]
        if changed:
            _copy_layers(
                [linears[i] for i in changed],
                [coefs[i] for i in changed],
                [intercepts[i] for i in changed],
                [int(i) for i in changed],
            )
            self._weight_copies = _copies(coefs, intercepts)
            self._module_stamp = _stamp(self.module_)

    def _numpy_layers(self, X):
        """``(coefs, intercepts)`` to predict float64 ``X`` with in NumPy, or None
        where the general path is needed.

        The NumPy path is scikit-learn's own forward pass over ``coefs_`` and
        ``intercepts_``, for a dense float64 ``X`` on the CPU through a network
        of scikit-learn's activations without batch norm. For a float64 fit
        ``coefs_`` are float64 copies of the module's weights (edits to them are
        used as they are); the module is then not touched, unless it was edited
        through torch since they were copied (its stamp changed): the general
        path brings the two together. A float32 fit's ``coefs_`` are views of
        the module."""
        if (
            type(X) is not np.ndarray
            or X.dtype != np.float64
            or self.batch_norm
            or self.activation not in _NUMPY_ACTIVATIONS
            or self.out_activation_ not in _NUMPY_OUTPUTS
            or self._device.type != "cpu"
            or X.shape[0] == 0
        ):
            return None
        if self.__dict__.get("_weight_views") is not None:
            self._sync_module()  # (identity checks; views of the module after it)
            stamp = last = None
        else:
            stamp, last = _stamp(self.module_), self.__dict__.get("_module_stamp")
            if last is None or stamp[1] != last[1] or not all(map(operator.is_, stamp[0], last[0])):
                return None  # edited through torch since coefs_ were copied
        coefs, intercepts = self.__dict__.get("coefs_"), self.__dict__.get("intercepts_")
        weights = (stamp or _stamp(self.module_))[0][::2]
        if (
            not isinstance(coefs, list)
            or not isinstance(intercepts, list)
            or len(coefs) != len(weights)
            or len(intercepts) != len(weights)
            or any(
                type(c) is not np.ndarray
                or type(b) is not np.ndarray
                or c.shape != w.shape[::-1]
                or b.shape != w.shape[:1]
                for c, b, w in zip(coefs, intercepts, weights)
            )
        ):
            return None  # (the general path says what is wrong)
        return coefs, intercepts

    def _forward(self, X, fn=None):
        """As :meth:`BaseNeuralEstimator._forward`; float64 rows on the CPU are
        computed in NumPy where :meth:`_numpy_layers` allows, as scikit-learn does.

        The result equals the float64 module's to float64 rounding; one call
        costs a few microseconds instead of the module's ~50 (per-call
        bookkeeping, not arithmetic, dominates a one-row prediction)."""
        layers = None if fn is not None else self._numpy_layers(X)
        if layers is None:
            return super()._forward(X, fn)
        coefs, intercepts = layers
        activation = _NUMPY_ACTIVATIONS[self.activation]
        output = _NUMPY_OUTPUTS[self.out_activation_]
        out = np.empty((X.shape[0], coefs[-1].shape[1]))
        step = self._predict_batch_size
        for start in range(0, X.shape[0], step):
            h = X[start : start + step]
            for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
                h = h @ coef
                h += intercept
                h = activation(h)
            h = h @ coefs[-1]
            h += intercepts[-1]
            out[start : start + step] = output(h)
        if not _all_finite(out):
            return super()._forward(X, fn)  # (checks the weights; says what is wrong)
        return out

    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. The loss is the weighted mean over each batch and the
            L2 penalty is divided by the batch's total weight, as in scikit-learn.

        Returns
        -------
        self : object
            Returns a trained MLP model.
        """
        return self._fit_with_context(X, y, sample_weight)


@fill_doc
class MLPClassifier(NeuralClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier trained with PyTorch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the
    same parameters with the same defaults and meaning, the same fitted
    attributes, plus ``dropout``, ``batch_norm``, more activations,
    ``weight_init``, ``class_weight`` and ``device``.

    Read more in the :ref:`User Guide <mlp>`.

    Parameters
    ----------
    %(mlp_params)s

    %(class_weight)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(classes_)s

    %(mlp_attrs)s

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The NumPy implementation.
    MLPRegressor : Multi-layer perceptron regressor.

    Notes
    -----
    Training runs in float32 on ``device``; inputs are converted once per fit.
    Binary and multilabel problems use one logistic output per label and
    multiclass problems a softmax, as in scikit-learn. If the loss becomes NaN or
    infinite, training stops with a :class:`sknn.TrainingDivergedWarning` and the
    last finite weights are kept. Ctrl-C during fit stops training and keeps a
    usable model.

    Examples
    --------
    >>> from sknn import MLPClassifier
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=100, random_state=1)
    >>> clf = MLPClassifier(random_state=1, max_iter=300).fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 2)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        pretrain=None,
        class_weight=None,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.pretrain = pretrain
        self.class_weight = class_weight
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array of shape (n_classes,), default=None
            All classes across all calls; required on the first call.

        Returns
        -------
        self : object
            Trained MLP model.
        """
        return self._partial_fit_with_context(X, y, sample_weight, classes)


@fill_doc
class MLPRegressor(NeuralRegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor trained with PyTorch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`, with
    the additions described in :class:`MLPClassifier`.

    Read more in the :ref:`User Guide <mlp>`.

    Parameters
    ----------
    %(regressor_loss)s

    %(mlp_params)s

    %(device)s

    %(training_extras)s

    Attributes
    ----------
    %(mlp_attrs)s

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The NumPy implementation.
    MLPClassifier : Multi-layer perceptron classifier.

    Notes
    -----
    Training runs in float32 on ``device``. Divergence and Ctrl-C are handled as
    in :class:`MLPClassifier`.

    Examples
    --------
    >>> from sknn import MLPRegressor
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs",
    ...                    random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        pretrain=None,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.pretrain = pretrain
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def _loss_name(self):
        return self.loss

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            Trained MLP model.
        """
        return self._partial_fit_with_context(X, y, sample_weight)
