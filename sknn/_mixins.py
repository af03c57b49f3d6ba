"""What classifiers and regressors add to the backprop base: targets, outputs
and ``predict``.

:class:`NeuralClassifierMixin` encodes labels (any type; binary and multilabel
targets as logistic outputs, multiclass as a softmax), applies ``class_weight``
and gives ``predict``/``predict_proba``; :class:`NeuralRegressorMixin` gives
``predict`` and the Poisson check. Each estimator family combines one of them with
its base, e.g. ``class MLPClassifier(NeuralClassifierMixin, _BaseMLP)``.
"""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import _num_samples, column_or_1d

__all__ = ["NeuralClassifierMixin", "NeuralRegressorMixin"]


def _check_classification_targets(y):
    """scikit-learn's ``check_classification_targets(y)``, returning the type of
    target it computed (so that it is computed once a fit)."""
    y_type = type_of_target(y, input_name="y")
    if y_type not in _CLASSIFICATION_TYPES:
        check_classification_targets(y)  # its error
    elif "multiclass" in y_type and _num_samples(y) > 20:
        # its warning when most labels are distinct
        if not (_labels_array(y) and len(np.unique(y)) <= round(0.5 * len(y))):
            check_classification_targets(y)
    return y_type


def _labels_array(y):
    """Whether y is a 1-d array of numbers, booleans or strings (NumPy compares and
    sorts them as scikit-learn's label functions do)."""
    return isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "biufU"


def _default_binarizer(lb):
    return (
        type(lb) is LabelBinarizer
        and lb.neg_label == 0
        and lb.pos_label == 1
        and not lb.sparse_output
    )


_CLASSIFICATION_TYPES = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


def _fit_binarizer(lb, y, y_type):
    """``lb.fit(y)`` for a plain LabelBinarizer and a 1-d array of labels, given
    ``y_type = type_of_target(y)``: the same fitted state without computing the
    type twice more (``fit`` and ``unique_labels`` each call ``type_of_target``)."""
    if not (
        _default_binarizer(lb)
        and _labels_array(y)
        and len(y)
        and y_type in ("binary", "multiclass")
    ):
        lb.fit(y)
        return
    lb.y_type_ = y_type
    lb.sparse_input_ = False
    lb.classes_ = unique_labels(y, ys_types={"multiclass"})


def _binarize(lb, y):
    """``lb.transform(y)`` as float32 for labels ``y`` of ``lb.classes_``; binary 1-d
    labels directly (``transform`` costs about a millisecond)."""
    if _default_binarizer(lb) and lb.y_type_ == "binary" and _labels_array(y):
        if len(lb.classes_) == 1:  # transform's one-class case: all negative
            return np.zeros((len(y), 1), dtype=np.float32)
        if len(lb.classes_) == 2:
            return (y == lb.classes_[1]).astype(np.float32).reshape(-1, 1)
    return lb.transform(y).astype(np.float32)


