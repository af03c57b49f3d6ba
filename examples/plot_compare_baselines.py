"""
Neural nets against SVM and logistic-regression baselines on digits
===================================================================

The comparison a new user runs first, from Python (for example in a notebook):
:func:`sknn.compare` cross-validates the sknn estimators next to scikit-learn's
``MLPClassifier``, ``SVC`` and ``LogisticRegression`` on the bundled digits data (no
download), each in a pipeline with its own scaling, and returns a table of the
metric's mean and standard deviation over the folds, with fit and predict times
per fold, and each model's difference to the best baseline with its confidence
interval and the corrected resampled t-test's p-value (the folds share training
rows, so the plain t-test would be too eager). The same job runs from the shell as
``python -m sknn compare``.

The figure is written to ``compare_baselines.png`` in ``$SKNN_EXAMPLES_OUT`` (a new
temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses 3 folds, fewer epochs
and fewer models. A full run takes about half a minute on two CPU cores.
"""

import os
import pathlib
import tempfile

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402

import sknn  # noqa: E402
from sknn.comparison import MODEL_DESCRIPTIONS, plot_table  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)

# %%
# The models
# ----------
# Each name stands for a pipeline. By default ``compare`` runs every model that fits
# the data: ``sknn-convnet`` needs images (as here) or time series.
for name, what in MODEL_DESCRIPTIONS.items():
    print(f"{name:22s} {what}")

# %%
# Cross-validation
# ----------------
# ``compare`` returns a pandas ``DataFrame``, best model first. Its columns are named
# after the metric (``metric='balanced_accuracy'``, ``'f1_macro'``, ``'roc_auc_ovr'``,
# ... give other columns), and ``n_jobs=2`` would run two folds at a time.
if FAST:
    models = ["sknn-mlp", "sknn-convnet", "sknn-rbm-logreg", "svc", "logreg"]
    table = sknn.compare(dataset="digits", models=models, cv=3, max_iter=20, random_state=0)
else:
    table = sknn.compare(dataset="digits", cv=5, max_iter=200, random_state=0)
print(table.attrs["description"])
print(table.drop(columns=["dataset", "reference"]).round(4).to_string(index=False))

# %%
# The table as a figure
# ---------------------
# Accuracy on the left (sknn models in blue; hatched and marked n.s.: no significant
# difference to the best baseline, outlined), fit time per fold on the right: the
# neural networks pay for their accuracy with fit times one or two orders of
# magnitude above the SVC's on data this small. ``repeats=10`` (with ``cv=10``)
# gives the tests more power, at ten times the cost.
fig = plot_table(table, title=table.attrs["description"])
path = OUT / "compare_baselines.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
