"""The comparison job: sknn's estimators cross-validated next to scikit-learn baselines.

:func:`compare` is also ``sknn.compare``, and ``python -m sknn compare`` (installed as
``sknn-compare``) runs it from the shell. One job per file:

* ``_job.py``: :func:`compare`, the cross-validation itself;
* ``_models.py``: the models and baselines it runs (:data:`MODEL_DESCRIPTIONS`);
* ``_report.py``: the results as a Markdown table and as a figure;
* ``_cli.py``: the command line (options, terminal table, output files);
* ``datasets.py``: the data loaders, also importable as ``sknn.datasets``.
"""

from ._job import compare
from ._models import MODEL_DESCRIPTIONS, MODELS
from ._report import plot_table, to_markdown
from .datasets import DATASETS, load_dataset

__all__ = [
    "DATASETS",
    "MODELS",
    "MODEL_DESCRIPTIONS",
    "compare",
    "load_dataset",
    "plot_table",
    "to_markdown",
]
