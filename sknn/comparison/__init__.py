"""The comparison job: sknn's estimators cross-validated next to scikit-learn baselines.

:func:`compare` is also ``sknn.compare``, and ``python -m sknn compare`` (installed as
``sknn-compare``) runs it from the shell. One job per file:

* ``_job.py``: :func:`compare`, the cross-validation itself;
* ``_models.py``: the models and baselines it runs (:data:`MODEL_DESCRIPTIONS`);
* ``_report.py``: the results as a Markdown table and as a figure;
* ``_cli.py``: the command line (options, terminal table, output files);
* ``datasets.py``: the data loaders, also importable as ``sknn.datasets``.
"""

import importlib

#: Where each public name lives; a submodule is imported on first use of one of its
#: names, so ``import sknn`` (and ``sknn.datasets``) do not import the job's
#: scikit-learn models and model selection.
_SUBMODULE = {
    "DATASETS": ".datasets",
    "MODELS": "._models",
    "MODEL_DESCRIPTIONS": "._models",
    "compare": "._job",
    "load_dataset": ".datasets",
    "plot_table": "._report",
    "to_markdown": "._report",
}

__all__ = [
    "DATASETS",
    "MODELS",
    "MODEL_DESCRIPTIONS",
    "compare",
    "load_dataset",
    "plot_table",
    "to_markdown",
]


def __getattr__(name):
    if name in _SUBMODULE:
        value = getattr(importlib.import_module(_SUBMODULE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
