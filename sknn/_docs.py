'''Docstring text that several estimators share, written once.

:data:`docdict` maps a name to a docstring fragment: one complete numpydoc entry
of a Parameters or Attributes section (or several, a blank line between them),
indented by four spaces as in a class docstring. The class decorator
:func:`fill_doc` puts each fragment in place of its placeholder::

    @fill_doc
    class MLPRegressor(...):
        """...

        Parameters
        ----------
        %(regressor_loss)s

        %(mlp_params)s

        %(device)s
        ...
        """

A placeholder is ``%(name)s`` alone on its line; the fragment takes the line's
place, re-indented to the placeholder's column. The syntax is the one of
MNE-Python's ``fill_doc``/``docdict`` and of printf-style formatting, but the
decorator does not apply the ``%`` operator: it replaces placeholders only, so a
literal ``%`` elsewhere in a docstring needs no escaping. A placeholder whose name
is not in :data:`docdict`, or one that shares its line with other text, raises a
``ValueError`` when the class is defined (at import), so typos cannot reach the
rendered documentation.

Names: a fragment used by several estimator families is named after the
parameter or attribute it documents (``device``, ``history_``); one that a single
family's classifier and regressor share carries the family as prefix
(``mlp_dropout``, ``convnet_module_``, ``rnn_pooling``). A few fragments are
groups of entries, composed from the single ones: ``training_params``,
``training_extras``, ``training_attrs``, and per family ``mlp_params``,
``convnet_params``, ``rnn_params`` (a family's parameters but ``loss``,
``class_weight``, ``device`` and the training extras) and ``mlp_attrs``,
``convnet_attrs``, ``rnn_attrs`` (its fitted attributes but ``classes_``).
'''

import difflib
import re
import textwrap

__all__ = ["docdict", "fill_doc"]

#: Named docstring fragments, each one or more numpydoc entries indented by four
#: spaces. Filled in by :func:`fill_doc`.
docdict: dict[str, str] = {}


def _group(*names):
    """The fragments ``names`` as one, a blank line between entries."""
    return "\n\n".join(docdict[name] for name in names)


# =============================================================================
# Parameters
# =============================================================================

# -- scikit-learn MLP's training parameters (MLPs, convnets, RNNs, autoencoder) --

docdict["solver"] = """\
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The solver for weight optimization: 'lbfgs' runs SciPy's L-BFGS-B on the
        full batch (as scikit-learn does); 'sgd' is torch's SGD with momentum;
        'adam' is torch's (fused, where available) Adam."""

docdict["alpha"] = """\
    alpha : float, default=0.0001
        Strength of the L2 regularization term, divided by the sample size (the
        batch's total sample weight) when added to the loss, as in scikit-learn.
        Applied to weight matrices only, not to biases."""

docdict["batch_size"] = """\
    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers; ``'auto'`` means
        ``min(200, n_samples)``."""

docdict["learning_rate"] = """\
    learning_rate : {'constant', 'invscaling', 'adaptive', 'plateau'}, \
default='constant'
        Learning rate schedule. 'constant', 'invscaling' and 'adaptive' are
        scikit-learn's, used only when ``solver='sgd'`` ('adaptive' divides the
        rate by 5 each time the training loss, or the validation score with
        ``early_stopping``, fails to improve by ``tol`` for ``n_iter_no_change``
        consecutive epochs, and stops once it is below 1e-6). 'plateau', sknn's
        addition, works with 'sgd' and 'adam': on the same condition the rate is
        halved, down to ``learning_rate_init / 10``; training stops when the
        condition is met again at that rate (Keras' ``ReduceLROnPlateau(factor=0.5,
        min_lr=0.0001)`` from 0.001, as in the FCN and ResNet papers for time
        series). The current rate is in ``history_[:, 'lr']``."""

docdict["learning_rate_init"] = """\
    learning_rate_init : float, default=0.001
        The initial learning rate."""

docdict["power_t"] = """\
    power_t : float, default=0.5
        Exponent of the inverse scaling schedule."""

docdict["max_iter"] = """\
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations ('lbfgs')."""

docdict["shuffle"] = """\
    shuffle : bool, default=True
        Whether to shuffle samples in each epoch."""

docdict["random_state"] = """\
    random_state : int, RandomState instance or None, default=None
        Seeds every random draw of training: weight initialisation, the
        validation split, batch shuffling and, where the estimator has them,
        dropout, data augmentation and input noise. With an int, the same seed
        gives identical results on CPU. torch's and NumPy's global random states
        are never changed or consumed."""

