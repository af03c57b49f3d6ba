"""
The perceptron rule and its limit
=================================

Rosenblatt's perceptron (``sknn.PerceptronClassifier``, ``activation='threshold'``)
finds a separating line whenever the classes are linearly separable, as on the two
blobs on the left. No single layer can learn XOR (middle): whatever line it draws,
about half of the points end up on the wrong side, and the rule never settles.
One hidden layer is enough (right): ``sknn.MLPClassifier`` with a few ``tanh``
units learns XOR exactly.

The threshold rule gives no probabilities (the estimator has no ``predict_proba``);
its logistic form (``activation='logistic'``) does, which the script also shows.
The figure is written to ``perceptron.png`` in ``$SKNN_EXAMPLES_OUT`` (a new
temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses fewer epochs and a
coarser plotting grid.
"""

import os
import pathlib
import tempfile

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

import sknn  # noqa: E402
from sknn import MLPClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
# PerceptronClassifier is part of sknn; the guard keeps the script usable with an
# sknn build that predates it (the two perceptron panels are then skipped).
PerceptronClassifier = getattr(sknn, "PerceptronClassifier", None)

rng = np.random.RandomState(0)
X_blobs, y_blobs = make_blobs(n_samples=100, centers=[[-2, -2], [2, 2]], random_state=0)
X_xor = rng.uniform(-1, 1, size=(200, 2))
y_xor = (X_xor[:, 0] * X_xor[:, 1] > 0).astype(int)  # class 1 in quadrants 1 and 3

cases = []
if PerceptronClassifier is not None:
    cases += [
        ("perceptron, separable blobs",
         PerceptronClassifier(max_iter=20 if FAST else 100, random_state=0),
         X_blobs, y_blobs),
        ("perceptron, XOR",
         PerceptronClassifier(max_iter=20 if FAST else 100, random_state=0),
         X_xor, y_xor),
    ]
cases.append(
    ("MLP (8 tanh units), XOR",
     MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs",
                   max_iter=200 if FAST else 1000, random_state=0),
     X_xor, y_xor),
)

steps = 60 if FAST else 200
fig, axes = plt.subplots(1, len(cases), figsize=(4 * len(cases), 4), squeeze=False)
for ax, (title, clf, X, y) in zip(axes[0], cases):
    clf.fit(X, y)
    xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, steps),
                         np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, steps))
    zz = clf.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    ax.contourf(xx, yy, zz, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolor="k", s=15)
    accuracy = clf.score(X, y)
    ax.set_title(f"{title}\ntraining accuracy {accuracy:.2f}", fontsize=10)
    print(f"{title:28s} epochs/iterations={clf.n_iter_:4d}  training accuracy {accuracy:.2f}")

if PerceptronClassifier is not None:
    threshold = cases[0][1]
    print("threshold rule has predict_proba:", hasattr(threshold, "predict_proba"))
    logistic = PerceptronClassifier(activation="logistic", batch_size="full", eta0=0.5,
                                    max_iter=50 if FAST else 200, random_state=0)
    logistic.fit(X_blobs, y_blobs)
    print("logistic form, P(class 1) for the two blob centres:",
          np.round(logistic.predict_proba([[-2.0, -2.0], [2.0, 2.0]])[:, 1], 3))
else:
    print("sknn.PerceptronClassifier is not available in this sknn; showing the MLP only")

fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "perceptron.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
