"""
RBM features for a linear classifier, and RBM pre-training of an MLP
====================================================================

A restricted Boltzmann machine (``sknn.RBMTransformer``) learns, without labels,
binary features that explain the images; its hidden probabilities then feed a
logistic regression, as in scikit-learn's ``BernoulliRBM`` example. The script
compares that pipeline with logistic regression on the raw pixels, plots the
learned filters (each hidden unit's weights as an 8x8 image) and a few fantasies
sampled from the model. Then one RBM, and a stack of two (a deep belief net),
initialise ``sknn.MLPClassifier`` networks (``pretrain=``) that are fine-tuned on
only a few labelled digits.

The figure is written to ``rbm_features.png`` in ``$SKNN_EXAMPLES_OUT`` (a new
temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` trains for fewer epochs.
"""

import os
import pathlib
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")  # never opens a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sknn import MLPClassifier, RBMTransformer  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)
warnings.simplefilter("ignore", ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # Bernoulli visible units take values in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
# RBM features + logistic regression vs raw pixels
# -------------------------------------------------
# scikit-learn's recipe: 100 hidden units, learning rate 0.06, 10 epochs of
# persistent CD-1 with minibatches of 10, and a weakly regularised logistic
# regression on top.
n_iter = 5 if FAST else 20
rbm = RBMTransformer(n_components=100, learning_rate=0.06, n_iter=n_iter, random_state=0)
rbm_pipe = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(C=6000, max_iter=2000))])
rbm_pipe.fit(X_train, y_train)
raw = LogisticRegression(C=100, max_iter=2000).fit(X_train, y_train)
print(f"RBM features + logistic regression: test accuracy {rbm_pipe.score(X_test, y_test):.3f}")
print(f"raw pixels + logistic regression:   test accuracy {raw.score(X_test, y_test):.3f}")
print(
    f"pseudo-likelihood of test digits {rbm.score_samples(X_test).mean():.2f}, "
    f"of random binary images "
    f"{rbm.score_samples((np.random.RandomState(0).rand(200, 64) < 0.3) * 1.0).mean():.2f}"
)

# %%
# On these 8x8 digits, raw pixels are already good features for a linear model
# (0.96); the 100 RBM features, learned without labels, come close (0.94 to
# 0.96 depending on the number of epochs), and the pseudo-likelihood tells
# digits from noise by a wide margin.

# %%
# Unsupervised pre-training with RBMs
# ------------------------------------
# Only 100 training digits keep their labels; all the training images serve to
# train, without labels, one RBM (for an MLP with one hidden layer of 100 units)
# and a stack of two (a deep belief net, for an MLP with layers of 100 and 50).
# Their weights initialise the MLPs' hidden layers, with logistic units like the
# RBMs', and backpropagation fine-tunes everything on the 100 labelled digits.
# ``partial_fit`` runs one epoch at a time so that we can follow the test
# accuracy during fine-tuning, against the same MLPs started at random.
labelled = np.random.RandomState(0).choice(len(X_train), 100, replace=False)
n_epochs = 30 if FAST else 60
curves = {}
for sizes in ([100], [100, 50]):
    stack = RBMTransformer(sizes, learning_rate=0.06, n_iter=n_iter, random_state=0)
    stack.fit(X_train)  # no labels needed
    for name, pretrain in (("random init", None), ("RBM pre-trained", stack)):
        mlp = MLPClassifier(
            tuple(sizes),
            activation="logistic",
            learning_rate_init=0.01,
            pretrain=pretrain,
            random_state=0,
        )
        label = f"{tuple(sizes)}, {name}"
        curves[label] = []
        for _ in range(n_epochs):
            mlp.partial_fit(X_train[labelled], y_train[labelled], classes=np.arange(10))
            curves[label].append(mlp.score(X_test, y_test))
        print(
            f"MLP {label}: test accuracy after 10 epochs {curves[label][9]:.3f}, "
            f"after {n_epochs} epochs {curves[label][-1]:.3f}"
        )

# %%
# One pre-trained layer gives the MLP a large head start (about 0.66 against
# 0.21 test accuracy after 10 epochs) and stays ahead after 60 epochs (0.87
# against 0.85). The deeper stack helps less here: its upper layer, trained on
# the lower one's probabilities, adds little for 8x8 digits, and after 60
# epochs the randomly started (100, 50) network has caught up.

# %%
# The learned filters and fantasies
# ----------------------------------
fig = plt.figure(figsize=(15, 5))
left, middle, right = fig.subfigures(1, 3, width_ratios=[1.0, 0.6, 0.9])


def show(subfig, images, rows, cols, title):
    axes = subfig.subplots(rows, cols)
    for ax, image in zip(axes.ravel(), images):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
    subfig.suptitle(title)


show(left, rbm.components_, 10, 10, "100 filters learned by the RBM")
fantasies = rbm.sample(n_samples=20, n_steps=200 if FAST else 1000, random_state=0)
show(middle, fantasies, 5, 4, "fantasies (Gibbs samples)")
ax = right.subplots()
for (name, curve), style in zip(curves.items(), ["C0:", "C0-", "C1:", "C1-"]):
    ax.plot(np.arange(1, n_epochs + 1), curve, style, label=name)
ax.set_xlabel("fine-tuning epochs")
ax.set_ylabel("test accuracy")
ax.set_title("MLPs trained on 100 labels")
ax.legend(loc="lower right")
fig.savefig(OUT / "rbm_features.png", dpi=80, bbox_inches="tight")
print(f"figure written to {OUT / 'rbm_features.png'}")
