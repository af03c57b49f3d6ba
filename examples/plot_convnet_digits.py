"""
A convolutional network on digits, against SVC and logistic regression
======================================================================

The bundled digits data (1797 8x8 grayscale images, no download) is classified by
``sknn.ConvNetClassifier``, by an RBF ``SVC`` and by ``LogisticRegression``, under the
same 5-fold cross-validation. scikit-learn's default split is not shuffled, so the
folds roughly separate different writers. A convolutional network looks for the same
small strokes anywhere in the image, and tolerates such shifts better than models
that see each pixel as a separate feature.

The network reads each 64-value row as an 8x8 image through ``input_shape=(8, 8)``,
so it sits in a ``Pipeline`` after a 2-D transformer, as any scikit-learn
classifier does.

The figure shows, left, the test images of one fold that the network gets wrong,
with the true and predicted labels, and, right, the 3x3 filters that its first
convolution layer learned (``module_.conv_layers[0].weight``).

The figure is written to ``convnet_digits.png`` in ``$SKNN_EXAMPLES_OUT`` (a new
temporary directory when unset). ``SKNN_EXAMPLES_FAST=1`` trains for fewer epochs.
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
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_validate  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sknn import ConvNetClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
warnings.simplefilter("ignore", ConvergenceWarning)

X, y = load_digits(return_X_y=True)
scale = FunctionTransformer(lambda X: X / 16.0)  # pixel values 0..16 -> 0..1

# %%
# Three models, the same scaling, one cross-validation. The network: two convolution blocks (16 and
# 32 feature maps of 3x3 filters, batch normalization, ReLU, 2x2 max pooling), a
# dense layer of 64 units and a softmax output.
convnet = ConvNetClassifier(
    input_shape=(8, 8),
    channels=(16, 32),
    kernel_size=3,
    hidden_layer_sizes=(64,),
    batch_norm=True,
    batch_size=64,
    learning_rate_init=0.003,
    max_iter=8 if FAST else 30,
    random_state=0,
)
models = {
    "ConvNetClassifier": make_pipeline(scale, convnet),
    "SVC (RBF)": make_pipeline(scale, SVC()),
    "LogisticRegression": make_pipeline(scale, LogisticRegression(max_iter=2000)),
}
cv = StratifiedKFold(n_splits=5)  # scikit-learn's default for cv=5: not shuffled
results = {}
for name, model in models.items():
    start = time.perf_counter()
    scores = cross_validate(model, X, y, cv=cv, return_estimator=True)
    results[name] = scores
    print(f"{name:20s} accuracy {scores['test_score'].mean():.4f} "
          f"+/- {scores['test_score'].std():.4f}  ({time.perf_counter() - start:.1f} s)")

# %%
# The network of the hardest fold: which test images does it get wrong, and what
# did its first layer learn?
fold = int(np.argmin(results["ConvNetClassifier"]["test_score"]))
test_index = list(cv.split(X, y))[fold][1]
pipe = results["ConvNetClassifier"]["estimator"][fold]
pred = pipe.predict(X[test_index])
wrong = test_index[pred != y[test_index]]
print(f"fold {fold + 1}: {len(wrong)} of {len(test_index)} test images misclassified")

fig = plt.figure(figsize=(12, 5))
grid = fig.add_gridspec(1, 2, width_ratios=[3, 2])
left = grid[0].subgridspec(3, 6)
for k, index in enumerate(wrong[:18]):
    ax = fig.add_subplot(left[k // 6, k % 6])
    ax.imshow(X[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{y[index]} -> {pred[test_index == index][0]}", fontsize=9)
    ax.axis("off")
filters = pipe[-1].module_.conv_layers[0].weight.detach().cpu().numpy()[:, 0]  # (16, 3, 3)
right = grid[1].subgridspec(4, 4)
limit = np.abs(filters).max()
for k, w in enumerate(filters):
    ax = fig.add_subplot(right[k // 4, k % 4])
    ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.axis("off")
accuracy = {name: r["test_score"].mean() for name, r in results.items()}
fig.suptitle(
    "5-fold CV accuracy: " + ", ".join(f"{n} {a:.3f}" for n, a in accuracy.items())
    + f"\nleft: misclassified test images of fold {fold + 1} (true -> predicted); "
    "right: the 16 learned 3x3 filters of the first convolution layer",
    fontsize=10,
)
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "convnet_digits.png"
fig.savefig(path, dpi=80, bbox_inches="tight")
plt.close(fig)
print(f"figure written to {path}")