docdict["tol"] = """\
    tol : float, default=1e-4
        Tolerance for the optimization (see ``n_iter_no_change``)."""

docdict["verbose"] = """\
    verbose : bool, default=False
        Whether to print progress messages to stdout."""

docdict["warm_start"] = """\
    warm_start : bool, default=False
        Reuse the previous solution as initialization when calling fit."""

docdict["momentum"] = """\
    momentum : float, default=0.9
        Momentum for 'sgd'."""

docdict["nesterovs_momentum"] = """\
    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum with 'sgd' and ``momentum > 0``."""

docdict["early_stopping"] = """\
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, score it after
        each epoch as :meth:`score` does, stop when that score has not improved
        by at least ``tol`` for ``n_iter_no_change`` epochs, and restore the
        weights with the best validation score."""

docdict["validation_fraction"] = """\
    validation_fraction : float, default=0.1
        Proportion of training data set aside for early stopping."""

docdict["beta_1"] = """\
    beta_1 : float, default=0.9
        Adam's first-moment decay."""

docdict["beta_2"] = """\
    beta_2 : float, default=0.999
        Adam's second-moment decay."""

docdict["epsilon"] = """\
    epsilon : float, default=1e-8
        Adam's numerical-stability term."""

docdict["n_iter_no_change"] = """\
    n_iter_no_change : int, default=10
        Maximum number of epochs without an improvement of ``tol``."""

docdict["max_fun"] = """\
    max_fun : int, default=15000
        Maximum number of loss function calls, only for ``solver='lbfgs'``."""

#: scikit-learn MLP's training parameters in its order, ``solver`` to ``max_fun``.
docdict["training_params"] = _group(
    "solver", "alpha", "batch_size", "learning_rate", "learning_rate_init", "power_t",
    "max_iter", "shuffle", "random_state", "tol", "verbose", "warm_start", "momentum",
    "nesterovs_momentum", "early_stopping", "validation_fraction", "beta_1", "beta_2",
    "epsilon", "n_iter_no_change", "max_fun",
)

# -- what sknn adds to every estimator trained by backpropagation ---------------

docdict["checkpoint_dir"] = """\
    checkpoint_dir : str or path-like, default=None
        Directory to save a checkpoint of the training run to every
        ``checkpoint_every`` epochs (not in scikit-learn). If ``fit`` is
        interrupted (a crash, a killed process, Ctrl-C), calling ``fit`` again
        with the same parameters and data resumes from the last checkpoint and
        ends with the same result as an uninterrupted fit. Each run (class,
        parameters, data) has its own file, so one directory serves a whole
        grid search; a run's file is deleted when the run completes. Writes are
        atomic, and a corrupt checkpoint raises a ``ValueError``. Used by the
        stochastic solvers in ``fit`` (not ``partial_fit`` or ``'lbfgs'``)."""

docdict["checkpoint_every"] = """\
    checkpoint_every : int, default=1
        Number of epochs between checkpoints."""

docdict["precision"] = """\
    precision : {None, 'bf16', 'fp16'}, default=None
        Mixed-precision training (not in scikit-learn): the forward pass and the
        loss run under ``torch.autocast`` in bfloat16 or float16, the weights and
        the optimizer stay float32. ``'fp16'`` scales the loss with a
        ``GradScaler``. ``'bf16'`` works on CPUs and recent GPUs (on a CPU, an
        RNN's recurrent layer runs in float32); predictions are computed in
        float32. None trains in float32. Used by the stochastic solvers."""

docdict["compile"] = """\
    compile : bool, default=False
        Train with the forward pass compiled by ``torch.compile`` (not in
        scikit-learn). The first epochs pay the compilation time (tens of seconds
        on a CPU); ``module_`` stays the plain module. Used by the stochastic
        solvers."""

#: The parameters that every estimator trained by backpropagation adds to
#: scikit-learn's, last in its signature: checkpoints and the GPU-path options.
docdict["training_extras"] = _group(
    "checkpoint_dir", "checkpoint_every", "precision", "compile"
)

# -- other parameters shared across families ------------------------------------

docdict["regressor_loss"] = """\
    loss : {'squared_error', 'poisson'}, default='squared_error'
        Half squared error with an identity output, or half Poisson deviance with
        an exponential output (requires ``y >= 0``)."""

docdict["class_weight"] = """\
    class_weight : dict, 'balanced' or None, default=None
        Weights associated with classes, multiplied into ``sample_weight``."""

