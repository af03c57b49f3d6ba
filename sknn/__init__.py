"""sknn: scikit-learn estimators for classic neural networks, trained with PyTorch.

The public names are imported on first use (PEP 562), so ``import sknn`` itself
loads neither torch nor scikit-learn: ``python -m sknn --help`` and
``sknn.__version__`` stay cheap. ``from sknn import MLPClassifier`` (or
``sknn.MLPClassifier``) imports what that estimator needs, torch and
scikit-learn's base classes included.
"""

import importlib

from ._version import __version__

#: public name -> the submodule that defines it
_SOURCES = {
    "AutoencoderTransformer": "._autoencoder",
    "ConvNetClassifier": "._convnet",
    "ConvNetRegressor": "._convnet",
    "MLPClassifier": "._mlp",
    "MLPRegressor": "._mlp",
    "PerceptronClassifier": "._perceptron",
    "RBMTransformer": "._rbm",
    "RNNClassifier": "._rnn",
    "RNNRegressor": "._rnn",
    "TextSequencer": "._text",
    "TrainingDivergedWarning": "._base",
    "skops_trusted_types": "._persistence",
    # the comparison job (scikit-learn's model selection, its baselines)
    "compare": ".comparison",
}


def __getattr__(name):
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_SOURCES))


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
