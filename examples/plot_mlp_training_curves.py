"""
Learning curves of sknn.MLPClassifier on digits
===============================================

Plots ``loss_curve_`` for the three solvers and, with early stopping, the
``validation_scores_`` that decide when to stop (the best epoch's weights are
restored). Writes ``mlp_training_curves.png`` to ``$SKNN_EXAMPLES_OUT`` (default: the
current directory). ``SKNN_EXAMPLES_FAST=1`` runs fewer epochs.
"""

import os
import pathlib
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT", "."))
max_iter = 15 if FAST else 100

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

solvers = {
    "adam": dict(solver="adam"),
    "sgd, momentum 0.9, Nesterov": dict(solver="sgd", learning_rate_init=0.05),
    "sgd, adaptive rate": dict(solver="sgd", learning_rate="adaptive",
                               learning_rate_init=0.05),
}
fig, (ax_loss, ax_val) = plt.subplots(1, 2, figsize=(11, 4))
for label, params in solvers.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(max_iter=max_iter, random_state=0, **params).fit(X_train, y_train)
    ax_loss.plot(clf.loss_curve_, label=f"{label} (test acc {clf.score(X_test, y_test):.3f})")
    print(f"{label:32s} epochs={clf.n_iter_:3d}  test accuracy={clf.score(X_test, y_test):.3f}")

es = MLPClassifier(early_stopping=True, n_iter_no_change=5, max_iter=max_iter,
                   learning_rate_init=0.01, random_state=0).fit(X_train, y_train)
ax_val.plot(es.validation_scores_, marker="o", label="validation accuracy")
best = max(range(len(es.validation_scores_)), key=es.validation_scores_.__getitem__)
ax_val.axvline(best, color="grey", linestyle="--", label=f"best epoch ({best + 1}), restored")
print(f"early stopping: {es.n_iter_} epochs, best validation score "
      f"{es.best_validation_score_:.3f}, test accuracy {es.score(X_test, y_test):.3f}")

ax_loss.set(title="training loss (L2 term included)", xlabel="epoch", ylabel="loss_curve_")
ax_loss.set_yscale("log")
ax_loss.legend(fontsize=8)
ax_val.set(title="early stopping", xlabel="epoch", ylabel="validation_scores_")
ax_val.legend(fontsize=8)
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "mlp_training_curves.png", dpi=80)
