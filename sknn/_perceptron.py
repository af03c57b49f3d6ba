"""Rosenblatt's perceptron and its probabilistic (logistic / softmax) forms."""

import functools
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._backprop import BackpropEstimator, check_sample_weight, input_float_dtype
from ._docs import fill_doc
from ._engine import AfterStep
from ._mixins import NeuralClassifierMixin
from ._online import CompiledLoopOverflow, compiled_loop_applies, run_sklearn_perceptron
from ._training import LearningRateSchedule, TrainingRecord
from .modules import LinearModule
from .utils._batching import apply_batched
from .utils._compat import (
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)
from .utils._torch import resolve_device

__all__ = ["PerceptronClassifier"]


def _max_norm(module, max_norm):
    """Rescale each output unit's weight vector to norm <= ``max_norm`` (after a step)."""
    weight = module.linear.weight
    norms = weight.norm(dim=1, keepdim=True).clamp_min(1e-12)
    weight.mul_(torch.clamp(max_norm / norms, max=1.0))


def _proximal_l1(module, threshold):
    """Soft-threshold the weights (after a step): the proximal step of ``lam*||w||_1``.

    Plain subgradient steps on an L1 term make weights oscillate around zero; the
    proximal step sets them exactly to zero, as scikit-learn's truncated-gradient
    SGD does.
    """
    weight = module.linear.weight
    weight.copy_(weight.sign() * (weight.abs() - threshold).clamp_min(0.0))


