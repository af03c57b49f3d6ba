"""
Learning curves of sknn.MLPClassifier on digits
===============================================

Compares the solvers on the bundled digits data (1797 8x8 images, no download):
``loss_curve_`` (the training loss after each epoch, L2 term included, exactly as
scikit-learn reports it) for Adam, SGD with Nesterov momentum, and SGD with the
``'invscaling'`` and ``'adaptive'`` learning-rate schedules; L-BFGS has no epochs,
so its final ``loss_`` is drawn as a horizontal line.

The right panel fits with ``early_stopping=True``: 10% of the training data is held
out, ``validation_scores_`` records its accuracy after each epoch, training stops
once it has not improved by ``tol`` for ``n_iter_no_change`` epochs, and the
weights of the best epoch are restored.

The figure is written to ``mlp_training_curves.png`` in ``$SKNN_EXAMPLES_OUT`` (a
new temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` runs fewer epochs.
"""

import os
import pathlib
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
max_iter = 15 if FAST else 100

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# The stochastic solvers: one point of ``loss_curve_`` per epoch.
solvers = {
    "adam": dict(solver="adam"),
    "sgd, Nesterov momentum 0.9": dict(solver="sgd", learning_rate_init=0.05),
    "sgd, invscaling": dict(solver="sgd", learning_rate="invscaling",
                            learning_rate_init=0.5, power_t=0.25),
    # 'adaptive' follows 'constant' until the loss stalls, then divides the rate by 5.
    "sgd, adaptive": dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.05),
}
styles = ["-", "-", "-", "--"]
fig, (ax_loss, ax_val) = plt.subplots(1, 2, figsize=(11, 4))
for (label, params), style in zip(solvers.items(), styles):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(max_iter=max_iter, random_state=0, **params).fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    ax_loss.plot(range(1, clf.n_iter_ + 1), clf.loss_curve_, linestyle=style,
                 label=f"{label} (test acc {accuracy:.3f})")
    print(f"{label:28s} epochs={clf.n_iter_:4d}  final loss={clf.loss_:.4f}  "
          f"test accuracy={accuracy:.3f}")

# %%
# L-BFGS works on the full batch and counts iterations, not epochs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    lbfgs = MLPClassifier(solver="lbfgs", max_iter=max_iter, random_state=0)
    lbfgs.fit(X_train, y_train)
accuracy = lbfgs.score(X_test, y_test)
ax_loss.axhline(lbfgs.loss_, color="k", linestyle=":",
                label=f"lbfgs after {lbfgs.n_iter_} iterations (test acc {accuracy:.3f})")
print(f"{'lbfgs':28s} iters={lbfgs.n_iter_:5d}  final loss={lbfgs.loss_:.4f}  "
      f"test accuracy={accuracy:.3f}")

# %%
# Early stopping: the validation accuracy decides when to stop, and the best
# epoch's weights are the ones kept.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    es = MLPClassifier(early_stopping=True, n_iter_no_change=5, max_iter=max_iter,
                       learning_rate_init=0.01, random_state=0).fit(X_train, y_train)
scores = es.validation_scores_
best = max(range(len(scores)), key=scores.__getitem__)
ax_val.plot(range(1, len(scores) + 1), scores, marker="o", label="validation_scores_")
ax_val.axvline(best + 1, color="grey", linestyle="--",
               label=f"best epoch ({best + 1}), weights restored")
print(f"early stopping: stopped after {es.n_iter_} epochs, best validation accuracy "
      f"{es.best_validation_score_:.3f} at epoch {best + 1}, "
      f"test accuracy {es.score(X_test, y_test):.3f}")

ax_loss.set(title="training loss (L2 term included)", xlabel="epoch", ylabel="loss_curve_")
ax_loss.set_yscale("log")
ax_loss.legend(fontsize=7)
ax_val.set(title="early_stopping=True", xlabel="epoch", ylabel="validation accuracy")
ax_val.legend(fontsize=8)
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "mlp_training_curves.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
