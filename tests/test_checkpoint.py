"""Checkpoint and resume: a killed fit resumes from its last checkpoint and ends as
an uninterrupted fit would; damaged checkpoints are refused clearly."""

import os
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from sknn import (
    AutoencoderTransformer,
    ConvNetClassifier,
    MLPClassifier,
    MLPRegressor,
    PerceptronClassifier,
    RNNClassifier,
)
from sknn._checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from sknn._training import Trainer

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = (X_DIGITS / 16).astype(np.float32)
X, Y = X_DIGITS[:300], Y_DIGITS[:300]

RUN = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    from sklearn.datasets import load_digits
    from sknn import MLPClassifier
    warnings.simplefilter("ignore")
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    clf = MLPClassifier((16,), max_iter=20, tol=0, n_iter_no_change=1000, dropout=0.1,
                        early_stopping=True, random_state=0, verbose=True, device="cpu",
                        checkpoint_dir=None if sys.argv[1] == "none" else sys.argv[1],
                        checkpoint_every=2)
    clf.fit(X, y)
    np.save(sys.argv[2], clf.predict_proba(X))
    print("DONE", clf.n_iter_, len(clf.loss_curve_), len(clf.history_), flush=True)
    """
)


def test_sigkill_mid_fit_then_resume(tmp_path):
    """A real SIGKILL of the fitting process: the next fit resumes from the last
    checkpoint, runs only the remaining epochs and ends bit-identical to a fit that
    was never interrupted (dropout, shuffling, early-stopping state included)."""
    script = tmp_path / "run.py"
    script.write_text(RUN)
    ckpt = tmp_path / "ckpt"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-u", str(script), str(ckpt), str(tmp_path / "a.npy")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    killed = False
    for line in proc.stdout:
        if line.startswith("Iteration 11,"):
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=120)
    assert killed and proc.returncode == -signal.SIGKILL
    files = list(ckpt.iterdir())
    assert len(files) == 1 and files[0].suffix == ".ckpt"  # no temporary leftovers
    assert load_checkpoint(files[0])["fields"]["n_iter_"] == 10  # every 2 epochs

    resumed = subprocess.run(
        [sys.executable, str(script), str(ckpt), str(tmp_path / "a.npy")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    iterations = [line for line in resumed.splitlines() if line.startswith("Iteration")]
    assert iterations[0].startswith("Iteration 11,") and len(iterations) == 10
    assert "DONE 20 20 20" in resumed
    assert not list(ckpt.iterdir())  # a completed run removes its checkpoint

    fresh = subprocess.run(
        [sys.executable, str(script), "none", str(tmp_path / "b.npy")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    assert "DONE 20 20 20" in fresh
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))


def _interrupt_at(monkeypatch, epoch):
    """Make fit stop as if Ctrl-C was pressed after ``epoch`` epochs."""
    original = Trainer._end_epoch

    def end_epoch(self, engine):
        stop = original(self, engine)
        if self.record.n_iter_ == epoch:
            raise KeyboardInterrupt
        return stop

    monkeypatch.setattr(Trainer, "_end_epoch", end_epoch)


def _outputs(est, X):
    for name in ("predict_proba", "transform", "predict"):
        if hasattr(est, name):
            return getattr(est, name)(X)
    raise AssertionError


CASES = [
    (MLPClassifier, dict(hidden_layer_sizes=(16,), learning_rate_init=0.01), True),
    (MLPRegressor, dict(hidden_layer_sizes=(16,), solver="sgd"), True),
    (PerceptronClassifier, dict(batch_size=16), True),
    (AutoencoderTransformer, dict(n_components=4, hidden_layer_sizes=(16,)), False),
    (ConvNetClassifier, dict(input_shape=(8, 8), channels=(4,)), True),
    (RNNClassifier, dict(input_shape=(8, 8), hidden_size=8), True),
]


@pytest.mark.parametrize("cls, params, supervised", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_interrupted_fit_resumes_identically(cls, params, supervised, tmp_path, monkeypatch):
    y = (X[:, 10] if cls is MLPRegressor else Y) if supervised else None
    kw = dict(params, max_iter=8, random_state=0, device="cpu", tol=0, n_iter_no_change=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = cls(**kw).fit(X, y)
        est = cls(**kw, checkpoint_dir=tmp_path, checkpoint_every=3)
        with monkeypatch.context() as m:
            _interrupt_at(m, 5)
            est.fit(X, y)  # stops after 5 epochs (checkpoint at 3 stays)
        assert est.n_iter_ == 5
        assert len(list(tmp_path.iterdir())) == 1
        epochs_run = []
        original = Trainer._end_epoch
        with monkeypatch.context() as m:
            m.setattr(
                Trainer,
                "_end_epoch",
                lambda self, engine: epochs_run.append(1) or original(self, engine),
            )
            est.fit(X, y)  # resumes at epoch 3 and runs 5 more
        assert len(epochs_run) == 5  # not a fit from scratch
    assert est.n_iter_ == reference.n_iter_ == 8
    assert len(est.loss_curve_) == 8 and len(est.history_) == 8
    np.testing.assert_array_equal(_outputs(est, X), _outputs(reference, X))
    assert not list(tmp_path.iterdir())


def test_corrupt_or_partial_checkpoint_is_refused(tmp_path, monkeypatch):
    kw = dict(
        hidden_layer_sizes=(8,),
        max_iter=6,
        random_state=0,
        device="cpu",
        checkpoint_dir=tmp_path,
        tol=0,
        n_iter_no_change=100,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with monkeypatch.context() as m:
            _interrupt_at(m, 4)
            MLPClassifier(**kw).fit(X, Y)
    (path,) = tmp_path.iterdir()
    good = path.read_bytes()

    path.write_bytes(good[: len(good) // 2])  # a partial write
    with pytest.raises(ValueError, match="corrupt or partial"):
        MLPClassifier(**kw).fit(X, Y)
    damaged = bytearray(good)
    damaged[-10] ^= 0xFF  # one flipped byte
    path.write_bytes(bytes(damaged))
    with pytest.raises(CheckpointError, match="checksum"):
        MLPClassifier(**kw).fit(X, Y)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not an sknn checkpoint"):
        MLPClassifier(**kw).fit(X, Y)
    path.write_bytes(good)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert MLPClassifier(**kw).fit(X, Y).n_iter_ == 6


def test_each_run_has_its_own_checkpoint(tmp_path):
    """Parameters and data select the file: a grid search can share one directory,
    and another run's checkpoint is never resumed by mistake."""
    search = GridSearchCV(
        MLPClassifier((8,), max_iter=5, random_state=0, device="cpu", checkpoint_dir=tmp_path),
        {"alpha": [1e-4, 1e-2]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, Y)
    assert not list(tmp_path.iterdir())
    payload = {"key": "someone else's", "seed": 0}
    est = MLPClassifier((8,), max_iter=5, random_state=0, device="cpu", checkpoint_dir=tmp_path)
    found = est._find_checkpoint([X, Y, None], seed=0)
    save_checkpoint(found.path, payload)
    with pytest.raises(ValueError, match="belongs to another training run"):
        est.fit(X, Y)


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "run.ckpt"
    save_checkpoint(path, {"epoch": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, {"epoch": 2})
    monkeypatch.undo()
    assert load_checkpoint(path) == {"epoch": 1}


def test_lbfgs_and_partial_fit_do_not_checkpoint(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPClassifier((8,), solver="lbfgs", max_iter=5, device="cpu", checkpoint_dir=tmp_path).fit(
            X, Y
        )
        MLPClassifier((8,), device="cpu", checkpoint_dir=tmp_path).partial_fit(
            X, Y, classes=np.arange(10)
        )
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="checkpoint_every"):
        MLPClassifier(checkpoint_every=0).fit(X, Y)


@pytest.mark.parametrize("sizes, stop_at", [(16, 4), ([16, 8], 7)], ids=["rbm", "dbn"])
def test_rbm_interrupted_fit_resumes_identically(sizes, stop_at, tmp_path, monkeypatch):
    """RBMTransformer checkpoints too: a fit interrupted mid-epoch (in the second
    layer of a stack for the DBN) resumes and ends as an uninterrupted fit."""
    from sknn import RBMTransformer

    kw = dict(n_components=sizes, n_iter=5, random_state=0, device="cpu")
    reference = RBMTransformer(**kw).fit(X)
    calls = {"n": 0}
    original = RBMTransformer._cd_chunk

    def cd_chunk(self, *args, **kwargs):
        calls["n"] += 1  # one chunk per epoch at this size
        if calls["n"] == stop_at:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    est = RBMTransformer(**kw, checkpoint_dir=tmp_path, checkpoint_every=2)
    with monkeypatch.context() as m, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.setattr(RBMTransformer, "_cd_chunk", cd_chunk)
        est.fit(X)
    assert len(list(tmp_path.iterdir())) == 1
    calls["n"] = -(10**9)  # count the epochs of the resumed fit, never interrupt it
    with monkeypatch.context() as m:
        m.setattr(RBMTransformer, "_cd_chunk", cd_chunk)
        est.fit(X)
    # RBM: checkpoint at epoch 2, so 3 epochs remain; DBN: layer 0 was saved
    # complete, so only layer 1's 5 epochs run again.
    assert calls["n"] + 10**9 == (3 if sizes == 16 else 5)
    np.testing.assert_array_equal(est.transform(X), reference.transform(X))
    np.testing.assert_array_equal(est.h_samples_, reference.h_samples_)
    assert len(est.history_) == len(reference.history_)
    assert not list(tmp_path.iterdir())