docdict["device"] = """\
    device : str, default='auto'
        Where to train and run the network: ``'auto'`` (CUDA when available),
        ``'cpu'``, ``'cuda'`` or ``'cuda:N'``. The parameter is stored as given."""

# -- MLPClassifier, MLPRegressor ------------------------------------------------

docdict["mlp_hidden_layer_sizes"] = """\
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element represents the number of neurons in the ith hidden layer."""

docdict["mlp_activation"] = """\
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
'selu', 'gelu', 'silu', 'softplus'}, default='relu'
        Activation function for the hidden layers. The first four are
        scikit-learn's; the others are torch's layers of the same name."""

docdict["mlp_dropout"] = """\
    dropout : float, default=0.0
        Dropout probability after each hidden activation (not in scikit-learn)."""

docdict["mlp_batch_norm"] = """\
    batch_norm : bool, default=False
        Batch normalization before each hidden activation (not in scikit-learn)."""

docdict["mlp_weight_init"] = """\
    weight_init : {'glorot_uniform', 'glorot_normal', 'he_uniform', \
'he_normal'}, default='glorot_uniform'
        Initialisation of the weights. Glorot schemes multiply the scale by 4
        for ``activation='logistic'``."""

docdict["mlp_pretrain"] = """\
    pretrain : estimator, list of (coef, intercept) pairs or None, default=None
        Unsupervised pre-training of the first hidden layers (not in
        scikit-learn). An :class:`~sknn.RBMTransformer` or
        :class:`~sknn.AutoencoderTransformer` (anything with ``encoder_layers_``
        after fit): if it is not fitted, a clone is fitted on ``X`` at the start of
        ``fit``; a fitted one (e.g. fitted on many unlabeled rows) is used as is
        (wrap it in :class:`sklearn.frozen.FrozenEstimator` to keep it fitted
        through ``clone`` in ``GridSearchCV`` or ``cross_val_score``). Its layers
        initialise the first hidden layers, which are then fine-tuned with
        backpropagation with the rest of the network. Layer sizes must match
        ``hidden_layer_sizes``; RBM units are logistic, so use
        ``activation='logistic'`` with an RBM stack."""

#: The MLPs' parameters up to ``pretrain``: all but ``loss``, ``class_weight``,
#: ``device`` and the training extras.
docdict["mlp_params"] = _group(
    "mlp_hidden_layer_sizes", "mlp_activation", "training_params", "mlp_dropout",
    "mlp_batch_norm", "mlp_weight_init", "mlp_pretrain",
)

# -- ConvNetClassifier, ConvNetRegressor ----------------------------------------

docdict["convnet_conv_dim"] = """\
    conv_dim : {1, 2}, default=2
        What a sample is. 2: an image, ``X`` of shape ``(n_samples, height, width)``
        (grayscale) or ``(n_samples, channels, height, width)``. 1: a numeric
        sequence, ``X`` of shape ``(n_samples, timesteps, n_features)`` or
        ``(n_samples, timesteps)`` (univariate), convolved over time. Token ids
        (see ``embedding_dim``) take the text network whatever ``conv_dim``."""

docdict["convnet_input_shape"] = """\
    input_shape : tuple of int, default=None
        How to reshape each row of a 2-D ``X`` into a sample: ``(height, width)`` or
        ``(channels, height, width)`` for images, ``(timesteps, n_features)`` for
        sequences. One entry may be -1 (inferred from the number of columns). With
        it, the estimator works after 2-D transformers such as
        :class:`~sklearn.preprocessing.StandardScaler` in a pipeline. Without it,
        2-D ``X`` is an error for images and univariate series for sequences."""

docdict["convnet_channels"] = """\
    channels : array-like of int or 'auto', default='auto'
        Output channels (feature maps) of each convolution block; one block per
        entry (with ``residual``, a residual block of that width). On token ids,
        the number of filters of each width in ``kernel_size`` (one count for all
        widths, or one per width). 'auto': ``(32, 64)`` for images and sequences,
        ``(100,)`` for token ids."""

docdict["convnet_kernel_size"] = """\
    kernel_size : int, array-like of int or 'auto', default='auto'
        Kernel size of every block (square for images), or one per block. Stride 1
        and "same" zero padding: only pooling changes the size. With ``residual``,
        the kernel sizes of the convolutions inside every block. On token ids, the
        widths of the parallel filters (in tokens), each maxed over the text.
        'auto': 3 for images and sequences, ``(3, 4, 5)`` for token ids (Kim,
        2014)."""

