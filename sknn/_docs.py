"""Docstring fragments that several estimators share, written once."""

__all__ = [
    "TRAINING_EXTRAS_DOC",
    "TRAINING_PARAMS_DOCS",
    "fill_training_extras",
    "fill_training_params",
]

#: The parameters that every estimator trained by backpropagation adds to
#: scikit-learn's: checkpoints and the GPU-path options.
TRAINING_EXTRAS_DOC = """    checkpoint_dir : str or path-like, default=None
        Directory to save a checkpoint of the training run to every
        ``checkpoint_every`` epochs (not in scikit-learn). If ``fit`` is
        interrupted (a crash, a killed process, Ctrl-C), calling ``fit`` again
        with the same parameters and data resumes from the last checkpoint and
        ends with the same result as an uninterrupted fit. Each run (class,
        parameters, data) has its own file, so one directory serves a whole
        grid search; a run's file is deleted when the run completes. Writes are
        atomic, and a corrupt checkpoint raises a ``ValueError``. Used by the
        stochastic solvers in ``fit`` (not ``partial_fit`` or ``'lbfgs'``).

    checkpoint_every : int, default=1
        Number of epochs between checkpoints.

    precision : {None, 'bf16', 'fp16'}, default=None
        Mixed-precision training (not in scikit-learn): the forward pass and the
        loss run under ``torch.autocast`` in bfloat16 or float16, the weights and
        the optimizer stay float32. ``'fp16'`` scales the loss with a
        ``GradScaler``. ``'bf16'`` works on CPUs and recent GPUs; predictions are
        computed in float32. None trains in float32. Used by the stochastic
        solvers.
    compile : bool, default=False
        Train with the forward pass compiled by ``torch.compile`` (not in
        scikit-learn). The first epochs pay the compilation time (tens of seconds
        on a CPU); ``module_`` stays the plain module. Used by the stochastic
        solvers.
"""


def fill_training_extras(cls):
    """Class decorator: put :data:`TRAINING_EXTRAS_DOC` in place of the line
    ``%(training_extras)s`` in the class docstring."""
    if cls.__doc__:
        cls.__doc__ = cls.__doc__.replace("    %(training_extras)s\n", TRAINING_EXTRAS_DOC)
    return cls


#: scikit-learn MLP's training parameters, as the MLPs, convnets and RNNs take them:
#: ``solver`` to ``shuffle``, then ``tol`` to ``max_fun`` (``random_state``, which
#: each estimator describes itself, comes between the two).
TRAINING_PARAMS_DOCS = {
    "    [solver to shuffle]\n\n": """    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The solver for weight optimization: 'lbfgs' runs SciPy's L-BFGS-B on the
        full batch (as scikit-learn does); 'sgd' is torch's SGD with momentum;
        'adam' is torch's (fused, where available) Adam.

    alpha : float, default=0.0001
        Strength of the L2 regularization term, divided by the sample size (the
        batch's total sample weight) when added to the loss, as in scikit-learn.
        Applied to weight matrices only, not to biases.

    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers; ``'auto'`` means
        ``min(200, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning rate schedule, only used when ``solver='sgd'``.

    learning_rate_init : float, default=0.001
        The initial learning rate.

    power_t : float, default=0.5
        Exponent of the inverse scaling schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations ('lbfgs').

    shuffle : bool, default=True
        Whether to shuffle samples in each epoch.

""",
    "    [tol to max_fun]\n": """    tol : float, default=1e-4
        Tolerance for the optimization (see ``n_iter_no_change``).

    verbose : bool, default=False
        Whether to print progress messages to stdout.

    warm_start : bool, default=False
        Reuse the previous solution as initialization when calling fit.

    momentum : float, default=0.9
        Momentum for 'sgd'.

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum with 'sgd' and ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its score
        has not improved by at least ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights with the best validation score.

    validation_fraction : float, default=0.1
        Proportion of training data set aside for early stopping.

    beta_1 : float, default=0.9
        Adam's first-moment decay.

    beta_2 : float, default=0.999
        Adam's second-moment decay.

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int, default=10
        Maximum number of epochs without an improvement of ``tol``.

    max_fun : int, default=15000
        Maximum number of loss function calls, only for ``solver='lbfgs'``.
""",
}


def fill_training_params(text):
    """Put :data:`TRAINING_PARAMS_DOCS` in place of their marker lines in ``text``."""
    for marker, doc in TRAINING_PARAMS_DOCS.items():
        text = text.replace(marker, doc)
    return text
