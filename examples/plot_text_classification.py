"""
Raw text into a recurrent or convolutional network: word order that a bag of words cannot see
=============================================================================================

``make_pipeline(TextSequencer(), RNNClassifier(embedding_dim=...))`` fits raw
strings: :class:`sknn.TextSequencer` learns a vocabulary and turns each document
into a padded row of token ids, and the recurrent network embeds and reads them
in order. ``make_pipeline(TextSequencer(), ConvNetClassifier())`` does the same
with a text CNN (Kim, 2014): with default parameters, the token ids select
embeddings of 64 values, 100 filters of each width 3, 4 and 5 words, and the
maximum of each filter over the text.

The corpus is generated here (no download): every short "review" holds the words
*not* and *good* among filler words, and it is negative when *not* comes before
*good*, with zero to three words in between ("not really that good") and positive
otherwise ("good, and not long"). Both classes use the same words, so a model of
word counts is at chance; word pairs (bigrams) help only when the two words are
adjacent. The recurrent network reads the order; a grid search picks its cell. The
text CNN sees it within its widest window (5 words), which covers every document
here.

The figure (test accuracy of each model, and the network's training loss) is
written to ``text_classification.png`` in ``$SKNN_EXAMPLES_OUT`` (a new temporary
directory when unset). ``SKNN_EXAMPLES_FAST=1`` uses fewer documents and epochs.
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
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sknn import ConvNetClassifier, RNNClassifier, TextSequencer  # noqa: E402
from sknn.datasets import make_negation_reviews  # noqa: E402

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
OUT = pathlib.Path(os.environ.get("SKNN_EXAMPLES_OUT") or tempfile.mkdtemp(prefix="sknn-"))
warnings.simplefilter("ignore", ConvergenceWarning)


def reviews(n, seed):
    """Documents of fillers with 'not' and 'good'; negative when 'not' comes first
    (:func:`sknn.datasets.make_negation_reviews`, with the classes named)."""
    docs, codes = make_negation_reviews(n, random_state=seed)
    return list(docs), np.array(["negative", "positive"])[codes]


train_docs, y_train = reviews(400 if FAST else 1500, seed=0)
test_docs, y_test = reviews(400 if FAST else 1000, seed=1)
print("examples:", *(f"{d!r} -> {c}" for d, c in zip(train_docs[:3], y_train[:3])), sep="\n  ")

# %%
# The recurrent pipeline, with the cell chosen by a 3-fold grid search, and three
# bag-of-words baselines.
rnn = make_pipeline(
    TextSequencer(),
    RNNClassifier(
        embedding_dim=16,
        hidden_size=32,
        batch_size=32,
        learning_rate_init=0.01,
        max_iter=15 if FAST else 40,
        random_state=0,
    ),
)
search = GridSearchCV(rnn, {"rnnclassifier__cell": ["lstm", "gru"]}, cv=3)
# The text CNN with default parameters (fewer epochs in the fast mode).
cnn = make_pipeline(
    TextSequencer(), ConvNetClassifier(random_state=0, **({"max_iter": 10} if FAST else {}))
)
models = {
    "TextSequencer + RNN": search,
    "TextSequencer + ConvNet (defaults)": cnn,
    "word counts + logistic": make_pipeline(CountVectorizer(), LogisticRegression()),
    "TF-IDF 1-2 grams + logistic": make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000)
    ),
}
scores = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(train_docs, y_train)
    scores[name] = model.score(test_docs, y_test)
    print(f"{name:34s} test accuracy {scores[name]:.3f}  ({time.perf_counter() - start:.1f} s)")
best = search.best_estimator_
print(
    f"grid search chose cell={search.best_params_['rnnclassifier__cell']!r}; "
    f"vocabulary of {len(best[0].vocabulary_)} words, sequences of {best[0].max_len_} ids"
)
for doc in ["the plot was not very good", "good and not long"]:
    print(f"  {doc!r}: {best.predict([doc])[0]}")

# %%
# The figure.
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
names = list(scores)
left.barh(names, [scores[n] for n in names], color=["C0", "C1", "C7", "C7"])
left.axvline(0.5, color="k", lw=0.8, ls="--")
left.set_xlim(0, 1)
left.set_xlabel("test accuracy (0.5 = chance)")
left.set_title("Is 'not' before 'good'?")
curve = best[-1].loss_curve_
right.plot(np.arange(1, len(curve) + 1), curve)
right.set_xlabel("epoch")
right.set_ylabel("training loss")
right.set_title("The chosen network, refitted on all training documents")
fig.tight_layout()
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "text_classification.png"
fig.savefig(path, dpi=80)
plt.close(fig)
print(f"figure written to {path}")