docdict["convnet_pooling"] = """\
    pooling : {'max', 'avg'} or None, default='max'
        Pooling after each convolution block, with window and stride ``pool_size``
        (an axis shorter than the window becomes 1). None: no pooling."""

docdict["convnet_pool_size"] = """\
    pool_size : int, default=2
        Window and stride of the pooling."""

docdict["convnet_global_pooling"] = """\
    global_pooling : {'auto', 'avg', 'max'} or None, default='auto'
        How the last feature maps become one vector: averaged ('avg', global
        average pooling as in fully convolutional networks) or maxed ('max') over
        all positions, so any sequence length works, or flattened (None), which
        keeps where features are. 'auto': 'avg' for ``conv_dim=1``, None for
        ``conv_dim=2``, 'max' (max over time) for token ids, where 'avg' averages
        each filter over the text instead (with ``kernel_size=1`` and
        ``activation='identity'``, a fastText-style model) and None is refused.
        ``pooling`` and ``pool_size`` apply to images and sequences only."""

docdict["convnet_hidden_layer_sizes"] = """\
    hidden_layer_sizes : array-like of int or 'auto', default='auto'
        Widths of the dense hidden layers between the convolutional features and
        the output layer, as in :class:`MLPClassifier`; ``()`` for none. 'auto':
        ``(100,)`` for images and sequences, ``()`` for token ids."""

docdict["convnet_activation"] = """\
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
'selu', 'gelu', 'silu', 'softplus'}, default='relu'
        Activation of the convolution blocks and of the dense hidden layers."""

docdict["convnet_dropout"] = """\
    dropout : float or 'auto', default='auto'
        Dropout probability on the features entering the dense head and after
        each dense hidden activation. 'auto': 0 for images and sequences, 0.5 for
        token ids."""

docdict["convnet_embedding_dim"] = """\
    embedding_dim : int, 'auto' or None, default='auto'
        Whether, and into how many values, token ids are embedded, as in
        :class:`RNNClassifier`. 'auto': when ``input_shape`` is None and ``X``
        holds only non-negative integers (2-D rows, e.g. :class:`TextSequencer`'s
        output, or a list of 1-D sequences; 0 is padding), ``X`` is read as token
        ids and fed to a text CNN (Kim, 2014: an embedding of 64 values per token,
        parallel 1-D convolutions of several widths, max over time, reading the
        first 512 tokens of each text); any other
        ``X`` (floats, 3-D or 4-D arrays, or rows with ``input_shape``) is an image
        or a numeric sequence. An int: always token ids (whole-number floats too),
        embedded into that many values. None: never token ids. The decision of the
        first fit is kept in ``embeds_tokens_``."""

docdict["convnet_vocab_size"] = """\
    vocab_size : int, default=None
        Rows of the embedding table (ids ``0 .. vocab_size - 1``), e.g.
        :class:`TextSequencer`'s ``vocabulary_size_``; None: one more than the
        largest id seen in the first fit (larger ids are then errors)."""

docdict["convnet_residual"] = """\
    residual : bool, default=False
        Residual blocks for images and numeric sequences: each entry of
        ``channels`` is then a block of several convolutions of that width, one
        per entry of ``kernel_size`` (an int ``k``: two of size ``k``, the basic
        block of He et al., 2016), each followed by batch normalization (with
        ``batch_norm``) and, but for the last, the activation; a shortcut (a 1x1
        convolution when the width changes, followed by batch normalization with
        ``batch_norm``; otherwise batch normalization alone, or the identity) is
        added and the sum goes through the activation, then the ``pooling``.
        ``channels=(64, 128, 128), kernel_size=(8, 5, 3), pooling=None,
        batch_norm=True`` is the ResNet for time series of Wang, Yan & Oates
        (2017) (:ref:`recipe <convnet_sequences>`). Not for token ids."""

docdict["convnet_batch_norm"] = """\
    batch_norm : bool, default=False
        Batch normalization before each activation (convolutional and dense); in
        residual blocks, also after the last convolution and on the shortcut."""

docdict["convnet_weight_init"] = """\
    weight_init : {'glorot_uniform', 'glorot_normal', 'he_uniform', \
'he_normal'}, default='glorot_uniform'
        Initialisation of the weights; for convolutions the fans are the channels
        times the kernel area."""

docdict["convnet_random_shift"] = """\
    random_shift : int, default=0
        Data augmentation: in every training batch, shift each sample by a random
        number of pixels (time steps) in ``[-random_shift, random_shift]`` along
        each axis, filling with zeros. 0 (the default) for none."""

