"""The models of :func:`sknn.compare`: their names, what each fits, and their pipelines."""

from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

__all__ = ["MODELS", "MODEL_DESCRIPTIONS", "SEQUENCE_MODELS", "TEXT_MODELS", "build"]

#: Names accepted by ``models=`` / ``--models``, with what each one fits.
MODEL_DESCRIPTIONS = {
    "sknn-mlp": "StandardScaler + sknn.MLPClassifier, one hidden layer of 100",
    "sknn-mlp-dropout": "StandardScaler + sknn.MLPClassifier, 256 hidden units, dropout 0.2",
    "sknn-perceptron": "StandardScaler + sknn.PerceptronClassifier (softmax)",
    "sknn-convnet": "sknn.ConvNetClassifier (images: StandardScaler, 2-D convolutions, "
    "early stopping; time series: 1-D convolutions; text: TextSequencer + its default "
    "text CNN, Kim 2014)",
    "sknn-rnn": "sknn.RNNClassifier, a GRU of 32 units (time series: one value per step; "
    "text: TextSequencer + 16-dimensional word embeddings)",
    "sknn-rbm-logreg": "MinMaxScaler(clip=True) + sknn.RBMTransformer (100 units) "
    "+ LogisticRegression",
    "sknn-autoencoder-svc": "StandardScaler + sknn.AutoencoderTransformer + SVC",
    "sklearn-mlp": "StandardScaler + sklearn MLPClassifier, one hidden layer of 100",
    "svc": "StandardScaler + SVC (RBF kernel)",
    "logreg": "StandardScaler + LogisticRegression",
    "tfidf-logreg": "text: TfidfVectorizer (words and word pairs) + LogisticRegression",
    "tfidf-linearsvc": "text: TfidfVectorizer (words and word pairs) + LinearSVC",
    "minirocket": "time series: sktime's MiniRocket features + StandardScaler "
    "+ RidgeClassifierCV (needs sktime)",
}

#: The models that read text (the others need numeric rows), and those that need
#: sequences (time series or text).
TEXT_MODELS = ("sknn-rnn", "sknn-convnet", "tfidf-logreg", "tfidf-linearsvc")
SEQUENCE_MODELS = ("sknn-rnn", "sknn-convnet")
MODELS = tuple(MODEL_DESCRIPTIONS)


