"""Plain PyTorch modules used by sknn's estimators.

Nothing here imports scikit-learn or works with NumPy: each module takes explicit
sizes and returns raw outputs (logits or values); losses live with the estimators.
"""

from ._activations import ACTIVATIONS, get_activation
from ._autoencoder import AutoencoderModule
from ._convnet import ConvNetModule, RandomShiftFlip, ResidualBlock, init_conv_
from ._init import WEIGHT_INITS, init_linear_
from ._linear import LinearModule
from ._losses import LOSSES, SampleLoss
from ._mlp import MLPModule
from ._precision import Float64Copy, float64_call
from ._rbm import DBNModule, RBMModule
from ._rnn import RNNModule
from ._textcnn import TextConvNetModule

__all__ = [
    "ACTIVATIONS",
    "AutoencoderModule",
    "Float64Copy",
    "ConvNetModule",
    "LOSSES",
    "LinearModule",
    "SampleLoss",
    "WEIGHT_INITS",
    "MLPModule",
    "DBNModule",
    "RBMModule",
    "RNNModule",
    "RandomShiftFlip",
    "ResidualBlock",
    "TextConvNetModule",
    "float64_call",
    "get_activation",
    "init_conv_",
    "init_linear_",
]