docdict["convnet_random_flip"] = """\
    random_flip : bool, default=False
        Data augmentation for images: mirror each training image left-right with
        probability 1/2. Off by default (it is wrong for digits and text)."""

docdict["convnet_batch_size"] = """\
    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers; ``'auto'`` means
        ``min(200, n_samples)``, or ``min(50, n_samples)`` on token ids."""

docdict["convnet_learning_rate_init"] = """\
    learning_rate_init : float or 'auto', default='auto'
        The initial learning rate. 'auto': 0.001 for images and sequences (as in
        scikit-learn's MLP), 0.005 on token ids, whose embeddings are learnt from
        scratch."""

docdict["text_tol"] = """\
    tol : float or 'auto', default='auto'
        Tolerance for the optimization (see ``n_iter_no_change``). 'auto': 1e-4
        (scikit-learn's MLP), or 0.01 for a classifier with a stochastic solver on
        token ids (regressors keep 1e-4: their loss is in the units of y), whose
        training loss falls within a few epochs and then creeps towards 0 while
        the test accuracy stays put: with ``n_iter_no_change='auto'``, a text fit
        stops once its training loss has improved by less than 0.01 for 3 epochs
        in a row (10 to 15 epochs on the corpora of ``benchmarks/bench_text.py``)."""

docdict["text_n_iter_no_change"] = """\
    n_iter_no_change : int or 'auto', default='auto'
        Maximum number of epochs without an improvement of ``tol``. 'auto': 10
        (scikit-learn's MLP), or 2 for a classifier with a stochastic solver on
        token ids (see ``tol``)."""

docdict["convnet_training_params"] = _group(
    "solver", "alpha", "convnet_batch_size", "learning_rate", "convnet_learning_rate_init",
    "power_t", "max_iter", "shuffle", "random_state", "text_tol", "verbose", "warm_start",
    "momentum", "nesterovs_momentum", "early_stopping", "validation_fraction", "beta_1",
    "beta_2", "epsilon", "text_n_iter_no_change", "max_fun",
)

#: The convnets' parameters ``conv_dim`` to ``max_fun``: all but ``loss``,
#: ``class_weight``, ``device`` and the training extras.
docdict["convnet_params"] = _group(
    "convnet_conv_dim", "convnet_input_shape", "convnet_channels", "convnet_kernel_size",
    "convnet_pooling", "convnet_pool_size", "convnet_global_pooling",
    "convnet_hidden_layer_sizes", "convnet_activation", "convnet_dropout",
    "convnet_embedding_dim", "convnet_vocab_size", "convnet_residual",
    "convnet_batch_norm", "convnet_weight_init", "convnet_random_shift",
    "convnet_random_flip", "convnet_training_params",
)

# -- RNNClassifier, RNNRegressor ------------------------------------------------

docdict["rnn_cell"] = """\
    cell : {'lstm', 'gru', 'rnn'}, default='lstm'
        The recurrent unit: long short-term memory (LSTM), gated recurrent unit
        (GRU), or a plain Elman network of tanh units ('rnn')."""

docdict["rnn_hidden_size"] = """\
    hidden_size : int, default=64
        Number of units of each recurrent layer (per direction)."""

docdict["rnn_num_layers"] = """\
    num_layers : int, default=1
        Number of stacked recurrent layers."""

docdict["rnn_bidirectional"] = """\
    bidirectional : bool, default=False
        Whether every recurrent layer also reads the sequences backwards (the two
        directions' features are concatenated)."""

docdict["rnn_pooling"] = """\
    pooling : {'last', 'avg', 'max', 'auto'}, default='auto'
        How each sequence is summarised for the dense head: the last layer's final
        hidden state ('last'; with ``bidirectional=True`` the forward state after
        the last step and the backward state after the first), or the mean ('avg')
        or maximum ('max') of its outputs over the real steps. Padding never
        enters the summary. 'auto': 'last' for numeric sequences, 'max' for token
        ids (every part of a long text reaches the summary)."""

docdict["rnn_input_shape"] = """\
    input_shape : tuple of int, default=None
        How to reshape each row of a 2-D ``X`` into a sequence: ``(timesteps,
        n_features)``; one entry may be -1 (inferred). With it, the estimator works
        after 2-D transformers (e.g. :class:`~sklearn.preprocessing.StandardScaler`)
        in a pipeline. Without it, 2-D numeric ``X`` holds univariate series (one
        value per time step). Not used with token ids: with ``input_shape`` set,
        ``embedding_dim='auto'`` reads ``X`` as numeric, and an int
        ``embedding_dim`` is an error."""

