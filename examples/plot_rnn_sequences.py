"""
Recurrent networks remember: LSTM, GRU and a plain RNN on a memory task
=======================================================================

Each sample is a sequence of noise whose class is set by its *first* value only
(+1 or -1, plus a little noise): to classify it, a model must carry that value to
the end of the sequence. An MLP that sees only the last step is at chance,
whatever the length. ``sknn.RNNClassifier`` can carry it: with a fixed budget of
epochs, the LSTM (whose forget gate starts open, bias 1) learns the task at every
length tried here, while the GRU and the plain (Elman) network, whose memory and
gradients fade faster at the start of training, fall back to chance on the
longer sequences. The printed accuracies say which cells made it on this run.

The second part fits sequences of *different* lengths, given as a list of arrays,
and checks that padding never changes a prediction: each sequence gets the same
probabilities whether it is predicted alone or next to much longer ones.

The figure (accuracy against sequence length, and training loss curves) is
written to ``rnn_sequences.png`` in ``$SKNN_EXAMPLES_OUT`` (a new temporary
directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses shorter sequences and fewer
epochs.
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

from sknn import MLPClassifier, RNNClassifier  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
warnings.simplefilter("ignore", ConvergenceWarning)


def first_value_task(n, length, seed):
    """Noise sequences (n, length); the class is the sign of the first value."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = rng.normal(size=(n, length))
    X[:, 0] = np.where(y == 1, 1.0, -1.0) + 0.2 * rng.normal(size=n)
    return X, y


# %%
# Accuracy on held-out sequences as the sequences get longer. A 2-D ``X`` of shape
# (n, length) is a set of univariate series, one value per time step.
lengths = [10, 40] if FAST else [10, 30, 60]
n_train, n_test = (300, 300) if FAST else (800, 500)
epochs = 10 if FAST else 25
cells = {"LSTM": "lstm", "GRU": "gru", "RNN (Elman)": "rnn"}
accuracy = {name: [] for name in [*cells, "MLP on the last step"]}
curves = {}
for length in lengths:
    X, y = first_value_task(n_train, length, seed=0)
    X_test, y_test = first_value_task(n_test, length, seed=1)
    for name, cell in cells.items():
        start = time.perf_counter()
        clf = RNNClassifier(
            cell=cell,
            hidden_size=16,
            batch_size=32,
            learning_rate_init=0.01,
            max_iter=epochs,
            random_state=0,
        ).fit(X, y)
        accuracy[name].append(clf.score(X_test, y_test))
        curves[name] = clf.loss_curve_
        print(
            f"length {length:4d}  {name:20s} accuracy {accuracy[name][-1]:.3f} "
            f"({time.perf_counter() - start:.1f} s)"
        )
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, random_state=0)
    mlp.fit(X[:, -1:], y)
    accuracy["MLP on the last step"].append(mlp.score(X_test[:, -1:], y_test))
    print(
        f"length {length:4d}  {'MLP on the last step':20s} accuracy "
        f"{accuracy['MLP on the last step'][-1]:.3f}"
    )

# %%
# Sequences of different lengths, as a list of (timesteps_i, n_features) arrays.
# The estimator pads each batch and packs it, so the recurrent layers stop at each
# sequence's own end.
rng = np.random.RandomState(0)
n_ragged = 200 if FAST else 600
sequences = [rng.normal(size=(rng.randint(5, 40), 3)) for _ in range(n_ragged)]
labels = np.array([int(s[0, 0] > 0) for s in sequences])
ragged = RNNClassifier(
    cell="gru",
    hidden_size=16,
    bidirectional=True,
    batch_size=32,
    learning_rate_init=0.01,
    max_iter=epochs,
    random_state=0,
)
ragged.fit(sequences[: n_ragged // 2], labels[: n_ragged // 2])
held_out = sequences[n_ragged // 2 :]
batched = ragged.predict_proba(held_out)
alone = np.vstack([ragged.predict_proba([s]) for s in held_out[:20]])
print(
    f"variable-length sequences (5 to 39 steps, 3 features): fitted shape "
    f"{ragged.input_shape_}, held-out accuracy "
    f"{ragged.score(held_out, labels[n_ragged // 2 :]):.3f}"
)
print(
    f"largest difference between a sequence predicted alone and in a padded batch: "
    f"{np.abs(batched[:20] - alone).max():.2e}"
)

# %%
# The figure.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, values in accuracy.items():
    style = "--" if name.startswith("MLP") else "-o"
    left.plot(lengths, values, style, label=name)
left.set_xlabel("sequence length (the class is set by the first value)")
left.set_ylabel("test accuracy")
left.set_ylim(0.4, 1.02)
left.set_xscale("log")
left.set_xticks(lengths, [str(n) for n in lengths])
left.legend()
left.set_title("Remembering the first value")
for name, curve in curves.items():
    right.plot(np.arange(1, len(curve) + 1), curve, label=name)
right.set_xlabel("epoch")
right.set_ylabel("training loss")
right.set_title(f"Training at length {lengths[-1]}")
right.legend()
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "rnn_sequences.png"
fig.savefig(path, dpi=80)
plt.close(fig)
print(f"figure written to {path}")
