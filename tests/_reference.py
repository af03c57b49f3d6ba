"""Independent NumPy references the tests compare the estimators with.

Written from the formulas, not from sknn's code: an activation swapped, an
option ignored or a pooling changed in sknn makes its output differ from these.
"""

import numpy as np
from scipy.special import erf, expit

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

#: activation name -> f(z), float64
ACTIVATIONS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))),
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),  # exact (erf) form
    "silu": lambda z: z * expit(z),
    "softplus": lambda z: np.logaddexp(0.0, z),
}


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def as_float64(tensor):
    """A fitted torch parameter as a float64 NumPy array."""
    return tensor.detach().cpu().double().numpy()


def conv2d_same(x, weight, bias):
    """Stride-1 2-D convolution (cross-correlation) with odd kernels and zero
    padding that keeps the size: x (n, c, h, w), weight (o, c, k, k)."""
    k = weight.shape[-1]
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    return np.einsum("nchwij,ocij->nohw", windows, weight) + bias[None, :, None, None]


def pool2d(x, kind, size=2):
    """Non-overlapping ``size`` x ``size`` max or average pooling (sizes divisible)."""
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // size, size, w // size, size)
    return blocks.max(axis=(3, 5)) if kind == "max" else blocks.mean(axis=(3, 5))