docdict["rnn_embedding_dim"] = """\
    embedding_dim : int, 'auto' or None, default='auto'
        Whether ``X`` holds integer token ids, each replaced by a learned
        embedding vector before the recurrent layers, and the vectors' size. Id 0
        is padding and is ignored wherever it appears (e.g. the output of
        :class:`TextSequencer`). 'auto': decided by the ``X`` of ``fit`` (and
        kept for prediction, see ``embeds_tokens_``): integer ``X`` with no
        negative value, as 2-D rows or a list of 1-D sequences, is token ids,
        embedded in vectors of 64 numbers (the network reads the first 512
        tokens of each sequence, and the text defaults of ``pooling``,
        ``learning_rate_init``, ``batch_size``, ``tol`` and ``n_iter_no_change``
        apply); float ``X``, 3-D ``X``, integers with a
        negative value, and any ``X`` with ``input_shape`` set are numeric
        features. An int: ``X`` always holds token ids (whole-number floats are
        accepted), embedded in vectors of this size. None: never embed; ``X``
        holds numeric features (any numeric dtype, integers included, is read as
        float), which is what integer-valued measurements such as counts need."""

docdict["rnn_vocab_size"] = """\
    vocab_size : int, default=None
        Number of rows of the embedding table (token ids ``0 .. vocab_size -
        1``); None infers it from the largest id seen in ``fit`` (with
        ``embedding_dim='auto'``, ids of 2**20 or more are then refused as too
        large a table: pass ``vocab_size``). Ids beyond it are an error at
        prediction time. Only with token ids: an error with ``embedding_dim=None``
        or when ``X`` does not hold token ids."""

docdict["rnn_hidden_layer_sizes"] = """\
    hidden_layer_sizes : array-like of int, default=()
        Widths of the dense hidden layers between the sequence summary and the
        output layer, as in :class:`MLPClassifier`; ``()`` (the default) for a
        linear output layer on the summary."""

docdict["rnn_activation"] = """\
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
'selu', 'gelu', 'silu', 'softplus'}, default='relu'
        Activation of the dense hidden layers (the recurrent cells use their own
        sigmoid and tanh gates)."""

docdict["rnn_dropout"] = """\
    dropout : float, default=0.0
        Dropout probability between stacked recurrent layers, on the sequence
        summary and after each dense hidden activation."""

docdict["rnn_weight_init"] = """\
    weight_init : {'glorot_uniform', 'glorot_normal', 'he_uniform', \
'he_normal'}, default='glorot_uniform'
        Initialisation of the dense layers. The recurrent layers use Keras'
        defaults: Glorot-uniform input weights, orthogonal recurrent weights, zero
        biases and, for LSTMs, a forget-gate bias of 1."""

docdict["rnn_clip_grad_norm"] = """\
    clip_grad_norm : float or None, default=1.0
        Rescale the gradient of every batch so that its global L2 norm is at most
        this value (gradient clipping, against the exploding gradients of
        recurrent networks); None for no clipping. Stochastic solvers only."""

docdict["rnn_batch_size"] = """\
    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers; ``'auto'`` means
        ``min(200, n_samples)``, or ``min(50, n_samples)`` on token ids."""

docdict["rnn_learning_rate_init"] = """\
    learning_rate_init : float or 'auto', default='auto'
        The initial learning rate. 'auto': 0.001 for numeric sequences (as in
        scikit-learn's MLP), 0.005 on token ids, whose embeddings are learnt from
        scratch."""

docdict["rnn_training_params"] = _group(
    "solver", "alpha", "rnn_batch_size", "learning_rate", "rnn_learning_rate_init",
    "power_t", "max_iter", "shuffle", "random_state", "text_tol", "verbose", "warm_start",
    "momentum", "nesterovs_momentum", "early_stopping", "validation_fraction", "beta_1",
    "beta_2", "epsilon", "text_n_iter_no_change", "max_fun",
)

#: The RNNs' parameters ``cell`` to ``max_fun``: all but ``loss``, ``class_weight``,
#: ``device`` and the training extras.
docdict["rnn_params"] = _group(
    "rnn_cell", "rnn_hidden_size", "rnn_num_layers", "rnn_bidirectional", "rnn_pooling",
    "rnn_input_shape", "rnn_embedding_dim", "rnn_vocab_size", "rnn_hidden_layer_sizes",
    "rnn_activation", "rnn_dropout", "rnn_weight_init", "rnn_clip_grad_norm",
    "rnn_training_params",
)

