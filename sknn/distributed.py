"""Data-parallel training of one model over several processes.

:func:`fit_ddp` trains one estimator with PyTorch's ``DistributedDataParallel``
(DDP) over ``n_procs`` processes on this machine (gloo on CPUs, nccl on GPUs) and
returns the fitted estimator, with the same attributes and methods as after
``fit``. :func:`data_parallel` is the building block for processes started by
someone else, such as ``torchrun`` on one or several hosts: inside it, ``fit``
trains with DDP in the current process group.

How it works: every process holds the whole training set and draws the same
permutation, so the same global batches, of ``batch_size`` rows; process ``r``
computes the forward and backward pass of rows ``r::n_procs`` of each batch and DDP
averages the gradients, which each process's loss is scaled for, so that a step is
the single-process step on the whole batch (same weights to float rounding). The
epoch loss is summed over the processes once per epoch, so every process takes the
same stopping decision (``tol``/``n_iter_no_change``, early stopping, divergence).

What differs from a single-process fit: dropout masks and data augmentation are
drawn per process; BatchNorm normalises each process's share of the batch (its
running statistics are rank 0's); ``solver='lbfgs'``, checkpoints and the RBM
(which does not train by backpropagation) are not supported.
"""

import contextlib
import os
import pickle
import sys
import tempfile
from datetime import timedelta

import torch
import torch.distributed as dist

from ._engine import _DATA_PARALLEL, DataParallel

__all__ = ["data_parallel", "fit_ddp"]


@contextlib.contextmanager
def data_parallel(group=None):
    """Make ``fit`` and ``partial_fit`` train with DDP in this process group.

    Every process of the group must call ``fit`` on the same estimator
    parameters (including ``random_state``) and the same data; DDP starts
    every process from rank 0's weights. Call it after
    ``torch.distributed.init_process_group``, for example in a script started by
    ``torchrun``; :func:`fit_ddp` does all of this on one machine.

    Parameters
    ----------
    group : torch.distributed.ProcessGroup, optional
        The group to train in; the default group when None.

    Yields
    ------
    spec : DataParallel
        ``(rank, world_size, group)`` of this process.

    Examples
    --------
    A script run as ``torchrun --nproc-per-node 2 train.py``::

        import torch.distributed as dist
        from sknn import MLPClassifier
        from sknn.distributed import data_parallel

        dist.init_process_group("gloo")
        with data_parallel():
            clf = MLPClassifier(random_state=0).fit(X, y)
        if dist.get_rank() == 0:
            joblib.dump(clf, "clf.joblib")
        dist.destroy_process_group()
    """
    if not (dist.is_available() and dist.is_initialized()):
        raise RuntimeError(
            "data_parallel() needs an initialised process group: call "
            "torch.distributed.init_process_group first (torchrun sets the variables "
            "it reads), or use sknn.distributed.fit_ddp."
        )
    spec = DataParallel(dist.get_rank(group), dist.get_world_size(group), group)
    token = _DATA_PARALLEL.set(spec)
    try:
        yield spec
    finally:
        _DATA_PARALLEL.reset(token)


def _check_estimator(estimator):
    from ._backprop import BackpropEstimator
    from ._base import BaseNeuralEstimator

    if not isinstance(estimator, BaseNeuralEstimator):
        raise TypeError(f"fit_ddp trains sknn estimators; got {type(estimator).__name__}.")
    if not isinstance(estimator, BackpropEstimator):
        raise TypeError(
            f"{type(estimator).__name__} does not train by backpropagation; fit_ddp "
            "cannot train it."
        )
    params = estimator.get_params(deep=False)
    if params.get("solver") == "lbfgs":
        raise ValueError(
            "solver='lbfgs' does not support data-parallel training; use 'adam' or 'sgd'."
        )
    if params.get("checkpoint_dir") is not None:
        raise ValueError("fit_ddp does not support checkpoint_dir; set it to None.")


def _worker(rank, world_size, backend, init_file, devices, threads, payload, result_path):
    estimator, X, y, fit_params = payload
    if threads is not None:
        torch.set_num_threads(threads)
    if devices is not None:
        estimator.set_params(device=devices[rank])
        if str(devices[rank]).startswith("cuda"):
            torch.cuda.set_device(torch.device(devices[rank]))
    dist.init_process_group(
        backend,
        init_method=f"file://{init_file}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(minutes=10),
    )
    try:
        with data_parallel():
            if y is None:
                estimator.fit(X, **fit_params)
            else:
                estimator.fit(X, y, **fit_params)
        if not getattr(estimator._engine, "data_parallel_runs", 0):
            raise TypeError(
                f"{type(estimator).__name__} does not train by backpropagation; "
                "fit_ddp cannot train it."
            )
        if rank == 0:
            # The estimator's pickle holds NumPy arrays only (no CUDA tensors).
            with open(result_path, "wb") as f:
                pickle.dump(estimator, f, protocol=pickle.HIGHEST_PROTOCOL)
        # Leave together: a process that tears gloo down while its peer is still
        # working (rank 0 writing the result) can make the peer's gloo threads
        # abort the process ("terminate called without an active exception").
        dist.barrier()
    finally:
        dist.destroy_process_group()


