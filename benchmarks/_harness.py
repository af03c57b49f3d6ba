"""What the speed benchmarks share: the idle-machine gate and the environment report.

* :class:`Gate` (and the shared instance ``GATE``, replaced by :func:`set_gate`):
  each timed unit waits for an idle machine and is re-run when another process used
  the cores meanwhile;
* :func:`environment`: hardware (``lscpu``), versions, git commit, BLAS libraries
  (threadpoolctl) and the thread and OpenBLAS variables, as a dict;
  :func:`environment_lines` writes it as Markdown bullets.

``bench_mlp.py``, ``bench_rbm.py``, ``bench_perceptron.py``, ``bench_small.py``,
``bench_distributed.py`` and ``run_all.py`` import this module.
"""

import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy
import sklearn
import torch

import sknn

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _cpu_busy_s():
    """Seconds of CPU time the whole machine has spent busy (all cores), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s():
    """CPU seconds of this process and its children (joblib's workers of an
    ``n_jobs=2`` search count as ours, not as another process's load)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):  # children: reaped ones
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    try:
        import psutil
    except ImportError:
        return total
    for child in psutil.Process().children(recursive=True):  # running ones
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _busy_now(sample):
    """Cores used by other processes over the next ``sample`` seconds."""
    b0, o0 = _cpu_busy_s(), _own_cpu_s()
    if b0 is None:
        return 0.0
    time.sleep(sample)
    return max(((_cpu_busy_s() - b0) - (_own_cpu_s() - o0)) / sample, 0.0)


class Gate:
    """Run each timed unit on a quiet machine, and re-run it if it was disturbed.

    Timings on a 2-core machine are meaningless while another process (a test run)
    competes for the cores: torch's OpenMP threads then wait on descheduled peers and
    a 40 us forward can take 10 ms. Before each timed unit (one fit, one block of
    predict calls) the gate waits, at most ``max_wait`` seconds, until other processes
    use less than ``threshold`` cores; it measures what they used during the unit and
    re-runs a unit that was disturbed (more than ``threshold`` cores on average), at
    most ``retries`` times. Every run's record goes to the JSON.

    The gate also lets the previous unit's worker threads go to sleep: OpenBLAS's
    threads busy-wait for about 2**28 cycles (~0.1 s) after scikit-learn's last matrix
    product, and a torch fit started within that window loses ~0.1 s to them (a
    20-epoch digits fit measured 0.17 s instead of 0.075 s). So every unit starts
    after at least ``settle`` seconds of quiet, even with ``max_wait=0``.
    """

    def __init__(self, max_wait, retries, threshold=0.2, settle=0.3):
        self.max_wait, self.retries, self.threshold = max_wait, retries, threshold
        self.settle = settle
        self.log = []

    def wait(self):
        start, last_note = time.perf_counter(), -60.0
        while True:
            busy = _busy_now(self.settle)
            waited = time.perf_counter() - start
            if busy < self.threshold or waited >= self.max_wait:
                return waited, busy
            if waited - last_note >= 60:
                last_note = waited
                print(f"[waiting for an idle machine: {busy:.2f} cores busy]", file=sys.stderr)

    def timed(self, name, fn):
        """Return ``(seconds, fn())``, from an undisturbed run if one could be had."""
        for attempt in range(self.retries + 1):
            waited, before = self.wait()
            b0, o0 = _cpu_busy_s(), _own_cpu_s()
            t = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - t
            other = 0.0
            if b0 is not None:
                other = max((_cpu_busy_s() - b0) - (_own_cpu_s() - o0), 0.0) / seconds
            rec = {
                "unit": name,
                "attempt": attempt,
                "waited_s": round(waited, 1),
                "other_cores_before": round(before, 3),
                "other_cores": round(other, 3),
                "seconds": seconds,
            }
            self.log.append(rec)
            if other <= self.threshold:
                break
        rec["kept"] = True
        rec["disturbed"] = other > self.threshold
        return seconds, result

    def summary(self):
        kept = [r for r in self.log if r.get("kept")]
        return {
            "threshold_cores": self.threshold,
            "units": len(kept),
            "reruns": len(self.log) - len(kept),
            "disturbed_units_kept": sum(r["disturbed"] for r in kept),
            "max_other_cores_in_kept_units": max((r["other_cores"] for r in kept), default=0),
            "total_wait_s": round(sum(r["waited_s"] for r in self.log), 1),
        }


GATE = Gate(max_wait=0, retries=0)


def set_gate(max_wait, retries, settle=0.3):
    """Replace the shared gate (every benchmark module times through ``GATE``)."""
    global GATE
    GATE = Gate(max_wait, retries, settle=settle)
    return GATE


def _loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


def environment():
    """Hardware, versions and BLAS/thread settings of this run."""
    model = platform.processor()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {
                k: info.get(k)
                for k in (
                    "user_api",
                    "internal_api",
                    "num_threads",
                    "architecture",
                    "corename",
                    "threading_layer",
                    "version",
                    "filepath",
                )
            }
            for info in threadpool_info()
        ]
    except ImportError:
        blas = []
    import skorch

    root = pathlib.Path(sknn.__file__).resolve().parent.parent
    try:
        commit = (
            subprocess.run(
                ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or None
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "sknn"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
    except OSError:
        commit, dirty = None, []

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "sknn": getattr(sknn, "__version__", "?"),
        "git_commit": commit,
        "sknn_uncommitted_files": dirty,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "blas": blas,
        "loadavg_start": _loadavg(),
    }


def environment_lines(env):
    """The hardware, versions, commit and BLAS settings of ``env`` as Markdown bullets."""
    dirty = env.get("sknn_uncommitted_files") or []
    return [
        f"- CPU: {env['cpu']} ({env['cores']} cores, {env['affinity']} usable); torch "
        f"threads {env['torch_threads']} (interop {env['torch_interop_threads']})",
        f"- Python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, "
        f"scikit-learn {env['scikit-learn']}, torch {env['torch']}, skorch {env['skorch']}, "
        f"sknn {env['sknn']}",
        f"- git commit {env['git_commit']}"
        + (f" (uncommitted changes in {', '.join(dirty)})" if dirty else ""),
        f"- OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE'] or '(unset)'}, "
        f"OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE'] or '(unset)'}, "
        f"OMP_NUM_THREADS={env['OMP_NUM_THREADS'] or '(unset)'}",
        "- threadpoolctl: "
        + (
            "; ".join(
                f"{b['internal_api']} {b.get('version') or ''} "
                f"(arch {b.get('architecture') or b.get('corename') or '-'}, "
                f"{b['num_threads']} threads, {pathlib.Path(b.get('filepath') or '').name})"
                for b in env["blas"]
            )
            or "(not installed)"
        ),
    ]


def latency(name, fn, calls, warmup=None):
    """Median wall time of one ``fn()`` call, after ``warmup`` untimed calls."""

    def block():
        for _ in range(max(10, calls // 10) if warmup is None else warmup):
            fn()
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return GATE.timed(name, block)[1]