# =============================================================================
# Attributes
# =============================================================================

docdict["classes_"] = """\
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels."""

docdict["n_features_in_"] = """\
    n_features_in_ : int
        Number of features seen during fit."""

docdict["feature_names_in_"] = """\
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string feature names."""

docdict["loss_"] = """\
    loss_ : float
        The current loss computed with the loss function, penalty terms (such as
        the L2 term) included."""

docdict["best_loss_"] = """\
    best_loss_ : float or None
        The minimum loss reached during fit; None with ``early_stopping=True``."""

docdict["loss_curve_"] = """\
    loss_curve_ : list of float
        The loss at the end of each epoch."""

docdict["validation_scores_"] = """\
    validation_scores_ : list of float or None
        Score (as :meth:`score` computes it) on the validation set at each epoch
        (``early_stopping=True`` only)."""

docdict["best_validation_score_"] = """\
    best_validation_score_ : float or None
        The best validation score (``early_stopping=True`` only)."""

docdict["t_"] = """\
    t_ : int
        Number of training samples seen by the solver during fitting."""

#: What the training loop of every estimator trained by backpropagation records.
docdict["training_attrs"] = _group(
    "loss_", "best_loss_", "loss_curve_", "validation_scores_", "best_validation_score_",
    "t_",
)

docdict["n_iter_"] = """\
    n_iter_ : int
        The number of epochs (or L-BFGS iterations) the solver ran in the last
        call to fit or partial_fit."""

docdict["n_outputs_"] = """\
    n_outputs_ : int
        Number of output units."""

docdict["out_activation_"] = """\
    out_activation_ : str
        Name of the output activation function."""

docdict["history_"] = """\
    history_ : list of dict
        One dict per epoch (``loss``, ``train_loss``, ``lr``, ``dur``, and
        ``validation_score`` with early stopping); it also takes column slices
        such as ``history_[:, 'loss']``."""

docdict["encoder_layers_"] = """\
    encoder_layers_ : list of (ndarray, ndarray)
        ``(coef, intercept)`` of each encoder layer, from the input up to the top
        (code) layer; ``coef`` has shape ``(fan_in, fan_out)``, as in
        ``MLPClassifier.coefs_``. :class:`MLPClassifier`'s ``pretrain``
        initialises its first hidden layers with them."""

# -- MLPClassifier, MLPRegressor ------------------------------------------------

docdict["mlp_coefs_"] = """\
    coefs_ : list of ndarray
        ``coefs_[i]`` is the ``(fan_in, fan_out)`` weight matrix of layer i."""

docdict["mlp_intercepts_"] = """\
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer i + 1."""

docdict["mlp_n_layers_"] = """\
    n_layers_ : int
        Number of layers."""

docdict["mlp_module_"] = """\
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.MLPModule`; it returns raw outputs."""

docdict["mlp_pretrain_"] = """\
    pretrain_ : estimator
        The fitted ``pretrain`` estimator whose layers initialised the network
        (only when ``pretrain`` is an estimator)."""

#: The MLPs' fitted attributes (``classes_`` aside).
docdict["mlp_attrs"] = _group(
    "training_attrs", "mlp_coefs_", "mlp_intercepts_", "n_features_in_",
    "feature_names_in_", "n_iter_", "mlp_n_layers_", "n_outputs_", "out_activation_",
    "mlp_module_", "mlp_pretrain_", "history_",
)

# -- ConvNetClassifier, ConvNetRegressor ----------------------------------------

docdict["convnet_input_shape_"] = """\
    input_shape_ : tuple of int
        Shape of one sample as fitted: ``(channels, height, width)`` for images,
        ``(timesteps, n_features)`` for sequences (with global pooling, sequences
        of any length can be predicted when passed as 3-D arrays), ``(None,)`` for
        token ids (texts of any length can be predicted as a list of sequences;
        2-D rows must be as wide as in fit)."""

docdict["convnet_embeds_tokens_"] = """\
    embeds_tokens_ : bool
        Whether the first fit read ``X`` as token ids (see ``embedding_dim``)."""

docdict["convnet_vocab_size_"] = """\
    vocab_size_ : int
        Rows of the embedding table (only when fitted on token ids)."""

docdict["convnet_n_features_in_"] = """\
    n_features_in_ : int
        Number of values per sample (the columns of 2-D ``X``)."""

