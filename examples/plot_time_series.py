"""
Time series: the FCN recipe on GunPoint against flattened-input baselines
=========================================================================

GunPoint (UCR archive) holds 200 series of 150 steps, the hand's x-coordinate of an
actor who draws a gun or only points a finger; 50 series train and 150 test. The
user guide's FCN recipe (:ref:`series`) is Wang et al.'s fully convolutional network
(three convolution blocks with batch normalization and global average pooling) on
``ConvNetClassifier(conv_dim=1)``, trained as Fawaz et al. (2019) trained it: Adam
with the learning rate halved on each plateau of the training loss
(``learning_rate='plateau'``). It is compared with an RBF SVM and a logistic
regression on the flattened series, which see the 150 values as unrelated features.

The data ship inside the ``sktime`` package; when it is not installed the example
falls back to synthetic series of the same shape (cylinder, bell and funnel
shapes at random positions). The figure (training loss and learning rate per epoch)
is written to ``time_series.png`` in ``$SKNN_EXAMPLES_OUT`` (a new temporary directory
when unset). ``SKNN_EXAMPLES_FAST=1`` trains 15 epochs instead of the recipe's
stopping rule.
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
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sknn import ConvNetClassifier  # noqa: E402
from sknn.datasets import DatasetNotFoundError, load_ucr  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
OUT.mkdir(parents=True, exist_ok=True)
warnings.simplefilter("ignore", ConvergenceWarning)


def cylinder_bell_funnel(n, length, seed):
    """Saito's synthetic shapes: a plateau, a rising ramp or a falling ramp
    between random start and end points, in noise."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, n)
    t = np.arange(length)
    X = rng.normal(size=(n, length))
    for i, label in enumerate(y):
        a = rng.randint(length // 8, length // 3)
        b = a + rng.randint(length // 4, length // 2)
        inside = (t >= a) & (t < b)
        ramp = (t - a) / (b - a)
        shape = [np.ones(length), ramp, 1 - ramp][label]
        X[i] += (6 + rng.normal()) * shape * inside
    return X, y


# %%
# The data: 2-D ``X`` of shape (n_series, timesteps) is a set of univariate series.
try:
    X_train, y_train, X_test, y_test = load_ucr("GunPoint")
    source = "GunPoint (UCR)"
except DatasetNotFoundError:
    X_train, y_train = cylinder_bell_funnel(60, 128, seed=0)
    X_test, y_test = cylinder_bell_funnel(300, 128, seed=1)
    source = "cylinder-bell-funnel (synthetic)"
print(f"{source}: {X_train.shape[0]} training and {X_test.shape[0]} test series")

# %%
# The FCN recipe of the user guide. The mini-batches hold a tenth of the training
# series (at most 16), as in Fawaz et al.'s protocol.
fcn = ConvNetClassifier(
    conv_dim=1,
    channels=(128, 256, 128),
    kernel_size=(8, 5, 3),
    pooling=None,
    global_pooling="avg",
    hidden_layer_sizes=(),
    batch_norm=True,
    alpha=0.0,
    batch_size=max(2, min(len(X_train) // 10, 16)),
    learning_rate="plateau",
    n_iter_no_change=50,
    max_iter=15 if FAST else 2000,
    random_state=0,
)
models = {
    "FCN (sknn)": fcn,
    "RBF SVM, flattened": make_pipeline(StandardScaler(), SVC()),
    "logistic regression, flattened": make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=5000)
    ),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy = np.mean(model.predict(X_test) == y_test)
    print(f"{name:32s} test accuracy {accuracy:.3f}  (fit {seconds:.1f} s)")

# %%
# The training loss and the learning rate per epoch: each time the loss has not
# improved by ``tol`` for ``n_iter_no_change`` epochs, the rate is halved, down to
# a tenth of ``learning_rate_init``; the next plateau at that rate ends the fit.
# At the end of ``fit`` the batch-norm statistics are re-estimated with the final
# weights.
fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(9, 3.2))
ax_loss.semilogy(fcn.loss_curve_)
ax_loss.set(xlabel="epoch", ylabel="training loss", title="FCN training loss")
ax_lr.plot(fcn.history_[:, "lr"])
ax_lr.set(xlabel="epoch", ylabel="learning rate", title="learning_rate='plateau'")
fig.tight_layout()
fig.savefig(OUT / "time_series.png", dpi=80)
print(f"{fcn.n_iter_} epochs; figure written to {OUT / 'time_series.png'}")
