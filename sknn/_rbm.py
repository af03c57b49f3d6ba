"""Restricted Boltzmann machines trained by contrastive divergence, and their stacks."""

import contextlib
import copy
import time
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ._base import PREDICT_DTYPES, BaseNeuralEstimator, check_finite_output
from ._docs import fill_doc
from ._engine import make_history
from ._persistence import load_device, plain, to_cpu, to_numpy_tree, to_tensor_tree
from .modules import DBNModule, RBMModule
from .modules._rbm import CDBuffers
from .utils._batching import apply_batched, as_tensor_rows
from .utils._compat import Interval, StrOptions, _fit_context, validate_data
from .utils._torch import flush_denormal, seed_sequence, torch_num_threads

__all__ = ["RBMTransformer"]

# Rows gathered (and, for sparse input, densified) at a time while training.
_CHUNK_ROWS = 8192
# Below this many multiply-adds per batch (batch x visible x hidden), CPU training
# runs on one thread: synchronising two costs more than it saves, and far more when
# another process keeps a core busy (benchmarks/bench_rbm.py --threads measures it).
_ONE_THREAD_WORK = 2**24


class _CDState:
    """The training state of contrastive divergence, held in ``_engine``: the module,
    its device and the history (what the shared base reads), plus the persistent
    chains, the momentum velocities and the sparsity estimates."""

    def __init__(self, module, device):
        self.module_ = module
        self.device = str(device)
        self.history_ = make_history()
        self.chains = [None] * len(module.rbms)
        self.velocity = [None] * len(module.rbms)
        self.sparsity_q = [None] * len(module.rbms)

    @property
    def history(self):
        return self.history_

    def tensors(self):
        return self.chains, self.velocity, self.sparsity_q

    def to(self, device):
        self.module_.to(device)
        for group in self.tensors():
            for i, value in enumerate(group):
                if isinstance(value, torch.Tensor):
                    group[i] = value.to(device)
                elif isinstance(value, list):
                    group[i] = [t.to(device) for t in value]
        self.device = str(device)