class NeuralClassifierMixin(ClassifierMixin):
    """Label encoding, ``predict``/``predict_proba`` and ``class_weight``.

    Binary and multilabel targets use one logistic output per label (as
    scikit-learn's MLP does), multiclass targets a softmax over the classes.
    Any label type works: strings, booleans, non-contiguous integers.
    """

    _y_numeric = False
    _label_binarizer_cls = LabelBinarizer
    #: The error for a y with one class; None accepts it as scikit-learn's MLP
    #: does (every prediction is that class).
    _one_class_error = None

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        y_type = _check_classification_targets(y)
        if incremental and not hasattr(self, "classes_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if incremental and classes is not None and hasattr(self, "classes_"):
            if not np.array_equal(self.classes_, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to "
                    f"partial_fit, was: {self.classes_!r}"
                )
        if first_call and not (incremental and hasattr(self, "classes_")):
            lb = self._label_binarizer_cls()
            if incremental and y_type.startswith("multilabel"):
                lb.fit(y)
            elif incremental:
                lb.fit(np.asarray(classes))
            else:
                _fit_binarizer(lb, y, y_type)
            if len(lb.classes_) < 2 and self._one_class_error is not None:
                raise ValueError(self._one_class_error)
            self._label_binarizer = lb
            self.classes_ = lb.classes_
        if incremental or not first_call:
            seen = unique_labels(y)
            if self.warm_start and not incremental:
                if set(seen) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {seen}"
                    )
            elif len(np.setdiff1d(seen, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {seen}."
                )
        lb = self._label_binarizer
        if lb.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
            codes = np.searchsorted(self.classes_, y).astype(np.int64)
            return codes, len(self.classes_)
        self.out_activation_ = "logistic"
        Y = _binarize(lb, y)
        return Y, Y.shape[1]

    def _stratify_labels(self, y):
        # As scikit-learn's MLP: stratified exactly when there is one output (binary
        # targets, as booleans, so a split error names the class 'True'); its
        # multiclass targets are one-hot rows, never stratified.
        return y.astype(bool) if self.n_outputs_ == 1 else None

    def _loss_name(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "cross_entropy"
        return "binary_log_loss"

    def _class_codes(self, y):
        """Class indices of encoded targets (int codes, (n, 1) indicator or one-hot)."""
        if y.ndim == 1:
            return y
        return y[:, 0].astype(np.int64) if y.shape[1] == 1 else y.argmax(1)

    def _class_weights(self, codes):
        """Weight of each class in ``classes_`` order from ``class_weight``."""
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            unknown = set(class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has labels {sorted(unknown, key=str)} that are not in "
                    f"classes_ {self.classes_.tolist()}."
                )
            return np.array(
                [class_weight.get(c, 1.0) for c in self.classes_.tolist()], dtype=np.float64
            )
        return compute_class_weight(class_weight, classes=np.arange(len(self.classes_)), y=codes)

    def _class_weighting(self, y):
        if self.class_weight is None:
            return None, None
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets.")
        codes = self._class_codes(y)
        return self._class_weights(codes)[codes], None

    def _output(self, raw):
        if self.out_activation_ == "softmax":
            return torch.softmax(raw, dim=1)
        return torch.sigmoid(raw)

    def _validation_score(self, X, y, sample_weight):
        from sklearn.metrics import accuracy_score  # not at ``import sknn``

        return accuracy_score(y, self._predict_codes(X), sample_weight=sample_weight)

    def _predict_codes(self, X):
        """Predictions in the encoded space used for training (indices / indicators)."""
        proba = self._forward(X)
        if self.out_activation_ == "softmax":
            return proba.argmax(axis=1)
        return (proba > 0.5).astype(np.float32)

    def predict(self, X):
        """Predict class labels for samples in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (an indicator matrix for multilabel targets).
        """
        X = self._validate_predict_X(X)
        codes = self._predict_codes(X)
        if self.out_activation_ == "softmax":
            return self.classes_[codes]
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, len(codes))
        if self._label_binarizer.y_type_ == "binary":
            return self.classes_[codes[:, 0].astype(np.int64)]
        return self._label_binarizer.inverse_transform(codes)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``. Binary problems give
            two columns; multilabel problems one independent probability per label.
        """
        X = self._validate_predict_X(X)
        proba = self._forward(X).astype(np.float64)
        if self._label_binarizer.y_type_ == "binary":
            proba = np.hstack([1.0 - proba, proba])
        elif self.out_activation_ == "softmax":
            # A float32 softmax sums to 1 only to ~1e-7; metrics such as log_loss
            # check the sums in float64.
            proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NeuralRegressorMixin(RegressorMixin):
    """Targets, output activation and ``predict`` for regressors."""

    _y_numeric = True

    def _encode_y(self, y, *, first_call, incremental, classes=None):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self._loss_name() == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson regression."
            )
        if first_call:
            self._y_1d = y.ndim == 1
        y = y.reshape(len(y), -1).astype(np.float32)
        if not first_call and y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} output(s) but the model was fitted with {self.n_outputs_}."
            )
        self.out_activation_ = "exp" if self._loss_name() == "poisson" else "identity"
        return y, y.shape[1]

    def _output(self, raw):
        return torch.exp(raw) if self.out_activation_ == "exp" else raw

    def _validation_score(self, X, y, sample_weight):
        from sklearn.metrics import r2_score  # not at ``import sknn``

        return r2_score(y, self._forward(X), sample_weight=sample_weight)

    def predict(self, X):
        """Predict using the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        X = self._validate_predict_X(X)
        # X's float dtype combined with the fit's, as scikit-learn's MLP computes.
        out = self._forward(X).astype(np.result_type(X.dtype, self._fit_dtype), copy=False)
        return out.ravel() if self._y_1d else out


class TokenDefaultsMixin:
    """The training parameters whose ``'auto'`` value depends on whether X holds
    token ids (``_tokens()``), shared by the convnets and the RNNs: each class
    gives ``_auto_learning_rate`` and ``_auto_batch_size`` ({False: numbers, True:
    token ids}); ``tol`` and ``n_iter_no_change`` follow
    ``utils._tokens.AUTO_STOPPING``."""

    def _learning_rate_init(self):
        if isinstance(self.learning_rate_init, str):  # 'auto'
            return self._auto_learning_rate[self._tokens()]
        return self.learning_rate_init

    def _optimizer_params(self):
        return {**super()._optimizer_params(), "learning_rate_init": self._learning_rate_init()}

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(self._auto_batch_size[self._tokens()], n_samples)
        return super()._batch_size(n_samples)

    def _stopping(self):
        """``tol`` and ``n_iter_no_change`` with 'auto' resolved: the text values of
        ``utils._tokens.AUTO_STOPPING`` for a classifier with a stochastic solver on
        token ids. (A regressor's loss is in the units of y squared, so an absolute
        0.01 could stop a fit on small-valued targets at once: regressors keep
        scikit-learn's values.)"""
        from sklearn.base import is_classifier

        from .utils._tokens import resolve_stopping

        tokens = self._tokens() and self._solver_name() != "lbfgs" and is_classifier(self)
        return resolve_stopping(super()._stopping(), tokens)