@fill_doc
class PerceptronClassifier(NeuralClassifierMixin, BackpropEstimator):
    """Single-layer perceptron: Rosenblatt's rule, or logistic / softmax regression.

    A single layer of weights maps the inputs to one score per class (one score for
    a binary problem), trained by gradient descent: online (``batch_size=1``),
    mini-batch, or full-batch (``batch_size='full'``).

    Read more in the :ref:`User Guide <perceptron>`.

    Parameters
    ----------
    activation : {'threshold', 'logistic', 'softmax'}, default='threshold'
        - 'threshold': the classic perceptron. A unit outputs 1 when its score is
          positive; training minimises Rosenblatt's criterion ``max(0, -s * score)``
          (``s = +1`` for the unit's class, ``-1`` otherwise), one-vs-rest for
          several classes. No probabilities.
        - 'logistic': sigmoid units trained with the binary log-loss, one-vs-rest
          (logistic regression).
        - 'softmax': a softmax over the class scores trained with the multinomial
          log-loss (multinomial logistic regression). With two classes it is the
          same model as 'logistic'.

    penalty : {'l2', 'l1', 'elasticnet'}, default=None
        Regularisation term ``alpha * R(w)`` added to the mean loss, as in
        :class:`sklearn.linear_model.SGDClassifier`: ``R = 0.5 * ||w||^2`` (l2),
        ``||w||_1`` (l1), or ``l1_ratio * ||w||_1 + (1 - l1_ratio) * 0.5 * ||w||^2``.
        The intercept is not penalised. The L1 part is applied as a proximal
        (soft-thresholding) step after each update, so weights reach exactly zero.

    alpha : float, default=0.0001
        Strength of the penalty.

    l1_ratio : float, default=0.15
        Elastic-net mixing, ``0 <= l1_ratio <= 1``; used with ``penalty='elasticnet'``.

    fit_intercept : bool, default=True
        Whether to learn an intercept.

    max_iter : int, default=1000
        Maximum number of epochs.

    tol : float or None, default=1e-3
        Stop when the epoch loss has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs (or, with ``early_stopping``, the
        validation accuracy). None disables the criterion.

    %(shuffle)s

    verbose : int, default=0
        Print the loss after each epoch.

    eta0 : float, default=1.0
        Learning rate (scikit-learn's :class:`~sklearn.linear_model.Perceptron`
        calls it ``eta0``).

    n_jobs : int, default=None
        Processes for the one-vs-rest units of the classic online perceptron,
        which scikit-learn's compiled loop trains one unit at a time (as
        scikit-learn's ``Perceptron``). The PyTorch path trains all units together
        as one layer and ignores it.

    batch_size : int, 'auto' or 'full', default=1
        Samples per update: 1 is Rosenblatt's online rule (as scikit-learn's
        ``Perceptron``), 'full' full-batch gradient descent, 'auto' means
        ``min(200, n_samples)``. With ``activation='threshold'`` on the CPU, the
        online rule runs in scikit-learn's compiled SGD loop (see the User Guide);
        otherwise each update is one PyTorch optimizer step, and mini-batches are
        much faster on large data.

    random_state : int, RandomState instance or None, default=0
        Seeds shuffling and the validation split (the weights start at zero). The
        default 0 is scikit-learn's ``Perceptron``'s: two default fits are the same.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its accuracy
        stops improving; the best weights are restored.

    %(validation_fraction)s

    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.

    %(class_weight)s

    %(warm_start)s

    max_norm : float or None, default=None
        If set, after every update each class's weight vector is rescaled to an
        L2 norm of at most ``max_norm`` (a max-norm constraint).

    device : str, default='auto'
        ``'auto'`` (CUDA when available), ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.

    %(training_extras)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights (one row for a binary problem); float32 when fitted on float32 X,
        else float64, as scikit-learn's. The model predicts with ``coef_`` and
        ``intercept_``: assigning them, or editing them in place, changes its
        predictions, and continued training (``warm_start``, ``partial_fit``)
        starts from them. :meth:`sparsify` stores ``coef_`` as a sparse matrix.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).

    %(n_features_in_)s

    %(feature_names_in_)s

    n_iter_ : int
        Number of epochs run by the last call to fit or partial_fit.

    t_ : float
        Number of weight updates (samples seen) plus one, as scikit-learn's:
        ``n_iter_ * n_samples + 1`` after fit, growing by ``n_samples`` with each
        partial_fit.

    loss_ : float or None
        The last epoch's mean loss; None after scikit-learn's compiled loop (see
        ``batch_size``), which does not report it.

    best_loss_ : float or None
        The minimum epoch loss (PyTorch path; inf after the compiled loop, None with
        ``early_stopping=True``).

    loss_curve_ : list of float
        The loss at the end of each epoch (PyTorch path; empty after the compiled
        loop).

    validation_scores_ : list of float or None
        Validation accuracy at each epoch (``early_stopping=True``, PyTorch path;
        empty after the compiled loop).

    best_validation_score_ : float or None
        The best validation accuracy (``early_stopping=True``, PyTorch path).

    out_activation_ : str
        ``activation`` for multiclass problems; 'threshold' or 'logistic' for
        binary ones (a single score).

    module_ : torch.nn.Module
        The trained :class:`sknn.modules.LinearModule`; it holds ``coef_`` and
        ``intercept_`` (in float32) after each fit and before continued training.

    %(history_)s

    See Also
    --------
    sklearn.linear_model.Perceptron : The online perceptron in scikit-learn.
    sklearn.linear_model.LogisticRegression : The logistic / softmax form, solved exactly.
    MLPClassifier : Add hidden layers to learn non-linear boundaries.

    Notes
    -----
    The perceptron convergence theorem (Novikoff, 1962) guarantees that the
    threshold rule finds a separating hyperplane in finitely many updates when the
    classes are linearly separable; when they are not (XOR is the classic case,
    Minsky & Papert, 1969) it never settles. Hidden layers (:class:`MLPClassifier`)
    lift that limit. Training runs in float32 on ``device``; prediction computes the
    scores from ``coef_`` and ``intercept_`` in float64 on the host, as scikit-learn's
    linear models do, so a row's score does not depend on the other rows predicted
    with it.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sknn import PerceptronClassifier
    >>> X, y = make_blobs(n_samples=100, centers=[[-2, -2], [2, 2]], random_state=0)
    >>> clf = PerceptronClassifier(random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    >>> hasattr(clf, "predict_proba")
    False
    >>> PerceptronClassifier(activation="softmax").fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **BackpropEstimator._parameter_constraints,
        "activation": [StrOptions({"threshold", "logistic", "softmax"})],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "batch_size": [
            StrOptions({"auto", "full"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "max_norm": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        activation="threshold",
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        batch_size=1,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        max_norm=None,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
        precision=None,
        compile=False,
    ):
        self.activation = activation
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.max_norm = max_norm
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.precision = precision
        self.compile = compile

    # Sample weights scale each sample's update, as in scikit-learn's Perceptron.
    _weight_normalization = "count"
    # ... and training stops as its SGD loop does (no-improvement count >= n).
    _patience_offset = 1
    # scikit-learn's SGD models refuse a y with one class, with this message.
    _one_class_error = "The number of classes has to be greater than one; got 1 class"

    # ------------------------------------------------------------ base hooks
    def _solver_name(self):
        return "sgd"

    def _optimizer_params(self):
        return {"learning_rate_init": self.eta0, "momentum": 0.0}

    def _lr_schedule(self):
        return LearningRateSchedule()  # a constant eta0, as scikit-learn's Perceptron

    def _l2_alpha(self):
        return 0.0  # the penalty is scikit-learn SGD-style, see _penalty

    def _l1_share(self):
        if self.penalty is None or not self.alpha:
            return 0.0
        return {"l1": 1.0, "l2": 0.0, "elasticnet": float(self.l1_ratio)}[self.penalty]

    def _penalty(self):
        # The L2 part of the penalty enters the loss; the L1 part is a proximal step
        # after each update (see _proximal_l1).
        if self.penalty is None or not self.alpha or self._l1_share() == 1.0:
            return None
        l2 = float(self.alpha) * (1.0 - self._l1_share())

        def term(module):
            return l2 * 0.5 * module.linear.weight.square().sum()

        return term

    def _engine_hooks(self):
        hooks = []
        if self._l1_share():
            threshold = float(self.eta0) * float(self.alpha) * self._l1_share()
            hooks.append(AfterStep(functools.partial(_proximal_l1, threshold=threshold)))
        if self.max_norm is not None:
            hooks.append(AfterStep(functools.partial(_max_norm, max_norm=self.max_norm)))
        return hooks

    def _class_weighting(self, y):
        if self.class_weight is None or y.ndim == 1 or y.shape[1] == 1:
            return super()._class_weighting(y)
        # One-vs-rest multiclass: as in scikit-learn's Perceptron, unit k weighs its
        # own class by class_weight[k] and every other sample by 1.
        return None, self._class_weights(self._class_codes(y))

    def _batch_size(self, n_samples):
        if self.batch_size == "full":
            return n_samples
        return super()._batch_size(n_samples)

    def _build_module(self, n_features, n_outputs, generator):
        return LinearModule(n_features, n_outputs, bias=self.fit_intercept)

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        if getattr(y, "ndim", 1) == 2 and y.shape[1] > 1:
            raise ValueError(
                "PerceptronClassifier does not support multilabel targets; use "
                "MLPClassifier or sklearn.multioutput.MultiOutputClassifier."
            )
        y_enc, n_outputs = super()._encode_y(
            y, first_call=first_call, incremental=incremental, classes=classes
        )
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            raise ValueError("PerceptronClassifier does not support multilabel targets.")
        binary = n_outputs == 1
        self.out_activation_ = (
            ("threshold" if self.activation == "threshold" else "logistic")
            if binary
            else self.activation
        )
        if not binary and self.activation != "softmax":
            y_enc = np.eye(n_outputs, dtype=np.float32)[y_enc]  # one-vs-rest targets
        return y_enc, n_outputs

    def _loss_name(self):
        return {
            "threshold": "perceptron",
            "logistic": "binary_log_loss",
            "softmax": "cross_entropy",
        }[self.out_activation_]

    def _output(self, raw):
        return raw  # the layer's outputs are the scores; see _scores

    # ------------------------------------------------------- the fitted weights
    def _weight_arrays(self, coef, intercept, dtype=np.float64, shape=None):
        """``coef`` and ``intercept`` as dense arrays of shapes ``(n_outputs,
        n_features)`` and ``(n_outputs,)`` (``shape``, by default the model's);
        ValueError if they are not (a binary model's coef may also be
        ``(n_features,)``, and an intercept a scalar)."""
        n_outputs, n_features = shape or (self.n_outputs_, self.n_features_in_)
        if sp.issparse(coef):
            coef = coef.toarray()
        coef = np.array(coef, dtype=dtype)  # a copy: training writes into it
        if coef.shape != (n_outputs, n_features) and not (
            n_outputs == 1 and coef.shape == (n_features,)
        ):
            raise ValueError(
                f"coef has shape {coef.shape}; this model's is {(n_outputs, n_features)}."
            )
        intercept = np.array(0.0 if intercept is None else intercept, dtype=dtype)
        if intercept.shape not in ((n_outputs,), ()):
            raise ValueError(
                f"intercept has shape {intercept.shape}; this model's is {(n_outputs,)}."
            )
        if intercept.ndim == 0:
            intercept = np.full(n_outputs, intercept, dtype=dtype)
        return coef.reshape(n_outputs, n_features), intercept

    def _module_weights(self, dtype=np.float64):
        """The module's weights as ``(coef, intercept)`` arrays (copies)."""
        linear = self.module_.linear
        coef = linear.weight.detach().cpu().numpy().astype(dtype)
        if linear.bias is None:
            return coef, np.zeros(len(coef), dtype=dtype)
        return coef, linear.bias.detach().cpu().numpy().astype(dtype)

    def _load_weights(self, module, weights):
        """Copy ``(coef, intercept)`` into ``module`` (on whatever device it is)."""
        coef, intercept = weights
        linear = module.linear
        with torch.no_grad():
            linear.weight.copy_(torch.as_tensor(np.asarray(coef, dtype=np.float32)))
            if linear.bias is not None:
                linear.bias.copy_(torch.as_tensor(np.asarray(intercept, dtype=np.float32)))

    # The torch path starts a new module from ``coef_init``, if fit was given one.
    def _initial_weights(self, X, continuing):
        return getattr(self, "_coef_init", None)

    def _load_initial_weights(self, module, weights):
        shape = tuple(module.linear.weight.shape)
        self._load_weights(module, self._weight_arrays(*weights, shape=shape))

    # -------------------------------------------------------------- predicting
    def _scores(self, X, weights=None):
        """``X @ coef.T + intercept`` in float64, in bounded row chunks, with the
        fitted ``coef_`` and ``intercept_`` unless ``weights`` are given.

        Computed on the host in float64, as scikit-learn's linear models do, rather
        than by a float32 forward pass: a float32 product depends on how many rows
        are in the batch (BLAS blocking) by ~1e-6, so a row's score would change
        with the rows predicted alongside it.
        """
        coef, intercept = self._weight_arrays(
            *(weights if weights is not None else (self.coef_, self.intercept_))
        )
        coef_t = torch.from_numpy(coef.T)
        intercept = torch.from_numpy(intercept)
        return apply_batched(
            lambda xb: torch.addmm(intercept, xb.double(), coef_t),
            X,
            self._predict_batch_size,
            torch.device("cpu"),
        )

    def _indices(self, X, weights=None):
        scores = self._scores(X, weights)
        if scores.shape[1] == 1:
            return (scores[:, 0] > 0).astype(np.int64)
        return scores.argmax(axis=1)

    def _predict_codes(self, X):
        return self._indices(X)

    def _stratify_labels(self, y):
        # scikit-learn's SGD models stratify their validation split by class.
        return self._class_codes(y)

    def _validation_score(self, X, y, sample_weight):
        # During training: the module's current weights, not the fitted coef_.
        y = self._class_codes(y)
        pred = self._indices(X, self._module_weights())
        return np.average(pred == y, weights=sample_weight)

    def predict(self, X):
        """Predict class labels for samples in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        X = self._validate_predict_X(X)
        return self.classes_[self._indices(X)]

    def decision_function(self, X):
        """Class scores ``X @ coef_.T + intercept_``.

        Computed in float64; returned in float32 when both X and ``coef_`` are
        float32, as scikit-learn's.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For a binary problem, the score of ``classes_[1]``; positive means that
            class is predicted.
        """
        X = self._validate_predict_X(X)
        scores = self._scores(X)
        if X.dtype == np.float32 and self.coef_.dtype == np.float32:
            scores = scores.astype(np.float32)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def _is_probabilistic(self):
        if self.activation == "threshold":
            raise AttributeError(
                "predict_proba is not available when activation='threshold': the "
                "perceptron rule gives no probabilities; use activation='logistic' or "
                "'softmax'."
            )
        return True

    @available_if(_is_probabilistic)
    def predict_proba(self, X):
        """Probability estimates (``activation`` 'logistic' or 'softmax' only).

        One-vs-rest logistic scores are normalised to sum to one, as scikit-learn's
        one-vs-rest logistic regression does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``.
        """
        X = self._validate_predict_X(X)
        scores = self._scores(X)
        if scores.shape[1] == 1:
            return np.hstack([expit(-scores), expit(scores)])
        if self.out_activation_ == "softmax":
            return softmax(scores, axis=1)
        proba = expit(scores)
        return proba / proba.sum(axis=1, keepdims=True)

    predict_log_proba = available_if(_is_probabilistic)(NeuralClassifierMixin.predict_log_proba)

    # --------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels.
        coef_init : ndarray of shape (n_classes, n_features), default=None
            The initial coefficients to warm-start the optimization (one row, or
            shape (n_features,), for a binary problem).
        intercept_init : ndarray of shape (n_classes,), default=None
            The initial intercept to warm-start the optimization.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; each multiplies its sample's update, as in
            scikit-learn's :class:`~sklearn.linear_model.Perceptron`.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(X, y, sample_weight, incremental=False, init=(coef_init, intercept_init))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over ``X, y``, from the current ``coef_`` and ``intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._train(X, y, sample_weight, incremental=True, classes=classes)

    def _train(self, X, y, sample_weight, *, incremental, classes=None, init=(None, None)):
        """Train by scikit-learn's compiled loop or by PyTorch (see sknn._online);
        either way ``coef_``, ``intercept_``, ``n_iter_`` and ``t_`` end up set as
        scikit-learn's, and the module holds the weights."""
        continuing = self._is_fitted() and (self.warm_start or incremental)
        t_before = getattr(self, "t_", 1.0) if incremental and continuing else 1.0
        if compiled_loop_applies(self, resolve_device(self.device)):
            try:
                return self._fit_compiled(X, y, sample_weight, incremental, classes, init)
            except CompiledLoopOverflow:
                pass  # the PyTorch path keeps the last finite weights and warns
        dtype = input_float_dtype(X)
        if continuing:  # continue from coef_ as it is now (it may have been edited)
            start = init if init[0] is not None else (self.coef_, self.intercept_)
            self._load_weights(self.module_, self._weight_arrays(*start))
        elif init[0] is not None:
            self._coef_init = init  # read by _initial_weights when the module is built
        try:
            self._fit(X, y, sample_weight, incremental=incremental, classes=classes)
        finally:
            vars(self).pop("_coef_init", None)
        self.coef_, self.intercept_ = self._module_weights(dtype)
        self.t_ = float(t_before + self.n_iter_ * np.shape(X)[0])  # X passed validation
        return self

    def _fit_compiled(self, X, y, sample_weight, incremental, classes, init):
        """The classic online perceptron: scikit-learn's Perceptron trains, and its
        weights become this model's (sknn._online)."""
        first_call = not self._is_fitted() or (not self.warm_start and not incremental)
        self._check_params()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            multi_output=True,
            reset=first_call,
        )
        y_enc, n_outputs = self._encode_y(
            y, first_call=first_call, incremental=incremental, classes=classes
        )
        codes = self._class_codes(y_enc)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        class_weight = None if self.class_weight is None else self._class_weights(codes)
        start = None
        if init[0] is not None or not first_call:
            coef, intercept = init if init[0] is not None else (self.coef_, self.intercept_)
            shape = (n_outputs, X.shape[1])
            coef, intercept = self._weight_arrays(coef, intercept, X.dtype, shape)
            start = (coef, intercept, getattr(self, "t_", 1.0))
        device, seed = self._start_fit(first_call)
        try:
            model = run_sklearn_perceptron(
                self,
                X,
                codes,
                len(self.classes_),
                sample_weight,
                class_weight,
                seed,
                incremental=incremental,
                start=start,
            )
            coef, intercept, n_iter, t = model.coef_, model.intercept_, model.n_iter_, model.t_
        except KeyboardInterrupt:
            self._warn_interrupted(
                " (the compiled loop stopped; the weights this call started from were kept)"
            )
            zeros = np.zeros((n_outputs, X.shape[1]), X.dtype), np.zeros(n_outputs, X.dtype)
            coef, intercept = start[:2] if start is not None else zeros
            n_iter, t = 0, start[2] if start is not None and incremental else 1.0
        if first_call:
            self._unit_weights = self._class_weighting(y_enc)[1]  # for the PyTorch path
            self._initialize(X, n_outputs, seed, device)
        else:
            for name, value in TrainingRecord.start(self.early_stopping).attributes().items():
                setattr(self, name, value)
        self.coef_, self.intercept_ = np.array(coef), np.array(intercept)
        self.n_iter_, self.t_ = int(n_iter), float(t)
        self._load_weights(self.module_, (self.coef_, self.intercept_))
        self.module_.eval()
        return self

    def _report(self, record, restored_best, incremental):
        """Warn about how a PyTorch fit ended, as scikit-learn's Perceptron does."""
        if record.diverged:
            self._warn_diverged(
                f"at epoch {self.n_iter_ + 1} (loss is NaN or inf)",
                f"the weights of epoch {self.n_iter_}",
                "Lower eta0 or scale the inputs.",
            )
        if record.interrupted:
            best = "; the best weights so far were restored" if restored_best else ""
            self._warn_interrupted(f"{best} (after {self.n_iter_} epoch(s))")
        if record.interrupted or record.diverged or incremental:
            return
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider "
                "increasing max_iter to improve the fit.",
                ConvergenceWarning,
            )

    # ------------------------------------------------- SparseCoefMixin's methods
    def densify(self):
        """Convert a sparse ``coef_`` (see :meth:`sparsify`) to a dense array.

        Returns
        -------
        self : object
            The estimator.
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before densifying.")
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    def sparsify(self):
        """Store ``coef_`` as a scipy.sparse CSR matrix.

        Worth it when most weights are zero (e.g. after an L1 penalty); prediction
        uses it as it is, and :meth:`densify` converts it back.

        Returns
        -------
        self : object
            The estimator.
        """
        check_is_fitted(self, msg="Estimator, %(name)s, must be fitted before sparsifying.")
        self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def __setstate__(self, state):
        super().__setstate__(state)
        # Saved by sknn 0.1.0: no n_jobs parameter, coef_ read from the module.
        vars(self).setdefault("n_jobs", None)
        if self._is_fitted() and "coef_" not in vars(self):
            self.coef_, self.intercept_ = self._module_weights()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
