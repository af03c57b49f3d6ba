"""
An autoencoder as a nonlinear PCA on digits
===========================================

:class:`sknn.AutoencoderTransformer` compresses each 8x8 digit (64 pixel values
scaled to [0, 1]) to a short code and decodes it back. Both parts are neural
networks trained together to reconstruct their input, so the code is a learnt,
nonlinear counterpart of PCA's projection.

The first figure compares reconstructions of held-out digits from 16 numbers:
``inverse_transform(transform(X))`` of the autoencoder against PCA with 16
components. The script prints the mean squared reconstruction error of both.

The second figure shows the 2-D code space: an autoencoder with
``n_components=2`` next to the first two principal components, one colour per
digit. The script prints the accuracy of a 5-nearest-neighbour classifier on each
2-D embedding, a measure of how well the classes separate in it.

The figures are written to ``autoencoder_reconstructions.png`` and
``autoencoder_code_space.png`` in ``$SKNN_EXAMPLES_OUT`` (a new temporary
directory when unset). ``SKNN_EXAMPLES_FAST=1`` trains on fewer rows for fewer
epochs.
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
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from sknn import AutoencoderTransformer  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)
max_iter = 10 if FAST else 100

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
if FAST:
    X_train, y_train = X_train[:500], y_train[:500]

common = dict(
    batch_size=64,
    learning_rate_init=0.003,
    max_iter=max_iter,
    tol=0.0,
    random_state=0,
    device="cpu",
)

# %%
# Reconstruction from 16 numbers. ``tol=0`` trains for all ``max_iter`` epochs: the
# reconstruction loss of [0, 1] pixels is small, so scikit-learn's default
# ``tol=1e-4`` would stop early.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    ae = AutoencoderTransformer(n_components=16, hidden_layer_sizes=(128,), **common)
    ae.fit(X_train)
pca = PCA(n_components=16).fit(X_train)

ae_rec = ae.inverse_transform(ae.transform(X_test))
pca_rec = pca.inverse_transform(pca.transform(X_test))
ae_error = np.mean((ae_rec - X_test) ** 2)
pca_error = np.mean((pca_rec - X_test) ** 2)
print(
    f"16 components, mean squared reconstruction error on held-out digits: "
    f"autoencoder {ae_error:.4f}, PCA {pca_error:.4f} "
    f"(autoencoder / PCA = {ae_error / pca_error:.2f})"
)

n_show = 10
fig, axes = plt.subplots(3, n_show, figsize=(n_show, 3.4))
rows = [("original", X_test), ("autoencoder", ae_rec), ("PCA", pca_rec)]
for r, (label, images) in enumerate(rows):
    for c in range(n_show):
        ax = axes[r, c]
        ax.imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=9)
fig.suptitle(f"16 components: autoencoder MSE {ae_error:.4f}, PCA MSE {pca_error:.4f}", fontsize=10)
fig.tight_layout()
path = OUT / "autoencoder_reconstructions.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")

# %%
# A 2-D code space. A deeper encoder (64 -> 128 -> 32 -> 2) can bend the digits'
# manifold into the plane, which a linear projection cannot.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    ae2 = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(128, 32), **common)
    ae2.fit(X_train)
pca2 = PCA(n_components=2).fit(X_train)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, model) in zip(axes, [("autoencoder", ae2), ("PCA", pca2)]):
    codes_train, codes_test = model.transform(X_train), model.transform(X_test)
    knn = KNeighborsClassifier(n_neighbors=5).fit(codes_train, y_train)
    accuracy = knn.score(codes_test, y_test)
    print(f"2-D {name} codes: 5-nearest-neighbour test accuracy {accuracy:.3f}")
    points = ax.scatter(codes_test[:, 0], codes_test[:, 1], c=y_test, cmap="tab10", s=8)
    ax.set(title=f"{name} (5-NN accuracy {accuracy:.2f})", xticks=[], yticks=[])
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")
path = OUT / "autoencoder_code_space.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
