"""
Pre-training an MLP with an autoencoder: few labels, many unlabeled rows
========================================================================

Semi-supervised setting on digits: a quarter of the images is the test set; of
the remaining 1347 images, only a few (10 to 200, the same number per class) have
labels, and all of them can be used without labels.

Two autoencoders are fitted on the unlabeled rows: a plain one and a denoising
one (``noise='masking'``, half of the pixels hidden). Each has the encoder
64 -> 256 -> 128 with ReLU units (``code_activation='relu'``, the MLP's
activation). ``MLPClassifier(hidden_layer_sizes=(256, 128), pretrain=ae)`` then
starts from the encoder's weights and fine-tunes all layers on the labeled rows.
It is compared with the same MLP from a random initialisation, over several draws
of the labeled rows.

What it shows: with 10-20 labels, pre-training on the denoising autoencoder
raises test accuracy by about 2 points on average (it wins most draws); from
about 50 labels on, the gain is gone. The plain autoencoder does not help:
digit pixels are already a good representation, and a bottleneck code that
reconstructs them well is not more useful for classification. Pre-training
pays off when labels are scarce, unlabeled rows are plentiful and the
representation is learnt with a regulariser such as denoising.

The figure is written to ``autoencoder_pretraining.png`` in
``$SKNN_EXAMPLES_OUT`` (a new temporary directory when unset).
``SKNN_EXAMPLES_FAST=1`` uses fewer epochs, label counts and draws.
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
from sklearn.model_selection import train_test_split  # noqa: E402

from sknn import AutoencoderTransformer, MLPClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)
label_counts = [20, 100] if FAST else [10, 20, 50, 200]
n_draws = 2 if FAST else 8
ae_epochs = 10 if FAST else 100
mlp_epochs = 50 if FAST else 200

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

# %%
# Unsupervised pre-training on every pool row (their labels are not used). The
# encoder's layer sizes (256, then a 128-unit code) are the MLP's hidden layers.
ae_params = dict(
    n_components=128,
    hidden_layer_sizes=(256,),
    code_activation="relu",
    batch_size=64,
    learning_rate_init=0.003,
    max_iter=ae_epochs,
    tol=0.0,
    random_state=0,
    device="cpu",
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    encoders = {
        "autoencoder": AutoencoderTransformer(**ae_params).fit(X_pool),
        "denoising autoencoder": AutoencoderTransformer(
            noise="masking", noise_level=0.5, **ae_params
        ).fit(X_pool),
    }


def labeled_rows(n_labels, draw):
    """The same number of labeled rows per class, drawn at random."""
    order = np.random.RandomState(draw).permutation(len(y_pool))
    return np.concatenate([order[y_pool[order] == c][: n_labels // 10] for c in range(10)])


# %%
# Fine-tuning: ``pretrain`` copies the encoder into the first two hidden layers;
# backpropagation then trains the whole network on the labeled rows.
methods = {"random initialisation": None, **encoders}
results = {name: np.zeros((len(label_counts), n_draws)) for name in methods}
for i, n_labels in enumerate(label_counts):
    for draw in range(n_draws):
        rows = labeled_rows(n_labels, draw)
        for name, pretrain in methods.items():
            clf = MLPClassifier(
                hidden_layer_sizes=(256, 128),
                pretrain=pretrain,
                max_iter=mlp_epochs,
                random_state=draw,
                device="cpu",
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X_pool[rows], y_pool[rows])
            results[name][i, draw] = clf.score(X_test, y_test)
    baseline = results["random initialisation"][i]
    line = ", ".join(
        f"{name} {acc[i].mean():.3f} (better in {(acc[i] > baseline).sum()}/{n_draws})"
        for name, acc in results.items()
        if name != "random initialisation"
    )
    print(f"{n_labels:4d} labels: random initialisation {baseline.mean():.3f}, {line}")

fig, ax = plt.subplots(figsize=(6, 4))
for name, acc in results.items():
    ax.errorbar(label_counts, acc.mean(1), yerr=acc.std(1), marker="o", capsize=3, label=name)
ax.set(
    xscale="log",
    xlabel="labeled rows (the other pool rows are unlabeled)",
    ylabel="test accuracy",
    title=f"MLP (256, 128) on digits, mean of {n_draws} draws",
)
ax.set_xticks(label_counts, [str(n) for n in label_counts])
ax.legend(title="hidden layers initialised from", fontsize=8)
fig.tight_layout()
path = OUT / "autoencoder_pretraining.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
