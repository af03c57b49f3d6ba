"""The comparison job: sknn's estimators cross-validated next to scikit-learn baselines.

:func:`compare` is also ``sknn.compare``, and ``python -m sknn compare`` (installed as
``sknn-compare``) runs it from the shell. One job per file:

* ``_job.py``: :func:`compare`, the cross-validation itself, and the summary
  (:func:`summarize`) and ranks (:func:`rank_table`) of its fold results;
* ``_stats.py``: the tests (:func:`corrected_resampled_ttest`, :func:`rank_models`,
  :func:`holm`);
* ``_store.py``: fold results on disk, so that an interrupted run resumes;
* ``_models.py``: the models and baselines it runs (:data:`MODEL_DESCRIPTIONS`);
* ``_report.py``: the results as Markdown tables and as figures;
* ``_cli.py``: the command line (options, terminal table, output files);
* ``datasets.py``: the data loaders, also importable as ``sknn.datasets``.
"""

import importlib

#: Where each public name lives; a submodule is imported on first use of one of its
#: names, so ``import sknn`` (and ``sknn.datasets``) do not import the job's
#: scikit-learn models and model selection.
_SUBMODULE = {
    "COLLECTIONS": ".datasets",
    "DATASETS": ".datasets",
    "FOLD_COLUMNS": "._job",
    "MODELS": "._models",
    "MODEL_DESCRIPTIONS": "._models",
    "compare": "._job",
    "corrected_resampled_ttest": "._stats",
    "holm": "._stats",
    "load_dataset": ".datasets",
    "plot_ranks": "._report",
    "plot_table": "._report",
    "rank_markdown": "._report",
    "rank_models": "._stats",
    "rank_table": "._job",
    "summarize": "._job",
    "to_markdown": "._report",
}

__all__ = sorted(_SUBMODULE)


def __getattr__(name):
    if name in _SUBMODULE:
        value = getattr(importlib.import_module(_SUBMODULE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