def build(name, *, max_iter, seed, device, kind, image_shape, n_features, proba):
    """The unfitted pipeline of model ``name``, or ``(None, reason)`` when it does not fit."""
    from .._autoencoder import AutoencoderTransformer
    from .._mlp import MLPClassifier
    from .._perceptron import PerceptronClassifier

    nn = dict(max_iter=max_iter, random_state=seed, device=device)
    if (kind == "text") != (name in TEXT_MODELS) and name not in SEQUENCE_MODELS:
        what = "text" if kind == "text" else "numeric rows"
        return None, f"{name} skipped: it does not read {what}"
    if name == "sknn-rnn":
        return _rnn(kind, nn)
    if name == "minirocket":
        return _minirocket(kind, seed)
    if name in ("tfidf-logreg", "tfidf-linearsvc"):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        clf = LogisticRegression(max_iter=1000) if name == "tfidf-logreg" else LinearSVC()
        return make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), clf), None
    scaled = [StandardScaler()]
    if name == "sknn-mlp":
        return make_pipeline(*scaled, MLPClassifier(hidden_layer_sizes=(100,), **nn)), None
    if name == "sknn-mlp-dropout":
        clf = MLPClassifier(hidden_layer_sizes=(256,), dropout=0.2, **nn)
        return make_pipeline(*scaled, clf), None
    if name == "sknn-perceptron":
        clf = PerceptronClassifier(activation="softmax", batch_size=32, **nn)
        return make_pipeline(*scaled, clf), None
    if name == "sknn-convnet":
        return _convnet(kind, image_shape, nn)
    if name == "sknn-rbm-logreg":
        return _rbm_logreg(max_iter, seed, device), None
    if name == "sknn-autoencoder-svc":
        n_components = int(max(2, min(32, n_features // 2)))
        ae = AutoencoderTransformer(n_components=n_components, hidden_layer_sizes=(128,), **nn)
        return make_pipeline(*scaled, ae, _svc(proba, seed)), None
    if name == "sklearn-mlp":
        clf = SkMLPClassifier(hidden_layer_sizes=(100,), max_iter=max_iter, random_state=seed)
        return make_pipeline(*scaled, clf), None
    if name == "svc":
        return make_pipeline(*scaled, _svc(proba, seed)), None
    if name == "logreg":
        return make_pipeline(*scaled, LogisticRegression(max_iter=1000)), None
    raise ValueError(name)  # pragma: no cover - names are checked before


def _convnet(kind, image_shape, nn):
    """``sknn-convnet``: 2-D convolutions on images, 1-D on series, the text CNN on
    text; ``(None, reason)`` on tabular data."""
    from .._convnet import ConvNetClassifier

    if kind == "image":
        clf = ConvNetClassifier(
            input_shape=image_shape,
            channels=(16, 32),
            hidden_layer_sizes=(64,),
            early_stopping=True,
            **nn,
        )
        return make_pipeline(StandardScaler(), clf), None
    if kind == "series":  # UCR series come z-normalised; 1-D convolution, global pooling
        clf = ConvNetClassifier(
            conv_dim=1,
            channels=(16, 32, 32),
            kernel_size=(7, 5, 3),
            pooling=None,
            hidden_layer_sizes=(),
            **nn,
        )
        return make_pipeline(clf), None
    if kind == "text":  # token ids select the convnet's text path (its defaults)
        from .._text import TextSequencer

        return make_pipeline(TextSequencer(), ConvNetClassifier(**nn)), None
    return None, (
        "sknn-convnet skipped: it needs images, time series or text, and the data are "
        "tabular (pass image_shape= to compare(), or pick an image or UCR dataset)"
    )


def _rnn(kind, nn):
    """``sknn-rnn``: a GRU over time series (one value per step) or over word ids."""
    from .._rnn import RNNClassifier
    from .._text import TextSequencer

    rnn = dict(cell="gru", hidden_size=32, batch_size=32, learning_rate_init=0.01, **nn)
    if kind == "series":  # UCR series come z-normalised
        return make_pipeline(RNNClassifier(**rnn)), None
    if kind == "text":
        return make_pipeline(TextSequencer(), RNNClassifier(embedding_dim=16, **rnn)), None
    return None, (
        "sknn-rnn skipped: it needs time series or text, and the data are "
        f"{'images' if kind == 'image' else 'tabular'}"
    )


def _minirocket(kind, seed):
    """``minirocket``: the time-series baseline of Dempster et al. (2021), as sktime's
    ``RocketClassifier`` builds it (scaled features, ridge with 10 alphas)."""
    import numpy as np
    from sklearn.linear_model import RidgeClassifierCV

    from ._minirocket import MiniRocketFeatures, sktime_installed

    if kind != "series":
        return None, "minirocket skipped: it needs time series"
    if not sktime_installed():
        return None, "minirocket skipped: it needs the 'sktime' package (pip install sktime)"
    ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
    features = MiniRocketFeatures(random_state=seed)
    return make_pipeline(features, StandardScaler(with_mean=False), ridge), None


def _rbm_logreg(max_iter, seed, device):
    """``sknn-rbm-logreg``: RBM features (visible units in [0, 1]) + LogisticRegression."""
    from .._rbm import RBMTransformer

    rbm = RBMTransformer(
        n_components=100,
        learning_rate=0.05,
        batch_size=20,
        n_iter=min(max_iter, 20),
        random_state=seed,
        device=device,
    )
    return make_pipeline(MinMaxScaler(clip=True), rbm, LogisticRegression(C=100.0, max_iter=1000))


def _svc(proba, seed):
    """SVC, calibrated by cross-validation when the metric needs probabilities."""
    if not proba:
        return SVC()
    from sklearn.calibration import CalibratedClassifierCV

    # SVC(probability=True) is deprecated from scikit-learn 1.9 in favour of this.
    return CalibratedClassifierCV(SVC(random_state=seed), ensemble=False)
