"""The data sets of :func:`sknn.compare`: a re-export of :mod:`sknn.comparison.datasets`.

``sknn.datasets`` is the documented public name; the loaders live in
``sknn/comparison/datasets.py`` (see there). Other names of that module, such as
``FASHION_MNIST_DIRS``, read through here too; to change one, set it on
``sknn.comparison.datasets``.
"""

from .comparison import datasets as _datasets
from .comparison.datasets import *  # noqa: F403 - the names of its __all__
from .comparison.datasets import __all__  # noqa: F401


def __getattr__(name):
    return getattr(_datasets, name)
