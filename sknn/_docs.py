"""Docstring fragments that several estimators share, written once."""

__all__ = ["TRAINING_EXTRAS_DOC", "fill_training_extras"]

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