docdict["convnet_module_"] = """\
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.ConvNetModule`; it returns raw outputs
        and takes channels-first batches (``(n, channels, timesteps)`` for
        sequences). ``module_.conv_layers[0].weight`` holds the first layer's
        filters. On token ids, a :class:`sknn.modules.TextConvNetModule`."""

#: The convnets' fitted attributes (``classes_`` aside).
docdict["convnet_attrs"] = _group(
    "convnet_input_shape_", "convnet_n_features_in_", "feature_names_in_",
    "convnet_embeds_tokens_", "convnet_vocab_size_",
    "training_attrs", "n_iter_", "n_outputs_", "out_activation_", "convnet_module_",
    "history_",
)

# -- RNNClassifier, RNNRegressor ------------------------------------------------

docdict["rnn_input_shape_"] = """\
    input_shape_ : tuple
        Shape of one sample as fitted: ``(timesteps, n_features)`` for numeric
        sequences, ``(timesteps,)`` for token ids; ``timesteps`` is None when
        fitted on sequences of different lengths. Sequences of any length can be
        predicted when passed as 3-D arrays or lists; 2-D rows must have the
        fitted number of columns."""

docdict["rnn_n_features_in_"] = """\
    n_features_in_ : int
        Number of columns of 2-D ``X`` seen in fit; for 3-D or variable-length
        input, the number of features per time step (1 for token ids)."""

docdict["rnn_embeds_tokens_"] = """\
    embeds_tokens_ : bool
        Whether the network reads ``X`` as token ids through an embedding (decided
        in the first ``fit`` from ``embedding_dim`` and, with 'auto', from ``X``);
        prediction reads ``X`` the same way."""

docdict["rnn_vocab_size_"] = """\
    vocab_size_ : int
        Rows of the embedding table (only when ``embeds_tokens_``)."""

docdict["rnn_module_"] = """\
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.RNNModule`; it returns raw outputs and
        takes batches of sequences ``(n, timesteps, n_features)`` padded with
        all-NaN steps, or token ids ``(n, timesteps)`` padded with 0."""

#: The RNNs' fitted attributes (``classes_`` aside).
docdict["rnn_attrs"] = _group(
    "rnn_input_shape_", "rnn_n_features_in_", "feature_names_in_", "rnn_embeds_tokens_",
    "rnn_vocab_size_",
    "training_attrs", "n_iter_", "n_outputs_", "out_activation_", "rnn_module_",
    "history_",
)


# =============================================================================
# The decorator
# =============================================================================

# Anything that looks like a placeholder, and a placeholder alone on its line.
_PLACEHOLDER = re.compile(r"%\((?P<name>[^()\n]*)\)s")
_PLACEHOLDER_LINE = re.compile(
    r"^(?P<indent>[ \t]*)%\((?P<name>[^()\n]*)\)s[ \t]*$", re.MULTILINE
)


def _unknown(owner, name):
    close = difflib.get_close_matches(name, docdict, n=3)
    hint = f" Did you mean {', '.join(f'%({c})s' for c in close)}?" if close else ""
    return ValueError(
        f"The docstring of {owner} has the placeholder %({name})s, but {name!r} is not "
        f"a fragment in sknn._docs.docdict.{hint}"
    )


def fill_doc(obj):
    """Class decorator: fill the ``%(name)s`` placeholders of a docstring.

    Each line that holds only a placeholder is replaced by ``docdict[name]``,
    re-indented to the placeholder's column. Other text, a literal ``%``
    included, is left as it is.

    Parameters
    ----------
    obj : class or function
        The object whose ``__doc__`` to fill (a class, as a decorator).

    Returns
    -------
    obj : class or function
        ``obj``, its docstring filled in.

    Raises
    ------
    ValueError
        If a placeholder names no fragment of :data:`docdict`, or shares its line
        with other text.
    """
    doc = obj.__doc__
    if not doc:  # no docstring, or stripped by ``python -OO``
        return obj
    owner = getattr(obj, "__qualname__", repr(obj))

    def fragment(match):
        name = match["name"]
        if name not in docdict:
            raise _unknown(owner, name)
        return textwrap.indent(textwrap.dedent(docdict[name]), match["indent"])

    doc = _PLACEHOLDER_LINE.sub(fragment, doc)
    stray = _PLACEHOLDER.search(doc)
    if stray is not None:
        name = stray["name"]
        if name not in docdict:
            raise _unknown(owner, name)
        raise ValueError(
            f"The docstring of {owner} has the placeholder %({name})s inside a line "
            "of text; a placeholder must stand alone on its line."
        )
    obj.__doc__ = doc
    return obj
