"""
Average ranks over several data sets: which differences are real?
=================================================================

One data set rarely settles which model is better: conclusions come from
collections, read as average ranks (Demšar 2006). :func:`sknn.compare` runs every
model on the same stratified folds of each data set; with ``return_folds=True`` it
also returns the tidy table of every fold's score and times.
:func:`sknn.comparison.rank_table` ranks the models on each data set (1 is best),
averages the ranks, tests them with Friedman's test, and tests every pair of models
with Wilcoxon's signed-rank test over the data sets, Holm-corrected for the number
of pairs. :func:`sknn.comparison.plot_ranks` draws the critical-difference-style
diagram: a red bar joins models that no test tells apart.

With only four data sets no pair can differ significantly (the smallest possible
Wilcoxon p-value is 0.125): the ranks are a description, and a claim needs more
data sets (``dataset='ucr'`` runs every installed UCR set).

The figure is written to ``compare_datasets.png`` in ``$SKNN_EXAMPLES_OUT`` (a new
temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses three small data
sets, 3 folds and fewer epochs.
"""

import os
import pathlib
import tempfile

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402

import sknn  # noqa: E402
from sknn.comparison import plot_ranks, rank_markdown, rank_table  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)

# %%
# Several data sets in one run
# ----------------------------
# The same option forms as ``python -m sknn compare --dataset iris,wine,...``: a
# comma-separated string (or a list, or a collection such as ``'bundled'``).
datasets = "iris,wine,breast_cancer" if FAST else "bundled"
summary, folds = sknn.compare(
    dataset=datasets,
    models="sknn-mlp,sklearn-mlp,svc,logreg",
    cv=3 if FAST else 5,
    max_iter=20 if FAST else 200,
    random_state=0,
    return_folds=True,
)
print(folds.head().to_string(index=False))
print(f"... {len(folds)} rows: one per data set, model and fold")

# %%
# Per data set: the paired test against the best baseline
# -------------------------------------------------------
# ``diff`` is the mean difference of the fold scores to the data set's best
# baseline, with its confidence interval and the corrected resampled t-test's
# p-value; ``significant`` is False where the folds cannot tell them apart.
columns = ["dataset", "model", "accuracy_mean", "reference", "diff", "p_value", "significant"]
print(summary[columns].round(4).to_string(index=False))

# %%
# Over the data sets: average ranks
# ---------------------------------
ranks = rank_table(summary)
print(rank_markdown(ranks))
fig = plot_ranks(ranks)
path = OUT / "compare_datasets.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
