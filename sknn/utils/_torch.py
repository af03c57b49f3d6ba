"""Small torch helpers: device resolution, seeding, moving arrays to tensors."""

import contextlib
import os
import re
import sys

import numpy as np
import torch

__all__ = [
    "resolve_device",
    "seed_sequence",
    "torch_num_threads",
    "torch_rng_scope",
    "worker_num_threads",
]

_DEVICE_RE = re.compile(r"^(cpu|auto|cuda(:\d+)?|mps)$")


def resolve_device(device):
    """Turn the ``device`` parameter into a concrete ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        ``'auto'`` (CUDA when available, else CPU), ``'cpu'``, ``'cuda'``,
        ``'cuda:N'`` or ``'mps'``.

    Returns
    -------
    device : torch.device

    Raises
    ------
    ValueError
        If the string is not a device name, or names a CUDA device that is not
        available on this machine.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not _DEVICE_RE.match(device):
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda', 'cuda:N' or "
            f"'mps'; got {device!r}."
        )
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine; use device='cpu' or device='auto'."
            )
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) are available."
            )
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was requested but MPS is not available.")
    return torch.device(device)


def seed_sequence(random_state):
    """Return a NumPy ``RandomState`` owned by the estimator.

    Unlike :func:`sklearn.utils.check_random_state`, ``None`` gives a fresh
    generator seeded from the operating system, so NumPy's global state is never
    consumed or changed.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState

    Returns
    -------
    rng : numpy.random.RandomState
    """
    if random_state is None:
        seed = np.random.SeedSequence().generate_state(1)[0]
        return np.random.RandomState(seed)
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(random_state)


@contextlib.contextmanager
def torch_rng_scope(seed, device):
    """Run a block with torch's global RNG seeded, restoring it afterwards.

    Dropout and other layers draw from torch's global generator; forking it keeps
    training reproducible under ``random_state`` while leaving the caller's RNG
    state exactly as it was.
    """
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices):
        torch.random.default_generator.manual_seed(int(seed))
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(int(seed))
        yield


@contextlib.contextmanager
def torch_num_threads(n):
    """Run a block with ``torch.set_num_threads(n)``, restoring the old count.

    ``n=None`` leaves the setting alone. Small per-batch work on the CPU runs
    faster on one thread: the second one costs more to synchronise than it saves.
    """
    old = torch.get_num_threads()
    if n is None or n == old:
        yield
        return
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def flush_denormal_enabled():
    """Whether torch now flushes subnormal floats to zero on the CPU.

    torch has a setter (``torch.set_flush_denormal``) but no getter, so this probes
    the floating-point unit: a float32 subnormal (1e-40, below float32's smallest
    normal 1.2e-38) times 1.5 is still subnormal, and comes out as zero only while
    flushing (FTZ/DAZ) is on. Like the setting, the probe is per thread (the
    calling one).
    """
    probe = torch.mul(torch.tensor([1e-40], dtype=torch.float32), 1.5)
    return bool(probe.item() == 0.0)


@contextlib.contextmanager
def flush_denormal(device):
    """Run a training call with subnormal floats flushed to zero on the CPU.

    Past a few epochs, small weights and gradients become subnormal and every CPU
    operation on them slows down (1.5-2.5x per epoch in benchmarks/RESULTS.md).
    The caller's setting is restored afterwards, also when the block raises
    (Ctrl-C included). Other devices, and CPUs where torch cannot flush
    (``set_flush_denormal`` returns False), are left alone.
    """
    if torch.device(device).type != "cpu" or flush_denormal_enabled():
        yield  # nothing to change (or to restore)
        return
    if not torch.set_flush_denormal(True):
        yield
        return
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def _available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_num_threads():
    """Torch intra-op threads for one fit in this process, or None to leave it alone.

    Worker processes of joblib's loky backend and of dask's nannies start with
    ``OMP_NUM_THREADS`` set (loky: available CPUs // ``n_jobs``; dask: 1), and torch,
    imported in the worker, already takes its thread count from it. What is left is
    a dask worker that runs several tasks at once in one process (``nthreads > 1``,
    or ``LocalCluster(processes=False)``) without that variable: its concurrent fits
    would each start one thread per CPU. So inside a dask worker a fit uses at most
    ``available CPUs // worker threads`` threads (and at most ``OMP_NUM_THREADS`` when
    set); outside one, this returns None.

    Returns
    -------
    n_threads : int or None
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:  # dask's workers import it; nothing else needs checking
        return None
    try:
        worker = distributed.get_worker()
    except (ValueError, AttributeError):
        return None
    nthreads = getattr(getattr(worker, "state", None), "nthreads", None)
    nthreads = nthreads or getattr(worker, "nthreads", 1) or 1
    budget = max(1, _available_cpus() // int(nthreads))
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:
        budget = min(budget, int(omp))
    return budget
