"""Raw text to padded integer token-id sequences, for recurrent and convolutional
networks."""

from collections import Counter
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._docs import fill_doc
from .utils._compat import Interval, StrOptions, _fit_context, validate_data

__all__ = ["TextSequencer"]

PAD, OOV = 0, 1


@fill_doc
class TextSequencer(TransformerMixin, BaseEstimator):
    """Turn raw text into padded sequences of integer token ids.

    Each document is split into tokens (words, or characters) as
    :class:`~sklearn.feature_extraction.text.CountVectorizer` does; ``fit`` learns
    a vocabulary and ``transform`` replaces every token by its id, keeping the
    order, and pads or truncates each document to ``max_len`` ids. The output
    (an integer array) is what :class:`RNNClassifier`, :class:`RNNRegressor`,
    :class:`ConvNetClassifier` and :class:`ConvNetRegressor` embed by default
    (``embedding_dim='auto'``), so ``make_pipeline(TextSequencer(),
    RNNClassifier())`` or ``make_pipeline(TextSequencer(), ConvNetClassifier())``
    fits raw text.

    Ids: 0 is padding, 1 stands for any out-of-vocabulary token, and the
    vocabulary's tokens get ids 2, 3, ... from the most frequent down.

    Read more in the :ref:`User Guide <rnn_text>`.

    Parameters
    ----------
    analyzer : {'word', 'char'}, default='word'
        Whether the tokens are words (found by ``token_pattern``) or single
        characters (with runs of whitespace collapsed to one space).

    lowercase : bool, default=True
        Convert all characters to lowercase before tokenizing.

    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a word token, as in ``CountVectorizer`` (the default
        keeps words of 2 or more alphanumeric characters and drops punctuation).
        Only used with ``analyzer='word'`` and ``tokenizer=None``.

    tokenizer : callable, default=None
        Overrides the tokenization step (``analyzer='word'`` only): called with
        each (lowercased) document, returns its list of tokens.

    ngram_range : tuple (min_n, max_n), default=(1, 1)
        The lengths of the n-grams that are tokens, as in ``CountVectorizer``:
        ``(1, 2)`` adds each pair of consecutive words (or characters) as one more
        token, after the document's words. The word order is then lost past
        pairs, which suits the averaged-embedding (fastText-style) network of
        :class:`ConvNetClassifier` (``kernel_size=1, global_pooling='avg'``;
        Joulin et al., 2017), not the recurrent or convolutional ones.

    max_features : int, default=None
        Keep only the ``max_features`` most frequent tokens (by count over the
        training corpus; ties in alphabetical order). None: all of them.

    min_df : float or int, default=1
        Drop tokens found in fewer documents than this (an int: a count; a float
        in [0, 1]: a proportion of the documents).

    max_df : float or int, default=1.0
        Drop tokens found in more documents than this (a count or a proportion),
        e.g. corpus-specific stop words.

    max_len : int, default=None
        Length of the output sequences. None: the length of the longest training
        document (in tokens, after dropping unknown ones with
        ``handle_unknown='ignore'``). With ``max_len``, the vocabulary (and
        ``min_df``, ``max_df``, ``max_features``) counts only the part of each
        training document that is kept (see ``truncating``): a token the network
        would never see in training becomes the out-of-vocabulary id, instead of
        an id past the largest one the estimator was fitted on.

    padding : {'post', 'pre'}, default='post'
        Pad shorter sequences with 0 at the end ('post') or at the start ('pre').
        The recurrent estimators ignore padding wherever it is.

    truncating : {'post', 'pre'}, default='post'
        Cut longer sequences at the end ('post': keep the first ``max_len``
        tokens) or at the start ('pre': keep the last ones).

    handle_unknown : {'oov', 'ignore'}, default='oov'
        What becomes of a token not in the vocabulary: the out-of-vocabulary id 1
        ('oov'), or nothing ('ignore': it is dropped).

    dtype : dtype, default=np.int64
        Type of the output ids.

    Attributes
    ----------
    vocabulary_ : dict
        Mapping from token to id (ids 2 and up).

    vocabulary_size_ : int
        Number of distinct ids the output can hold: ``len(vocabulary_) + 2``
        (padding and out-of-vocabulary included). Pass it as ``vocab_size`` to a
        recurrent estimator that must accept any id.

    max_len_ : int
        Length of the output sequences.

    n_features_in_ : int
        Number of columns of 2-D ``X`` seen in fit; only set when ``X`` was 2-D.

    %(feature_names_in_)s

    See Also
    --------
    RNNClassifier : Recurrent network that embeds the token ids.
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts (the
        order of the words is lost).

    Notes
    -----
    ``X`` is an iterable of strings (a list, a 1-D array, a pandas Series). A 2-D
    ``X`` (e.g. text columns of a DataFrame) is read row by row, the string forms
    of a row's cells joined by spaces into one document; transform then needs
    2-D input with the same number of columns.

    Examples
    --------
    >>> from sknn import TextSequencer
    >>> docs = ["the cat sat", "the dog sat down", "a cat"]
    >>> seq = TextSequencer().fit(docs)
    >>> seq.vocabulary_
    {'cat': 2, 'sat': 3, 'the': 4, 'dog': 5, 'down': 6}
    >>> seq.transform(["the cat ran", "dog"])
    array([[4, 2, 1, 0],
           [5, 0, 0, 0]])
    >>> seq.inverse_transform(seq.transform(["the dog ran"]))
    ['the dog <oov>']
    >>> TextSequencer(analyzer="char", max_len=5).fit_transform(["abba", "cab"])
    array([[2, 3, 3, 2, 0],
           [4, 2, 3, 0, 0]])
    """

    _parameter_constraints: dict = {
        "analyzer": [StrOptions({"word", "char"})],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "tokenizer": [callable, None],
        "ngram_range": [tuple],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [Interval(Real, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "max_df": [Interval(Real, 0, 1, closed="both"), Interval(Integral, 1, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"post", "pre"})],
        "truncating": [StrOptions({"post", "pre"})],
        "handle_unknown": [StrOptions({"oov", "ignore"})],
        "dtype": "no_validation",
    }

    def __init__(
        self,
        *,
        analyzer="word",
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
        tokenizer=None,
        ngram_range=(1, 1),
        max_features=None,
        min_df=1,
        max_df=1.0,
        max_len=None,
        padding="post",
        truncating="post",
        handle_unknown="oov",
        dtype=np.int64,
    ):
        self.analyzer = analyzer
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.max_len = max_len
        self.padding = padding
        self.truncating = truncating
        self.handle_unknown = handle_unknown
        self.dtype = dtype

    # ---------------------------------------------------------------- tokens
    def _analyzer(self):
        from sklearn.feature_extraction.text import CountVectorizer  # not at ``import sknn``

        vectorizer = CountVectorizer(
            analyzer=self.analyzer,
            lowercase=self.lowercase,
            token_pattern=self.token_pattern if self.tokenizer is None else None,
            tokenizer=self.tokenizer,
            ngram_range=self.ngram_range,
        )
        bounds = self.ngram_range
        if not (len(bounds) == 2 and all(isinstance(n, Integral) and n >= 1 for n in bounds)):
            raise ValueError(
                f"ngram_range must be a tuple of two positive ints; got {self.ngram_range!r}."
            )
        vectorizer._validate_ngram_range()  # min_n <= max_n, CountVectorizer's message
        return vectorizer.build_analyzer()

    def _documents(self, X, reset):
        """The documents of ``X`` as a list of str (2-D rows joined by spaces)."""
        if isinstance(X, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        if _is_2d(X):
            if not reset and not self._rows:
                raise ValueError(
                    f"{type(self).__name__} was fitted on a 1-D iterable of documents; "
                    f"got X of shape {np.shape(X)}."
                )
            X = validate_data(self, X, dtype=None, reset=reset)
            if reset:
                self._rows = True
            return [" ".join(str(v) for v in row) for row in X]
        if reset:
            self._rows = False
            if hasattr(self, "n_features_in_"):
                del self.n_features_in_
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif self._rows:
            raise ValueError(
                f"{type(self).__name__} was fitted on 2-D X with {self.n_features_in_} "
                "column(s); got a 1-D iterable. Reshape your data with X.reshape(-1, 1) if "
                "it holds one document per row."
            )
        docs = list(X)
        for i, doc in enumerate(docs):
            if not isinstance(doc, str):
                raise ValueError(
                    f"{type(self).__name__} expects an iterable of strings; element {i} "
                    f"is {type(doc).__name__}: {doc!r:.50}."
                )
        if not docs:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required."
            )
        return docs

    # ----------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary of the documents in X.

        Parameters
        ----------
        X : iterable of str, or array-like of shape (n_samples, n_columns)
            The training documents (or rows of text cells, see Notes).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.

        Raises
        ------
        ValueError
            If the vocabulary is empty: the documents hold no token (e.g. only
            punctuation or one-character words with the default
            ``token_pattern``), or ``min_df``, ``max_df`` drop every token, as in
            ``CountVectorizer``.
        """
        self._fit(X)
        return self

    def _fit(self, X):
        docs = self._documents(X, reset=True)
        analyze = self._analyzer()
        tokenized = [analyze(doc) for doc in docs]
        counts, dfs = Counter(), Counter()
        for tokens in tokenized:
            tokens = self._kept_part(tokens)
            counts.update(tokens)
            dfs.update(set(tokens))
        n_docs = len(docs)
        min_df = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        max_df = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        if not counts:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        if max_df < min_df:
            raise ValueError("max_df corresponds to < documents than min_df")
        kept = [t for t in counts if min_df <= dfs[t] <= max_df]
        if not kept:
            raise ValueError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        kept.sort(key=lambda t: (-counts[t], t))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        self.vocabulary_ = {t: i + 2 for i, t in enumerate(kept)}
        self.vocabulary_size_ = len(kept) + 2
        ids = [self._ids(tokens) for tokens in tokenized]
        self.max_len_ = (
            int(self.max_len) if self.max_len is not None else max(1, *(len(s) for s in ids))
        )
        return ids

    def _kept_part(self, tokens):
        """The tokens of a document that its sequence can hold: with ``max_len``,
        the vocabulary is counted on them only, so every id the transformer gives
        appears in the training sequences (an estimator sizes its embedding table
        by the largest id it was fitted on)."""
        return tokens if self.max_len is None else self._truncate(tokens, self.max_len)

    def _truncate(self, seq, length):
        """``seq`` cut to ``length`` at the end ``truncating`` names."""
        if len(seq) <= length:
            return seq
        return seq[:length] if self.truncating == "post" else seq[-length:]

    def _ids(self, tokens):
        vocab = self.vocabulary_
        if self.handle_unknown == "ignore":
            return [vocab[t] for t in tokens if t in vocab]
        return [vocab.get(t, OOV) for t in tokens]

    def _pad(self, sequences):
        n, length = len(sequences), self.max_len_
        out = np.zeros((n, length), dtype=self.dtype)
        for i, seq in enumerate(sequences):
            seq = self._truncate(seq, length)
            if seq:
                if self.padding == "post":
                    out[i, : len(seq)] = seq
                else:
                    out[i, length - len(seq) :] = seq
        return out

    def transform(self, X):
        """Turn documents into padded sequences of token ids.

        Parameters
        ----------
        X : iterable of str, or array-like of shape (n_samples, n_columns)
            The documents, in the layout seen in fit.

        Returns
        -------
        ids : ndarray of shape (n_samples, `max_len_`)
            Token ids: 0 for padding, 1 for an out-of-vocabulary token, 2 and up
            for the vocabulary.
        """
        check_is_fitted(self)
        analyze = self._analyzer()
        docs = self._documents(X, reset=False)
        return self._pad([self._ids(analyze(doc)) for doc in docs])

    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return the documents' padded token ids.

        Parameters
        ----------
        X : iterable of str, or array-like of shape (n_samples, n_columns)
            The training documents.
        y : None
            Ignored.

        Returns
        -------
        ids : ndarray of shape (n_samples, `max_len_`)
            Token ids, as in :meth:`transform`.
        """
        return self._fit_transform(X)

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit_transform(self, X):
        return self._pad(self._fit(X))

    def get_vocabulary(self):
        """Return the token of each id (index 0 is padding, 1 out-of-vocabulary).

        Returns
        -------
        tokens : ndarray of str of shape (vocabulary_size_,)
            ``tokens[i]`` is the token with id ``i``; ids 0 and 1 read ``'<pad>'``
            and ``'<oov>'``.
        """
        check_is_fitted(self)
        tokens = ["<pad>", "<oov>", *self.vocabulary_]
        return np.asarray(tokens, dtype=object)

    def inverse_transform(self, X):
        """Turn token ids back into text (padding dropped, unknown tokens as <oov>).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_ids)
            Token ids, e.g. the output of :meth:`transform`.

        Returns
        -------
        docs : list of str
            One string per row: its tokens joined by spaces (words) or run
            together (characters).
        """
        tokens = self.get_vocabulary()
        X = np.asarray(X)
        sep = "" if self.analyzer == "char" else " "
        return [sep.join(tokens[i] for i in row if i != PAD) for row in X]

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the positions in the sequence.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the output columns are sequence positions, not input
            features).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``['textsequencer0', 'textsequencer1', ...]``, one per position.
        """
        check_is_fitted(self)
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self.max_len_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = True
        tags.transformer_tags.preserves_dtype = []
        tags.requires_fit = True
        return tags


def _is_2d(X):
    """Whether X holds rows of cells (or is malformed) rather than documents."""
    if hasattr(X, "columns") or sp.issparse(X):
        return True
    if hasattr(X, "ndim"):  # ndarray, pandas Series
        return X.ndim != 1
    if isinstance(X, (list, tuple)):
        return bool(X) and all(isinstance(row, (list, tuple, np.ndarray)) for row in X)
    if hasattr(X, "__array__"):
        return np.asarray(X).ndim != 1
    return False
