"""sknn: scikit-learn estimators for classic neural networks, trained with PyTorch."""

from ._autoencoder import AutoencoderTransformer
from ._base import TrainingDivergedWarning
from ._convnet import ConvNetClassifier, ConvNetRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._perceptron import PerceptronClassifier
from ._persistence import skops_trusted_types
from ._rbm import RBMTransformer
from ._rnn import RNNClassifier, RNNRegressor
from ._text import TextSequencer
from ._version import __version__


def __getattr__(name):
    # The comparison job (scikit-learn's model selection, its baselines) is
    # imported on first use of ``sknn.compare``, not by ``import sknn``.
    if name == "compare":
        from .comparison import compare

        return compare
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"compare"})

__all__ = [
    "AutoencoderTransformer",
    "ConvNetClassifier",
    "ConvNetRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "PerceptronClassifier",
    "RBMTransformer",
    "RNNClassifier",
    "RNNRegressor",
    "TextSequencer",
    "TrainingDivergedWarning",
    "compare",
    "skops_trusted_types",
    "__version__",
]
