"""
The perceptron rule and its limit
=================================

Rosenblatt's perceptron separates linearly separable classes, but no single layer
can learn XOR; one hidden layer can. The plot shows the decision regions of
``sknn.PerceptronClassifier`` on blobs and on XOR, and of ``sknn.MLPClassifier`` on
XOR. Writes ``perceptron.png`` to ``$SKNN_EXAMPLES_OUT`` (default: the current
directory).
"""

import os
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402

from sknn import MLPClassifier, PerceptronClassifier  # noqa: E402

OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT", "."))
rng = np.random.RandomState(0)

X_blobs, y_blobs = make_blobs(n_samples=100, centers=[[-2, -2], [2, 2]], random_state=0)
X_xor = rng.uniform(-1, 1, size=(200, 2))
y_xor = (X_xor[:, 0] * X_xor[:, 1] > 0).astype(int)

cases = [
    ("perceptron, separable blobs", PerceptronClassifier(random_state=0), X_blobs, y_blobs),
    ("perceptron, XOR", PerceptronClassifier(max_iter=50, random_state=0), X_xor, y_xor),
    ("MLP (8 tanh units), XOR",
     MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs",
                   random_state=0), X_xor, y_xor),
]
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (title, clf, X, y) in zip(axes, cases):
    clf.fit(X, y)
    xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 150),
                         np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 150))
    zz = clf.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    ax.contourf(xx, yy, zz, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolor="k", s=15)
    accuracy = clf.score(X, y)
    ax.set_title(f"{title}\ntraining accuracy {accuracy:.2f}")
    print(f"{title:30s} training accuracy {accuracy:.2f}")
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
fig.savefig(OUT / "perceptron.png", dpi=80)