def fit_ddp(
    estimator,
    X,
    y=None,
    *,
    n_procs=2,
    backend="gloo",
    devices=None,
    threads_per_proc="auto",
    **fit_params,
):
    """Fit ``estimator`` with DistributedDataParallel over ``n_procs`` processes.

    The processes are started with ``torch.multiprocessing`` (spawn) on this
    machine, each trains with :func:`data_parallel` on its share of every batch,
    and rank 0's fitted estimator is returned. ``batch_size`` is the global batch:
    each process computes ``batch_size / n_procs`` rows of it. Without dropout,
    data augmentation and BatchNorm, the result equals a single-process ``fit``
    with the same parameters to float rounding.

    Parameters
    ----------
    estimator : sknn estimator
        Trained by backpropagation with ``solver='adam'`` or ``'sgd'`` (not the
        RBM, not ``'lbfgs'``). It is not modified: a fitted copy is returned.
    X : array-like or sparse matrix
        Training data, sent whole to each process.
    y : array-like, optional
        Targets (None for the autoencoder).
    n_procs : int, default=2
        Number of processes.
    backend : {'gloo', 'nccl'}, default='gloo'
        ``'gloo'`` trains on CPUs (or GPUs), ``'nccl'`` on one GPU per process.
    devices : list of str, optional
        The device of each process, e.g. ``['cuda:0', 'cuda:1']``; by default
        ``'cuda:<rank>'`` with nccl and the estimator's ``device`` with gloo.
    threads_per_proc : int, 'auto' or None, default='auto'
        Torch threads of each process; ``'auto'`` shares the available CPUs,
        None leaves torch's default.
    **fit_params
        Passed to ``fit`` (e.g. ``sample_weight``).

    Returns
    -------
    estimator : sknn estimator
        The fitted estimator (a copy of ``estimator``), on ``devices[0]`` if that
        device exists in this process, else on the CPU.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import MLPClassifier
    >>> from sknn.distributed import fit_ddp
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = fit_ddp(MLPClassifier(max_iter=5, random_state=0), X / 16, y,
    ...               n_procs=2)  # doctest: +SKIP
    """
    _check_estimator(estimator)
    if int(n_procs) < 1:
        raise ValueError(f"n_procs must be a positive integer; got {n_procs!r}.")
    n_procs = int(n_procs)
    if backend not in ("gloo", "nccl"):
        raise ValueError(f"backend must be 'gloo' or 'nccl'; got {backend!r}.")
    if backend == "nccl" and devices is None:
        if torch.cuda.device_count() < n_procs:
            raise ValueError(
                f"backend='nccl' needs one GPU per process: {n_procs} processes, "
                f"{torch.cuda.device_count()} GPU(s)."
            )
        devices = [f"cuda:{i}" for i in range(n_procs)]
    if devices is not None:
        devices = [str(d) for d in devices]
        if len(devices) != n_procs:
            raise ValueError(f"devices must name {n_procs} devices; got {devices!r}.")
    if threads_per_proc == "auto":
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count() or 1
        threads_per_proc = max(1, cpus // n_procs)
    from sklearn.base import clone

    payload = (clone(estimator), X, y, fit_params)
    # One machine: gloo talks over the loopback interface, whatever the host name
    # resolves to (the spawned processes inherit the variable).
    loopback = backend == "gloo" and sys.platform.startswith("linux")
    set_ifname = loopback and "GLOO_SOCKET_IFNAME" not in os.environ
    if set_ifname:
        os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    try:
        return _spawn(n_procs, backend, devices, threads_per_proc, payload)
    finally:
        if set_ifname:
            del os.environ["GLOO_SOCKET_IFNAME"]


def _spawn(n_procs, backend, devices, threads_per_proc, payload):
    with tempfile.TemporaryDirectory(prefix="sknn-ddp-") as tmp:
        init_file = os.path.join(tmp, "rendezvous")
        result_path = os.path.join(tmp, "estimator.pkl")
        torch.multiprocessing.start_processes(
            _worker,
            args=(n_procs, backend, init_file, devices, threads_per_proc, payload, result_path),
            nprocs=n_procs,
            join=True,
            start_method="spawn",
        )
        with open(result_path, "rb") as f:
            return pickle.load(f)
