"""
Tuning sknn.MLPClassifier with GridSearchCV
===========================================

``sknn.MLPClassifier`` is an ordinary scikit-learn estimator, so it goes in a
:class:`~sklearn.pipeline.Pipeline` behind a
:class:`~sklearn.preprocessing.StandardScaler` and is tuned by
:class:`~sklearn.model_selection.GridSearchCV` with no special handling: every
candidate is a ``clone`` of the pipeline, fitted and scored on each fold.

The grid covers scikit-learn's own parameters (``hidden_layer_sizes`` and the L2
strength ``alpha``) and one that sknn adds (``dropout``). The script prints the best
parameters, their cross-validated accuracy and the accuracy of the refitted pipeline
on a held-out test set, and draws the mean cross-validated accuracy of each
candidate to ``mlp_grid_search.png`` in ``$SKNN_EXAMPLES_OUT`` (a new temporary
directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses less data, fewer epochs and a
smaller grid.
"""

import os
import pathlib
import tempfile
import time
import warnings

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))

X, y = load_digits(return_X_y=True)
if FAST:
    X, y = X[:600], y[:600]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# The pipeline is the same as with scikit-learn's MLP; only the import differs.
pipe = Pipeline([
    ("scale", StandardScaler()),
    ("mlp", MLPClassifier(max_iter=20 if FAST else 80, random_state=0)),
])
if FAST:
    param_grid = {
        "mlp__hidden_layer_sizes": [(32,), (64,)],
        "mlp__alpha": [1e-4],
        "mlp__dropout": [0.0, 0.2],
    }
else:
    param_grid = {
        "mlp__hidden_layer_sizes": [(64,), (128,)],
        "mlp__alpha": [1e-4, 1e-1],
        "mlp__dropout": [0.0, 0.2],
    }
search = GridSearchCV(pipe, param_grid, cv=2 if FAST else 3)

start = time.perf_counter()
with warnings.catch_warnings():
    # A short max_iter keeps the example quick; scikit-learn warns that it stopped early.
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)
elapsed = time.perf_counter() - start

# %%
# Results: the best candidate, and every candidate's mean accuracy over the folds.
results = search.cv_results_
n_fits = len(results["params"]) * search.n_splits_ + 1
print(f"{len(results['params'])} candidates x {search.n_splits_} folds "
      f"(+1 refit) = {n_fits} fits in {elapsed:.1f} s")
print("best parameters:", {k.removeprefix("mlp__"): v for k, v in search.best_params_.items()})
print(f"best mean cross-validated accuracy: {search.best_score_:.3f}")
print(f"refitted pipeline, held-out test accuracy: {search.score(X_test, y_test):.3f}")
order = np.argsort(results["rank_test_score"], kind="stable")
labels = []
for i in order:
    p = results["params"][i]
    label = (f"hidden={p['mlp__hidden_layer_sizes']} alpha={p['mlp__alpha']:g} "
             f"dropout={p['mlp__dropout']:g}")
    labels.append(label)
    print(f"  {results['mean_test_score'][i]:.3f} +- {results['std_test_score'][i]:.3f}  "
          f"{label}")

fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.2))
ax.barh(range(len(order)), results["mean_test_score"][order],
        xerr=results["std_test_score"][order], color="tab:blue", alpha=0.7)
ax.set_yticks(range(len(order)), labels, fontsize=8)
ax.invert_yaxis()  # best candidate on top
low = float(np.min(results["mean_test_score"] - results["std_test_score"]))
ax.set_xlim(max(0.0, low - 0.05), 1.0)
ax.set(xlabel="mean cross-validated accuracy",
       title="GridSearchCV over Pipeline(StandardScaler, sknn.MLPClassifier)")
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "mlp_grid_search.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
