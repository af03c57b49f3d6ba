"""Tests for TextSequencer and raw-text pipelines with RNNClassifier."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn import RNNClassifier, TextSequencer

DOCS = ["The cat sat.", "the dog sat down", "A cat! A dog?", "dogs and cats"]


def _expected_failed_checks(estimator):
    if estimator.analyzer == "char":
        return {}
    # The check also fits on integer X of values 0 .. 2: every cell is a
    # one-character word, which the default token_pattern drops, so the vocabulary
    # is empty and fit raises, as CountVectorizer does on the same documents.
    return {"check_estimators_dtypes": "integer cells 0 .. 2 leave an empty vocabulary"}


@parametrize_with_checks(
    [TextSequencer(), TextSequencer(analyzer="char", max_len=5)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_transformer(estimator, check):
    # scikit-learn's checks feed 2-D numeric X: each row's cells become one document.
    check(estimator)


def test_integer_cells_of_one_character_leave_an_empty_vocabulary():
    X = (3 * np.random.RandomState(0).uniform(size=(20, 5))).astype(np.int64)
    docs = [" ".join(str(v) for v in row) for row in X]
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer().fit(docs)
    with pytest.raises(ValueError, match="empty vocabulary"):
        TextSequencer().fit(X)
    assert TextSequencer(token_pattern=r"\w+").fit(X).vocabulary_size_ == 5


def test_vocabulary_ids_and_padding():
    seq = TextSequencer().fit(DOCS)
    # most frequent first (ties alphabetical); 0 is padding, 1 out-of-vocabulary
    assert seq.vocabulary_ == {
        "cat": 2,
        "dog": 3,
        "sat": 4,
        "the": 5,
        "and": 6,
        "cats": 7,
        "dogs": 8,
        "down": 9,
    }
    assert seq.vocabulary_size_ == 10
    assert seq.max_len_ == 4
    np.testing.assert_array_equal(
        seq.transform(["the bird sat", "cats"]), [[5, 1, 4, 0], [7, 0, 0, 0]]
    )
    assert seq.transform(DOCS).dtype == np.int64
    assert list(seq.get_vocabulary()[:3]) == ["<pad>", "<oov>", "cat"]
    assert seq.inverse_transform(seq.transform(["The bird sat"])) == ["the <oov> sat"]
    np.testing.assert_array_equal(seq.fit_transform(DOCS), seq.transform(DOCS))


def test_options():
    ignore = TextSequencer(handle_unknown="ignore").fit(DOCS)
    np.testing.assert_array_equal(ignore.transform(["the bird sat"]), [[5, 4, 0, 0]])
    top = TextSequencer(max_features=2).fit(DOCS)
    assert top.vocabulary_ == {"cat": 2, "dog": 3}
    assert TextSequencer(min_df=2).fit(DOCS).vocabulary_.keys() == {"cat", "dog", "sat", "the"}
    assert "cat" not in TextSequencer(max_df=0.4).fit(DOCS).vocabulary_
    assert TextSequencer(min_df=0.5).fit(DOCS).vocabulary_.keys() == {"cat", "dog", "sat", "the"}
    # with max_len the vocabulary counts the kept part of each document only
    pre = TextSequencer(padding="pre", truncating="pre", max_len=2).fit(DOCS)
    assert list(pre.vocabulary_) == ["cat", "sat", "and", "cats", "dog", "down"]
    np.testing.assert_array_equal(pre.transform(["the dog sat down", "cat"]), [[3, 7], [0, 2]])
    post = TextSequencer(max_len=2).fit(DOCS)
    assert list(post.vocabulary_) == ["cat", "dog", "the", "and", "dogs"]
    np.testing.assert_array_equal(post.transform(["the dog sat down"]), [[4, 3]])
    case = TextSequencer(lowercase=False).fit(DOCS)
    assert "The" in case.vocabulary_ and "the" in case.vocabulary_
    tok = TextSequencer(tokenizer=str.split).fit(["a b, a"])
    assert tok.vocabulary_ == {"a": 2, "b,": 3}
    pattern = TextSequencer(token_pattern=r"\w+").fit(["a cat"])
    assert set(pattern.vocabulary_) == {"a", "cat"}


def test_character_level():
    seq = TextSequencer(analyzer="char").fit(["ab  ba", "c"])
    assert seq.max_len_ == 5  # whitespace runs collapse to one space
    assert seq.inverse_transform(seq.transform(["abz"])) == ["ab<oov>"]


def test_two_d_text_columns_and_get_feature_names_out():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"title": ["good film", "bad film"], "body": ["loved it", "no"]})
    seq = TextSequencer().fit(frame)
    assert list(seq.feature_names_in_) == ["title", "body"]
    assert seq.transform(frame).shape == (2, 4)
    assert list(seq.get_feature_names_out()) == [f"textsequencer{i}" for i in range(4)]
    out = TextSequencer().set_output(transform="pandas").fit_transform(pd.Series(DOCS))
    assert list(out.columns) == [f"textsequencer{i}" for i in range(4)]
    with pytest.raises(ValueError, match="Reshape your data"):
        seq.transform(["good film"])
    with pytest.raises(ValueError, match="1-D iterable of documents"):
        TextSequencer().fit(DOCS).transform(frame)


@pytest.mark.parametrize(
    "X, match",
    [
        ("just one string", "string object received"),
        ([1, 2, 3], "iterable of strings"),
        ([], "0 sample"),
    ],
)
def test_clear_errors(X, match):
    with pytest.raises(ValueError, match=match):
        TextSequencer().fit(X)


@pytest.mark.parametrize(
    "params, X, match",
    [
        (dict(), ["a", "? !", ""], "empty vocabulary; perhaps the documents only contain stop"),
        (dict(analyzer="char"), ["", ""], "empty vocabulary"),
        (dict(min_df=3), DOCS, "After pruning, no terms remain"),
        (dict(min_df=3, max_df=2), DOCS, "max_df corresponds to < documents than min_df"),
    ],
)
def test_empty_vocabulary_raises_as_count_vectorizer(params, X, match):
    with pytest.raises(ValueError, match=match):
        TextSequencer(**params).fit(X)
    with pytest.raises(ValueError, match=match):
        TextSequencer(**params).fit_transform(X)
    with pytest.raises(ValueError, match=match):  # the same error as scikit-learn's
        CountVectorizer(**params).fit(X)


def test_pickle():
    seq = TextSequencer(analyzer="char").fit(DOCS)
    again = pickle.loads(pickle.dumps(seq))
    np.testing.assert_array_equal(again.transform(DOCS), seq.transform(DOCS))


# ------------------------------------------------------------ text pipelines
def _order_corpus(n, seed=0):
    """Each document has the same words, 'good' and 'not' among fillers; it is
    negative when 'not' comes right before 'good'. A bag of words cannot tell."""
    rng = np.random.RandomState(seed)
    fillers = ["the", "movie", "was", "really", "plot", "acting", "quite"]
    docs, y = [], []
    for _ in range(n):
        words = list(rng.choice(fillers, size=4))
        neg = rng.rand() < 0.5
        pair = ["not", "good"] if neg else ["good", "not"]
        at = rng.randint(0, 5)
        docs.append(" ".join(words[:at] + pair + words[at:]))
        y.append("neg" if neg else "pos")
    return docs, np.array(y)


def test_text_pipeline_reads_word_order():
    docs, y = _order_corpus(300)
    test_docs, test_y = _order_corpus(200, seed=1)
    rnn = make_pipeline(
        TextSequencer(),
        RNNClassifier(
            embedding_dim=8,
            hidden_size=16,
            bidirectional=True,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
            device="cpu",
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rnn.fit(docs, y)
    bow = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, y)
    assert rnn.score(test_docs, test_y) > 0.95
    assert bow.score(test_docs, test_y) < 0.7


def _keyword_corpus(n, seed=0):
    """Three classes set by which keyword a document holds, among shared fillers:
    word identity is all that matters."""
    rng = np.random.RandomState(seed)
    keywords = [
        ["apple", "banana", "cherry"],
        ["engine", "wheel", "brake"],
        ["goal", "match", "team"],
    ]
    fillers = [
        "the",
        "of",
        "and",
        "to",
        "is",
        "it",
        "on",
        "for",
        "with",
        "this",
        "that",
        "was",
        "very",
        "some",
        "more",
        "an",
    ]
    docs, y = [], []
    for _ in range(n):
        label = rng.randint(3)
        words = [*rng.choice(fillers, rng.randint(4, 9)), rng.choice(keywords[label])]
        rng.shuffle(words)
        docs.append(" ".join(words))
        y.append(label)
    return docs, np.array(y)


def test_obvious_text_pipeline_embeds_token_ids():
    """make_pipeline(TextSequencer(), RNNClassifier()) with the default
    embedding_dim='auto' embeds the ids; read as numbers, it scores at chance."""
    docs, y = _keyword_corpus(200)
    test_docs, test_y = _keyword_corpus(100, seed=1)
    params = dict(
        hidden_size=16, max_iter=15, learning_rate_init=0.03, random_state=0, device="cpu"
    )
    scores = {}
    for embedding_dim in ["auto", None]:
        pipe = make_pipeline(TextSequencer(), RNNClassifier(embedding_dim=embedding_dim, **params))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(docs, y)
        assert pipe[-1].embeds_tokens_ is (embedding_dim == "auto")
        scores[embedding_dim] = pipe.score(test_docs, test_y)
    assert pipe[-1].get_params()["embedding_dim"] is None
    assert RNNClassifier().embedding_dim == "auto"
    assert scores["auto"] > 0.9
    assert scores[None] < 0.6  # the silent failure the default avoids (chance: 1/3)


def test_text_pipeline_in_grid_search():
    docs, y = _order_corpus(60)
    pipe = make_pipeline(
        TextSequencer(),
        RNNClassifier(embedding_dim=4, hidden_size=4, max_iter=3, random_state=0, device="cpu"),
    )
    grid = {"textsequencer__max_features": [3, None], "rnnclassifier__cell": ["gru"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=2).fit(docs, y)
    assert search.best_estimator_.predict(["not good at all"]).shape == (1,)
    assert set(search.predict(docs)) <= {"neg", "pos"}


@pytest.mark.parametrize("truncating", ["post", "pre"])
def test_max_len_gives_only_ids_the_estimator_was_fitted_on(truncating):
    # "zebra" is only ever past max_len in training: were it in the vocabulary, its
    # id would exceed every id the network's embedding was sized for, and predicting
    # a document holding it would raise.
    from sknn import ConvNetClassifier

    train = ["lion tiger cat zebra", "dog cat lion", "tiger dog cat", "lion lion dog"]
    if truncating == "pre":
        train = [" ".join(reversed(doc.split())) for doc in train]
    seq = TextSequencer(max_len=3, truncating=truncating)
    ids = seq.fit_transform(train)
    assert "zebra" not in seq.vocabulary_
    assert ids.max() == seq.vocabulary_size_ - 1  # every id appears in training
    pipe = make_pipeline(
        TextSequencer(max_len=3, truncating=truncating),
        ConvNetClassifier(max_iter=2, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(train, [0, 1, 0, 1])
    assert pipe.predict(["zebra zebra zebra", "cat zebra"]).shape == (2,)