@fill_doc
class RBMTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator):
    """Restricted Boltzmann machine (or a stack of them) trained by contrastive divergence.

    A drop-in replacement for :class:`sklearn.neural_network.BernoulliRBM` (the
    same parameters, defaults and fitted attributes) that trains with PyTorch, on a
    GPU when there is one, and adds Gaussian visible units, CD-k, momentum, weight
    decay, a sparsity target and greedy layer-wise stacking (a deep belief net).

    Read more in the :ref:`User Guide <rbm>`.

    Parameters
    ----------
    n_components : int or list of int, default=256
        Number of binary hidden units. A list such as ``[256, 64]`` trains a stack
        of RBMs greedily, layer by layer (each on the hidden probabilities of the
        one below), and ``transform`` returns the top layer.

    learning_rate : float, default=0.1
        The learning rate of the weight updates. Gaussian visible units usually
        need a smaller one (about 0.001 to 0.01).

    batch_size : int, default=10
        Number of examples per minibatch; also the number of persistent chains.

    n_iter : int, default=10
        Number of passes over the training data (epochs), per layer.

    verbose : int, default=0
        Print the pseudo-likelihood (or, for Gaussian units, the reconstruction
        error) and the time after every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling and the Gibbs sampling. With an
        int, results are identical from run to run on the CPU. NumPy's and torch's
        global random states are never used.

    visible_unit : {'bernoulli', 'gaussian'}, default='bernoulli'
        Bernoulli units model values in [0, 1] (binary data or probabilities such
        as pixel intensities). As in :class:`~sklearn.neural_network.BernoulliRBM`,
        any real X is accepted and its values are used as probabilities as they
        are: scale X into [0, 1] (e.g. with
        :class:`~sklearn.preprocessing.MinMaxScaler`) for meaningful features.
        Gaussian units of
        unit variance model real values and expect standardized columns (e.g.
        after :class:`~sklearn.preprocessing.StandardScaler`). Upper layers of a
        stack are always Bernoulli.

    k : int, default=1
        Number of Gibbs steps in the negative phase (CD-k / PCD-k).

    persistent : bool, default=True
        Persistent contrastive divergence (Tieleman 2008), as in scikit-learn:
        the negative chains continue from one minibatch to the next. False runs
        plain CD-k, restarting the chains from each minibatch.

    momentum : float, default=0.0
        Momentum of the parameter updates (Hinton's guide suggests 0.5 to 0.9).

    weight_decay : float, default=0.0
        L2 weight decay on the weights (not the biases), added to each update as
        ``-learning_rate * weight_decay * W``.

    sparsity_target : float or None, default=None
        Target mean activation of the hidden units. When set, each update adds
        ``sparsity_cost * (sparsity_target - q)`` to the hidden units' total input
        gradient, where ``q`` is a running mean of their activation (Lee et al.
        2008; Hinton's practical guide, section 11).

    sparsity_cost : float, default=0.1
        Strength of the sparsity penalty; only used with ``sparsity_target``.

    %(device)s

    checkpoint_dir : str or path-like, default=None
        Directory to save a checkpoint of the training run to every
        ``checkpoint_every`` epochs (and at the end of each layer of a stack). If
        ``fit`` is interrupted, calling it again with the same parameters and data
        resumes from the last checkpoint and ends with the same model as an
        uninterrupted fit. One file per run, deleted when the run completes;
        atomic writes; a corrupt checkpoint raises a ``ValueError``. Used by
        ``fit`` only (not ``partial_fit``).

    %(checkpoint_every)s

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weight matrix of the bottom RBM, where ``n_components`` is its number of
        hidden units (each row is a filter on the input). Like the other
        scikit-learn attributes below, its dtype is that of the X given to ``fit``
        (float32 or float64; float64 for other dtypes and after ``partial_fit``),
        as in scikit-learn.

    intercept_hidden_ : ndarray of shape (n_components,)
        Biases of the bottom RBM's hidden units.

    intercept_visible_ : ndarray of shape (n_features,)
        Biases (Gaussian units: means) of the visible units.

    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the bottom RBM's persistent chains
        (``persistent=True`` only).

    %(encoder_layers_)s

    n_layers_ : int
        Number of stacked RBMs.

    log_partition_ : float
        ``log Z`` of the bottom RBM estimated by annealed importance sampling; set
        by :meth:`estimate_log_partition` (and :meth:`log_likelihood`).

    log_partition_std_ : float
        Standard error of that estimate.

    %(n_features_in_)s

    %(feature_names_in_)s

    module_ : sknn.modules.DBNModule
        The trained stack of :class:`sknn.modules.RBMModule`.

    history_ : list of dict
        One entry per epoch: ``layer``, ``epoch``, ``reconstruction_error``
        (mean squared error of one Gibbs step on up to 1000 training rows) and
        ``dur``; it also takes column slices such as ``history_[:, 'epoch']``.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : The NumPy implementation.
    AutoencoderTransformer : Features learned by backpropagation instead.

    Notes
    -----
    Training runs in float32 (on the CPU and on GPUs alike). Outputs follow
    scikit-learn's dtypes: ``transform`` and ``score_samples`` return float32 when
    both X and the X given to ``fit`` were float32, and otherwise float64,
    computed in float64 on the CPU; ``gibbs`` returns booleans (Bernoulli units),
    as ``BernoulliRBM`` does. On the CPU, small
    minibatches run on one thread (faster than two for this workload); the
    thread count is restored afterwards. If the weights become NaN or infinite
    (a learning rate too large, often with Gaussian units), training stops with a
    :class:`sknn.TrainingDivergedWarning` and the weights of the last finite epoch
    are kept.

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive
    divergence. Neural Computation 14(8).

    Tieleman, T. (2008). Training restricted Boltzmann machines using
    approximations to the likelihood gradient. ICML.

    Hinton, G. E., Osindero, S. & Teh, Y. (2006). A fast learning algorithm for
    deep belief nets. Neural Computation 18(7).

    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep
    belief networks. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import RBMTransformer
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> rbm = RBMTransformer(n_components=2, random_state=0, device="cpu").fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "visible_unit": [StrOptions({"bernoulli", "gaussian"})],
        "k": [Interval(Integral, 1, None, closed="left")],
        "persistent": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [None, Interval(Real, 0, 1, closed="neither")],
        "sparsity_cost": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        visible_unit="bernoulli",
        k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        sparsity_target=None,
        sparsity_cost=0.1,
        device="auto",
        checkpoint_dir=None,
        checkpoint_every=1,
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.visible_unit = visible_unit
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.sparsity_target = sparsity_target
        self.sparsity_cost = sparsity_cost
        self.device = device
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every

    # ------------------------------------------------------------ parameters
    def _sizes(self):
        sizes = self.n_components
        if isinstance(sizes, (Integral, np.integer)) and not isinstance(sizes, bool):
            return [int(sizes)]
        sizes = list(sizes)
        ok = all(
            isinstance(s, (Integral, np.integer)) and not isinstance(s, (bool, np.bool_)) and s > 0
            for s in sizes
        )
        if not sizes or not ok:
            raise ValueError(
                "n_components must be a positive int or a non-empty list of positive "
                f"ints, got {self.n_components!r}."
            )
        return [int(s) for s in sizes]

    def _build_module(self, n_features, n_outputs, generator):
        sizes = [int(n_features), *self._sizes()]
        rbms = [
            RBMModule(
                n_in,
                n_out,
                visible_unit=self.visible_unit if i == 0 else "bernoulli",
                generator=generator,
            )
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        ]
        return DBNModule(rbms)

    @property
    def _n_features_out(self):
        """Number of output features (the top layer's units)."""
        return self.module_.rbms[-1].n_hidden

    # ------------------------------------------------------------ validation
    def _validate_input(self, X, reset):
        """X as BernoulliRBM validates it: any real values (used as they are),
        float32 kept, other dtypes as float64, any sparse format as CSR."""
        return validate_data(self, X, accept_sparse="csr", dtype=PREDICT_DTYPES, reset=reset)

    @property
    def _attr_dtype(self):
        """The dtype of the scikit-learn attributes (float32 for pickles from
        sknn 0.1.0, whose models were always float32)."""
        return np.dtype(getattr(self, "_fit_dtype", "float32"))

    def _out_dtype(self, X):
        """scikit-learn's output dtype: float32 only when both X and the fitted
        attributes are float32 (its float32 X meets float64 weights otherwise)."""
        return np.result_type(X.dtype, self._attr_dtype, np.float32)

    # ----------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to the data X, layer by layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; for Bernoulli visible units, values in [0, 1] (other
            values are accepted and used as they are, as in scikit-learn).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RBMTransformer
            The fitted model.
        """
        return self._fit(X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Fit the model to a chunk of data: one epoch over X, for out-of-core use.

        Unlike scikit-learn's ``BernoulliRBM.partial_fit`` (one gradient step on
        all of X as a single batch), this runs one epoch of minibatches of
        ``batch_size`` over X, like ``MLPClassifier.partial_fit``. In a stack,
        each layer in turn takes one epoch on X propagated through the layers
        below. Chains, momentum and the sparsity estimate carry over between
        calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RBMTransformer
            The updated model.
        """
        return self._fit(X, incremental=True)

    def _fit(self, X, *, incremental):
        first_call = not incremental or not self._is_fitted()
        sizes = self._sizes()
        X = self._validate_input(X, reset=first_call)
        device, seed = self._start_fit(first_call)
        checkpoint = None if incremental else self._find_checkpoint([X], seed)
        if checkpoint is not None:
            seed = checkpoint.seed
        if first_call:
            # scikit-learn's attribute dtypes: X's in fit, float64 in partial_fit.
            self._fit_dtype = "float64" if incremental else X.dtype.name
            module = self._new_module((X.shape[1],), None, seed)
            self._engine = _CDState(module.to(device), device)
            self._module_args = ((X.shape[1],), None)
            for name in ("log_partition_", "log_partition_std_"):
                self.__dict__.pop(name, None)
        elif self._device != device:
            self._engine.to(device)
        elif [rbm.n_hidden for rbm in self.module_.rbms] != sizes:
            raise ValueError(
                f"n_components changed from {[r.n_hidden for r in self.module_.rbms]} to "
                f"{sizes} since the first call to partial_fit."
            )
        generator = torch.Generator(device=device).manual_seed(seed)
        n_epochs = 1 if incremental else self.n_iter
        with flush_denormal(device):
            completed = self._train(X, n_epochs, generator, checkpoint)
        if checkpoint is not None and completed:
            checkpoint.discard()
        self.module_.eval()
        return self

    def _train(self, X, n_epochs, generator, checkpoint=None):
        """Train the layers in turn; returns False if interrupted by the user."""
        module = self.module_
        n = X.shape[0]
        shuffle_seed = int(self._rng.randint(2**31 - 1))
        resume = None if checkpoint is None else checkpoint.resume
        if resume is not None:
            shuffle_seed = int(resume["shuffle_seed"])
        if checkpoint is not None:
            checkpoint.meta["shuffle_seed"] = shuffle_seed
        shuffle_gen = torch.Generator().manual_seed(shuffle_seed)
        monitor_rows = torch.randperm(n, generator=shuffle_gen)[:1000].sort().values.numpy()
        done_layer, done_epoch = 0, 0
        if resume is not None:
            done_layer, done_epoch = self._restore_checkpoint(resume, generator, shuffle_gen)
        data = X  # the input of the layer being trained: NumPy/SciPy rows or a tensor
        try:
            for layer, rbm in enumerate(module.rbms):
                if layer > 0:
                    data = self._up(data, module.rbms[layer - 1])
                if layer < done_layer:
                    continue  # trained before the checkpoint
                start = done_epoch if layer == done_layer else 0
                if not self._train_layer(
                    layer,
                    rbm,
                    data,
                    n_epochs,
                    generator,
                    shuffle_gen,
                    monitor_rows,
                    start_epoch=start,
                    checkpoint=checkpoint,
                ):
                    break
        except KeyboardInterrupt:
            self._warn_interrupted(" (layers above the interrupted one keep their earlier weights)")
            return False
        return True

    def _save_checkpoint(self, checkpoint, layer, epochs_done, generator, shuffle_gen):
        state = self._engine
        checkpoint.save(
            {
                "layer": layer,
                "epoch": epochs_done,
                "module": {k: v.detach().cpu() for k, v in self.module_.state_dict().items()},
                "cd": to_cpu([state.chains, state.velocity, state.sparsity_q]),
                "history": plain([dict(row) for row in state.history_]),
                "cd_rng": generator.get_state(),
                "shuffle_rng": shuffle_gen.get_state(),
            },
        )

    def _restore_checkpoint(self, payload, generator, shuffle_gen):
        """Load a checkpoint's state; returns (layer, epochs done in that layer)."""
        state = self._engine
        device = self._device
        self.module_.load_state_dict(payload["module"])
        state.chains, state.velocity, state.sparsity_q = (list(g) for g in payload["cd"])
        state.to(device)
        state.history_ = make_history(payload["history"])
        generator.set_state(payload["cd_rng"])
        shuffle_gen.set_state(payload["shuffle_rng"])
        layer, epoch = int(payload["layer"]), int(payload["epoch"])
        if epoch >= self.n_iter:  # that layer was finished
            layer, epoch = layer + 1, 0
        return layer, epoch

    def _up(self, data, rbm):
        """The hidden probabilities of ``rbm`` for every row of ``data``, as a tensor."""
        return apply_batched(
            rbm.hidden_probs, data, _CHUNK_ROWS, self._device, dtype=np.float32, as_numpy=False
        )

    @staticmethod
    def _rows(data, index, device):
        """Rows of ``data`` (ndarray, sparse matrix or tensor) as a dense tensor."""
        if isinstance(data, torch.Tensor) and isinstance(index, np.ndarray):
            index = torch.from_numpy(index).to(data.device)
        return as_tensor_rows(data[index], device, np.float32)

    def _train_layer(
        self,
        layer,
        rbm,
        data,
        n_epochs,
        generator,
        shuffle_gen,
        monitor_rows,
        start_epoch=0,
        checkpoint=None,
    ):
        """Run ``n_epochs`` of CD on one layer; returns False if training diverged."""
        monitor = self._rows(data, monitor_rows, self._device)
        for epoch in range(start_epoch, n_epochs):
            start_time = time.time()
            backup = [p.detach().clone() for p in rbm.parameters()]
            error = self._cd_epoch(layer, rbm, data, generator, shuffle_gen, monitor)
            if error is None:
                with torch.no_grad():
                    for p, b in zip(rbm.parameters(), backup):
                        p.copy_(b)
                self._engine.chains[layer] = None
                self._engine.velocity[layer] = None
                self._warn_diverged(
                    f"in layer {layer} at epoch {epoch + 1} (weights became NaN or inf)",
                    "the weights of the epoch before",
                    "Lower learning_rate (Gaussian units usually need 0.001 to 0.01) or "
                    "standardize X.",
                )
                return False
            dur = time.time() - start_time
            history = self._engine.history_
            history.new_epoch()
            history.record("layer", layer)
            history.record("epoch", epoch + 1)
            history.record("reconstruction_error", error)
            history.record("dur", dur)
            if checkpoint is not None and (
                (epoch + 1) % self.checkpoint_every == 0 or epoch + 1 == n_epochs
            ):
                self._save_checkpoint(checkpoint, layer, epoch + 1, generator, shuffle_gen)
            if self.verbose:
                self._print_epoch(layer, epoch, data, error, dur)
        return True

    def _cd_epoch(self, layer, rbm, data, generator, shuffle_gen, monitor):
        """One epoch of CD over ``data``; the reconstruction error of the monitor
        rows, or None if the weights are no longer finite."""
        device = self._device
        n = data.shape[0]
        batch_size = int(self.batch_size)
        work = min(batch_size, n) * rbm.n_visible * rbm.n_hidden
        threads = 1 if device.type == "cpu" and work < _ONE_THREAD_WORK else None
        perm = torch.randperm(n, generator=shuffle_gen).numpy()
        with torch.inference_mode(), torch_num_threads(threads):
            # Whole-chunk gathers, then contiguous minibatch slices of the chunk.
            chunk_rows = max(batch_size, _CHUNK_ROWS - _CHUNK_ROWS % batch_size)
            for c0 in range(0, n, chunk_rows):
                chunk = self._rows(data, perm[c0 : c0 + chunk_rows], device)
                self._cd_chunk(layer, rbm, chunk, batch_size, generator)
            if not all(bool(torch.isfinite(p).all()) for p in rbm.parameters()):
                return None
            recon = rbm.visible_mean(rbm.hidden_probs(monitor))
            return float(((recon - monitor) ** 2).mean())

    def _print_epoch(self, layer, epoch, data, error, dur):
        if layer == 0 and self.visible_unit == "bernoulli":
            what = f"pseudo-likelihood = {self._score(data).mean():.2f}"
        else:
            what = f"reconstruction error = {error:.4f}"
        prefix = f"[{type(self).__name__}] "
        if len(self.module_.rbms) > 1:
            prefix += f"Layer {layer}, "
        print(f"{prefix}Iteration {epoch + 1}, {what}, time = {dur:.2f}s")

    def _cd_chunk(self, layer, rbm, chunk, batch_size, generator):
        """Contrastive-divergence updates over the minibatches of one chunk."""
        state = self._engine
        lr = float(self.learning_rate)
        k = int(self.k)
        momentum = float(self.momentum)
        decay = float(self.weight_decay)
        target = self.sparsity_target
        persistent = self.persistent
        W, b_h, b_v = rbm.weight, rbm.hidden_bias, rbm.visible_bias
        chain = state.chains[layer] if persistent else None
        if persistent and chain is None:
            # As scikit-learn: the persistent chains start from all-zero hidden states.
            chain = torch.zeros(batch_size, rbm.n_hidden, device=W.device)
        plain = momentum == 0 and decay == 0 and target is None
        if not plain and state.velocity[layer] is None:
            state.velocity[layer] = [
                torch.zeros_like(W),
                torch.zeros_like(b_h),
                torch.zeros_like(b_v),
            ]
        q = state.sparsity_q[layer]
        # Every full minibatch computes into these (no allocation per step, and the
        # positive and negative hidden probabilities in one matrix product).
        buffers = CDBuffers(rbm, batch_size)
        for start in range(0, chunk.shape[0], batch_size):
            v_pos = chunk[start : start + batch_size]
            h_pos, v_neg, h_neg, h = rbm.cd_statistics(v_pos, chain, k, generator, out=buffers)
            if persistent:
                chain = h
            a = lr / v_pos.shape[0]
            c = lr / v_neg.shape[0]
            if plain:  # scikit-learn's update, in place with fused multiply-adds
                W.addmm_(h_pos.t(), v_pos, alpha=a).addmm_(h_neg.t(), v_neg, alpha=-c)
                b_h.add_(h_pos.sum(0), alpha=a).add_(h_neg.sum(0), alpha=-c)
                b_v.add_(v_pos.sum(0), alpha=a).add_(v_neg.sum(0), alpha=-c)
                continue
            dW = torch.addmm(h_pos.t() @ v_pos, h_neg.t(), v_neg, beta=a, alpha=-c)
            db_h = h_pos.sum(0) * a - h_neg.sum(0) * c
            db_v = v_pos.sum(0) * a - v_neg.sum(0) * c
            if decay:
                dW.add_(W, alpha=-lr * decay)
            if target is not None:
                batch_q = h_pos.mean(0)
                q = batch_q if q is None else 0.9 * q + 0.1 * batch_q
                push = lr * self.sparsity_cost * (target - q)
                db_h.add_(push)
                dW.add_(torch.outer(push, v_pos.mean(0)))
            vel = state.velocity[layer]
            for p, v, d in zip((W, b_h, b_v), vel, (dW, db_h, db_v)):
                v.mul_(momentum).add_(d)
                p.add_(v)
        if persistent:
            state.chains[layer] = chain  # buffers.chain: the next chunk has its own buffers
        state.sparsity_q[layer] = q

    # --------------------------------------------------------------- outputs
    def transform(self, X):
        """Compute the top layer's hidden unit activation probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        h : ndarray of shape (n_samples, n_components)
            ``P(h = 1 | v)`` of the top layer, computed by a mean-field up-pass
            through the stack: float32 if X and the data given to ``fit`` were
            float32, float64 otherwise (as scikit-learn's dtypes combine).
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        dtype = self._out_dtype(X)
        return self._forward(X.astype(dtype, copy=False)).astype(dtype, copy=False)

    def inverse_transform(self, X):
        """Map top-layer hidden activations back to the input space.

        ``inverse_transform(transform(X))`` is the model's reconstruction of X:
        a mean-field down-pass through the stack.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Top-layer hidden activations (probabilities or binary states).

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Mean visible activities: probabilities (Bernoulli units) or means
            (Gaussian units); float32 for float32 X, float64 otherwise.
        """
        check_is_fitted(self)
        H = check_array(X, dtype=PREDICT_DTYPES)
        n_top = self.module_.rbms[-1].n_hidden
        if H.shape[1] != n_top:
            raise ValueError(
                f"X has {H.shape[1]} features, but inverse_transform expects {n_top} "
                "(the number of top-layer hidden units)."
            )
        out = self._forward(H, lambda module, h: module.down(h))
        return out.astype(H.dtype, copy=False)

    def _apply(self, fn, X, extra=None):
        """``fn(rbm, rows)`` with the bottom RBM over X in bounded chunks, as a
        NumPy array in ``X``'s dtype: float64 X is computed in float64 on the CPU
        (with the estimator's kept float64 copy of the module, as :meth:`_forward`
        does), anything else in float32."""
        with contextlib.ExitStack() as stack:
            rbm, dtype = self.module_.rbms[0], np.float32
            if X.dtype == np.float64 and self._device.type == "cpu":
                rbm, dtype = stack.enter_context(self._float64_module()).rbms[0], np.float64

            def call(rows, *extra):
                return fn(rbm, rows, *extra)

            out = apply_batched(
                call, X, self._predict_batch_size, self._device, dtype=dtype, extra=extra
            )
        return out if out.dtype == bool else out.astype(X.dtype, copy=False)

    def gibbs(self, v):
        """Perform one Gibbs sampling step on the bottom RBM.

        As in scikit-learn, the randomness continues from call to call (the
        estimator's random stream, seeded by ``random_state`` at ``fit``), so
        calling ``gibbs`` twice gives two different samples.

        Parameters
        ----------
        v : {array-like, sparse matrix} of shape (n_samples, n_features)
            Values of the visible layer to start from (one row may also be given
            as a 1-D array).

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Values of the visible layer after one step: ``h ~ P(h | v)`` then
            ``v_new ~ P(v | h)``; booleans for Bernoulli units (as scikit-learn's),
            real values in v's float dtype for Gaussian units.
        """
        check_is_fitted(self)
        one_row = not sp.issparse(v) and np.ndim(v) == 1
        X = self._validate_input(np.reshape(v, (1, -1)) if one_row else v, reset=False)
        generator = self._next_generator()

        def step(rbm, v):
            v_new = rbm.sample_visible(rbm.sample_hidden(v, generator)[1], generator)[1]
            return v_new.bool() if rbm.visible_unit == "bernoulli" else v_new

        out = self._apply(step, X)
        return out[0] if one_row else out

    def _next_generator(self):
        """A torch generator seeded from the estimator's random stream, which
        advances (scikit-learn's ``gibbs`` draws from its ``random_state_``)."""
        if getattr(self, "_rng", None) is None:
            self._rng = seed_sequence(self.random_state)
        seed = int(self._rng.randint(np.iinfo(np.int32).max))
        return torch.Generator(device=self._device).manual_seed(seed)

    def _sampling_generator(self, random_state):
        rng = seed_sequence(self.random_state if random_state is None else random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        return torch.Generator(device=self._device).manual_seed(seed)

    def sample(self, n_samples=1, n_steps=1000, random_state=None):
        """Draw fantasies from the model by Gibbs sampling.

        The top RBM's chains start from random binary visible states and run
        ``n_steps`` alternating Gibbs steps; the final hidden states are then
        propagated down through the stack (as in a deep belief net).

        Parameters
        ----------
        n_samples : int, default=1
            Number of independent chains (samples to return).
        n_steps : int, default=1000
            Gibbs steps per chain.
        random_state : int, RandomState instance or None, default=None
            Seeds the sampling; None uses the estimator's ``random_state``.

        Returns
        -------
        X_sampled : ndarray of shape (n_samples, n_features)
            Mean visible activities given the last hidden states (probabilities
            for Bernoulli units, which display better than binary samples).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        if not isinstance(n_steps, Integral) or n_steps < 1:
            raise ValueError(f"n_steps must be a positive int, got {n_steps!r}.")
        generator = self._sampling_generator(random_state)
        module = self.module_
        top = module.rbms[-1]
        device = self._device
        with torch.inference_mode():
            u = torch.rand(n_samples, top.n_visible, generator=generator, device=device)
            v = (u < 0.5).float()
            if top.visible_unit == "gaussian":
                v = torch.randn(n_samples, top.n_visible, generator=generator, device=device)
            for _ in range(n_steps):
                _, h = top.sample_hidden(v, generator)
                _, v = top.sample_visible(h, generator)
            out = module.down(h)
        return out.cpu().numpy()

    def score_samples(self, X):
        """Compute the pseudo-likelihood of X under the bottom RBM.

        As scikit-learn defines it: for each sample, one feature ``i`` is drawn at
        random (from ``random_state``, as scikit-learn draws it: an int gives the
        same features on every call) and the score is
        ``n_features * log P(v_i | v_rest)``, where ``v_i`` is replaced by
        ``1 - v_i``. For Gaussian visible units this is
        not available in closed form, and the score is the negative free energy
        ``-F(v)``, the log-likelihood up to the constant ``log Z`` (see
        :meth:`log_likelihood` for the normalised value).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Values of the visible layer.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Pseudo-likelihood (a proxy for the likelihood; higher is more likely);
            float32 if X and the data given to ``fit`` were float32, float64
            otherwise.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._score(X.astype(self._out_dtype(X), copy=False))

    def _score(self, X):
        n_samples, n_features = X.shape
        if self.module_.rbms[0].visible_unit != "bernoulli":
            scores = self._apply(lambda rbm, v: -rbm.free_energy(v), X)
            return check_finite_output(scores, "The scores")
        flip = seed_sequence(self.random_state).randint(0, n_features, n_samples)

        def pseudo_likelihood(rbm, v, flip):
            idx = torch.from_numpy(flip).to(v.device)
            rows = torch.arange(v.shape[0], device=v.device)
            v_ = v.clone()
            v_[rows, idx] = 1 - v_[rows, idx]
            fe_gap = rbm.free_energy(v) - rbm.free_energy(v_)
            return -n_features * torch.nn.functional.softplus(fe_gap)

        scores = self._apply(pseudo_likelihood, X, extra=flip)
        return check_finite_output(scores, "The scores")

    # ------------------------------------------------------- the likelihood
    def estimate_log_partition(
        self, n_chains=100, n_betas=10000, random_state=None, base_rate=None
    ):
        """Estimate the bottom RBM's log partition function by annealed importance sampling.

        Anneals from a base-rate model (visible units only, with the biases given
        by ``base_rate``) to the RBM through ``n_betas`` intermediate
        distributions (Salakhutdinov & Murray 2008). Sets ``log_partition_``
        and ``log_partition_std_``.

        Parameters
        ----------
        n_chains : int, default=100
            Number of independent annealing runs.
        n_betas : int, default=10000
            Number of inverse temperatures between 0 and 1 (more is more
            accurate and slower).
        random_state : int, RandomState instance or None, default=None
            Seeds the sampling; None uses the estimator's ``random_state``.
        base_rate : array-like of shape (n_features,), default=None
            Training data's mean of each visible unit, which makes the base model
            close to the data and the estimate more accurate (Bernoulli units:
            the base model's biases are their logits; Gaussian units: its means).
            None uses the RBM's own visible biases (Bernoulli) or means (Gaussian).

        Returns
        -------
        log_z : float
            The estimate of ``log Z``.
        """
        check_is_fitted(self)
        for name, value in (("n_chains", n_chains), ("n_betas", n_betas)):
            if not isinstance(value, Integral) or value < 2:
                raise ValueError(f"{name} must be an int >= 2, got {value!r}.")
        rbm = self.module_.rbms[0]
        if base_rate is None:
            base = rbm.visible_bias.detach().double()
        else:
            base_rate = check_array(np.asarray(base_rate, dtype=np.float64).reshape(1, -1))
            if base_rate.shape[1] != rbm.n_visible:
                raise ValueError(
                    f"base_rate has {base_rate.shape[1]} values, expected {rbm.n_visible}."
                )
            base = torch.from_numpy(base_rate[0])
            if rbm.visible_unit == "bernoulli":
                p = base.clamp(1e-3, 1 - 1e-3)
                base = torch.log(p) - torch.log1p(-p)
        rng = seed_sequence(self.random_state if random_state is None else random_state)
        generator = torch.Generator().manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
        with torch.inference_mode():
            log_z, std = rbm.log_partition_ais(
                base.to(self._device), n_chains=n_chains, n_betas=n_betas, generator=generator
            )
        self.log_partition_ = log_z
        self.log_partition_std_ = std
        return log_z

    def log_likelihood(self, X):
        """Log-likelihood of each sample under the bottom RBM, ``-F(v) - log Z``.

        Uses ``log_partition_``, estimated with :meth:`estimate_log_partition`
        (with its defaults and X's column means as base rate) if not set yet.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Values of the visible layer.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            Estimated ``log p(x)`` (a log-density for Gaussian units).
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        if not hasattr(self, "log_partition_"):
            self.estimate_log_partition(base_rate=np.asarray(X.mean(axis=0)).ravel())
        with contextlib.ExitStack() as stack:
            if self._device.type == "cpu":  # the kept float64 copy, as _apply uses
                rbm = stack.enter_context(self._float64_module()).rbms[0]
            else:  # float64 on the device itself
                rbm = copy.deepcopy(self.module_.rbms[0]).double()
            free_energy = apply_batched(
                lambda v: rbm.free_energy(v.double()), X, self._predict_batch_size, self._device
            )
        return -free_energy - self.log_partition_

    # ------------------------------------------------------------ persistence
    def _export_engine(self, engine):
        return {
            "device": engine.device,
            "module_args": self._module_args,
            "module": to_numpy_tree(dict(engine.module_.state_dict())),
            "cd": to_numpy_tree([engine.chains, engine.velocity, engine.sparsity_q]),
            "history": [dict(row) for row in engine.history_],
        }

    def _import_engine(self, data):
        device = load_device(data["device"])
        module = self._rebuild_module(data["module_args"])
        module.load_state_dict(to_tensor_tree(data["module"]))
        engine = _CDState(module.to(device).eval(), device)
        engine.chains, engine.velocity, engine.sparsity_q = (
            list(group) for group in to_tensor_tree(data["cd"])
        )
        engine.to(device)
        engine.history_ = make_history(data["history"])
        return engine

    # ------------------------------------------------------- fitted attributes
    @property
    def n_layers_(self):
        """Number of stacked RBMs."""
        return len(self.module_.rbms)

    @property
    def components_(self):
        """ndarray: the bottom RBM's weights, ``(n_components, n_features)``."""
        return self._attribute(self.module_.rbms[0].weight)

    @property
    def intercept_hidden_(self):
        """ndarray: the bottom RBM's hidden biases."""
        return self._attribute(self.module_.rbms[0].hidden_bias)

    @property
    def intercept_visible_(self):
        """ndarray: the visible biases (means for Gaussian units)."""
        return self._attribute(self.module_.rbms[0].visible_bias)

    @property
    def h_samples_(self):
        """ndarray: hidden states of the bottom RBM's persistent chains."""
        check_is_fitted(self)
        chain = self._engine.chains[0]
        if chain is None:
            raise AttributeError("h_samples_ is only set with persistent=True")
        return self._attribute(chain)

    def _attribute(self, tensor):
        """A tensor as a new NumPy array in the scikit-learn attributes' dtype."""
        return tensor.detach().cpu().numpy().astype(self._attr_dtype)

    @property
    def encoder_layers_(self):
        """list of (ndarray, ndarray): ``(coef, intercept)`` of each layer, bottom up."""
        return [
            (
                rbm.weight.detach().cpu().numpy().T.copy(),
                rbm.hidden_bias.detach().cpu().numpy().copy(),
            )
            for rbm in self.module_.rbms
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.requires_fit = True
        return tags
