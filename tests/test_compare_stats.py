"""The comparison's statistics, its runs over several data sets and its resumption.

The tests' expected values are computed here, by hand or with scipy directly, never
by the functions under test. Every run is tiny (few folds, samples and epochs).
"""

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy import stats
from sklearn.model_selection import RepeatedStratifiedKFold

import sknn.comparison._job as job
from sknn import compare
from sknn.comparison import (
    FOLD_COLUMNS,
    corrected_resampled_ttest,
    holm,
    plot_ranks,
    plot_table,
    rank_markdown,
    rank_models,
    rank_table,
    summarize,
)
from sknn.comparison._cli import main
from sknn.datasets import load_dataset

FAST = dict(cv=3, max_iter=20, device="cpu")


def _rows(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else table


# -- the corrected resampled t-test ------------------------------------------------------

# Five folds of 100 rows: 80 train, 20 test, so n_test / n_train = 0.25.
MODEL = [0.90, 0.92, 0.88, 0.91, 0.93]
BASELINE = [0.89, 0.90, 0.89, 0.88, 0.90]


def test_corrected_ttest_against_a_hand_computation():
    d = np.subtract(MODEL, BASELINE)  # 0.01, 0.02, -0.01, 0.03, 0.03
    result = corrected_resampled_ttest(d, 0.25)
    # mean 0.016; squared deviations 36, 16, 676, 196, 196 (x 1e-6) sum to 1.12e-3,
    # so s2 = 2.8e-4 (ddof=1); the variance factor is 1/5 + 0.25 = 0.45
    se = math.sqrt(0.45 * 2.8e-4)
    t = 0.016 / se
    assert result["mean"] == pytest.approx(0.016, rel=1e-12)
    assert result["statistic"] == pytest.approx(t, rel=1e-10)
    assert result["df"] == 4
    # Student's t with 4 degrees of freedom has a closed-form distribution function:
    # F(t) = 1/2 + x (3 - x^2) / 4 with x = t / sqrt(4 + t^2)
    x = t / math.sqrt(4 + t * t)
    p = 2 * (1 - (0.5 + x * (3 - x * x) / 4))
    assert result["p_value"] == pytest.approx(p, rel=1e-9)
    # the 97.5% quantile of t(4) is 2.7764451051977987
    assert result["ci_low"] == pytest.approx(0.016 - 2.7764451051977987 * se, rel=1e-9)
    assert result["ci_high"] == pytest.approx(0.016 + 2.7764451051977987 * se, rel=1e-9)


def test_corrected_ttest_is_more_cautious_than_the_paired_ttest():
    d = np.subtract(MODEL, BASELINE)
    plain = stats.ttest_rel(MODEL, BASELINE)
    # without the correction term it is scipy's paired t-test
    uncorrected = corrected_resampled_ttest(d, 0.0)
    assert uncorrected["statistic"] == pytest.approx(plain.statistic, rel=1e-10)
    assert uncorrected["p_value"] == pytest.approx(plain.pvalue, rel=1e-9)
    corrected = corrected_resampled_ttest(d, 0.25)
    assert corrected["p_value"] > plain.pvalue
    assert corrected["ci_high"] - corrected["ci_low"] > 0


def test_corrected_ttest_edge_cases():
    assert corrected_resampled_ttest([0.0, 0.0, 0.0], 0.5)["p_value"] == 1.0
    assert corrected_resampled_ttest([0.01, 0.01, 0.01], 0.5)["p_value"] == 0.0
    with pytest.raises(ValueError, match="at least 2"):
        corrected_resampled_ttest([0.1], 0.5)


def test_holm_against_a_hand_computation():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 -> max(0.06, 0.04)
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02], rtol=1e-12)
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])


# -- ranks over data sets ---------------------------------------------------------------

# mean scores of four models on six data sets
SCORES = {
    "a": [0.95, 0.91, 0.88, 0.97, 0.80, 0.85],
    "b": [0.94, 0.90, 0.89, 0.96, 0.78, 0.84],
    "c": [0.90, 0.85, 0.80, 0.93, 0.70, 0.79],
    "d": [0.91, 0.84, 0.81, 0.92, 0.71, 0.78],
}


def test_rank_models_against_scipy():
    result = rank_models(SCORES)
    matrix = np.array(list(SCORES.values()))
    expected = np.mean([stats.rankdata(-matrix[:, j]) for j in range(6)], axis=0)
    assert result["ranks"] == pytest.approx(dict(zip(SCORES, expected)))
    assert list(result["ranks"]) == ["a", "b", "c", "d"]  # best first
    friedman = stats.friedmanchisquare(*matrix)
    assert result["friedman_statistic"] == pytest.approx(friedman.statistic)
    assert result["friedman_p_value"] == pytest.approx(friedman.pvalue)
    names = list(SCORES)
    raw = [
        stats.wilcoxon(SCORES[x], SCORES[y], zero_method="pratt").pvalue
        for i, x in enumerate(names)
        for y in names[i + 1 :]
    ]
    # Holm by hand: m = 6 pairs
    order = np.argsort(raw)
    scaled = [min(1, (6 - k) * raw[i]) for k, i in enumerate(order)]
    adjusted = np.empty(6)
    adjusted[order] = np.maximum.accumulate(scaled)
    assert [p for *_, p, _ in result["pairs"]] == pytest.approx(raw)
    assert [q for *_, q in result["pairs"]] == pytest.approx(adjusted)
    # six data sets: the smallest two-sided exact p-value is 2/64 = 0.03125, which
    # Holm's correction for six pairs lifts above 0.05, so no pair differs
    assert min(raw) == pytest.approx(0.03125)
    assert result["cliques"] == [["a", "b", "c", "d"]]


def test_cliques_split_where_pairs_differ():
    # eight data sets on which c and d always lose to a and b
    scores = {
        "a": [0.9, 0.8, 0.7, 0.95, 0.85, 0.75, 0.65, 0.92],
        "b": [0.89, 0.81, 0.69, 0.94, 0.86, 0.74, 0.66, 0.91],
    }
    scores["c"] = [s - 0.2 - 0.01 * i for i, s in enumerate(scores["a"])]
    scores["d"] = [s + (0.005 if i % 2 else -0.005) for i, s in enumerate(scores["c"])]
    result = rank_models(scores, alpha=0.05)
    # all 8 differences of (a, c) share a sign: exact p = 2/256, x 6 pairs = 0.047 < 0.05
    assert result["cliques"] == [["a", "b"], ["c", "d"]]


# -- summaries ------------------------------------------------------------------------


def _fold_rows(scores, dataset="s", n_train=80, n_test=20):
    return [
        dict(
            dataset=dataset,
            model=model,
            metric="accuracy",
            repeat=0,
            fold=i,
            score=s,
            fit_time_s=0.1,
            predict_time_s=0.01,
            n_train=n_train,
            n_test=n_test,
        )
        for model, values in scores.items()
        for i, s in enumerate(values)
    ]


def test_summarize_tests_each_model_against_the_best_baseline():
    rows = summarize(
        _fold_rows({"sknn-mlp": MODEL, "logreg": BASELINE, "svc": np.subtract(BASELINE, 0.05)})
    )
    assert [r["model"] for r in rows] == ["sknn-mlp", "logreg", "svc"]
    by = {r["model"]: r for r in rows}
    assert {r["reference"] for r in rows} == {"logreg"}  # the best model not from sknn
    expected = corrected_resampled_ttest(np.subtract(MODEL, BASELINE), 0.25)
    assert by["sknn-mlp"]["p_value"] == pytest.approx(expected["p_value"])
    assert by["sknn-mlp"]["significant"] is False  # p = 0.23
    assert math.isnan(by["logreg"]["p_value"])
    # a constant -0.05 difference: zero variance, p = 0
    assert by["svc"]["diff"] == pytest.approx(-0.05) and by["svc"]["significant"]
    assert by["sknn-mlp"]["accuracy_std"] == pytest.approx(np.std(MODEL))


# -- the job: option forms, repeats, several data sets ----------------------------------


def test_models_and_datasets_accept_the_command_line_string_form():
    as_string = compare(dataset="iris, wine", models="logreg,svc", **FAST)
    as_lists = compare(dataset=["iris", "wine"], models=["logreg", "svc"], **FAST)
    untimed = [
        [(r["dataset"], r["model"], r["accuracy_mean"], r["accuracy_std"]) for r in _rows(t)]
        for t in (as_string, as_lists)
    ]
    assert untimed[0] == untimed[1]
    assert [r["dataset"] for r in _rows(as_string)] == ["iris"] * 2 + ["wine"] * 2


def test_repeats_use_the_same_repeated_folds_for_every_model():
    summary, folds = compare(
        dataset="iris", models="logreg,sknn-mlp", repeats=2, return_folds=True, **FAST
    )
    folds = _rows(folds)
    assert len(folds) == 2 * 2 * 3 and list(folds[0]) == list(FOLD_COLUMNS)
    X, y = load_dataset("iris", return_X_y=True)
    splits = list(RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=0).split(X, y))
    from sklearn.base import clone

    from sknn.comparison._models import build

    logreg = build(
        "logreg",
        max_iter=20,
        seed=0,
        device="cpu",
        kind="tabular",
        image_shape=None,
        n_features=4,
        proba=False,
    )[0]
    for r in (r for r in folds if r["model"] == "logreg"):
        train, test = splits[r["repeat"] * 3 + r["fold"]]
        model = clone(logreg).fit(X[train], y[train])
        assert r["score"] == pytest.approx(model.score(X[test], y[test]), rel=1e-12)
        assert (r["n_train"], r["n_test"]) == (len(train), len(test))
    # the summary's test is the corrected t-test of the six paired differences
    by = {r["model"]: r for r in _rows(summary)}
    ordered = sorted(folds, key=lambda r: (r["repeat"], r["fold"]))
    scores = {m: [r["score"] for r in ordered if r["model"] == m] for m in ("logreg", "sknn-mlp")}
    # iris in 3 folds: 100 training and 50 test rows
    expected = corrected_resampled_ttest(np.subtract(scores["sknn-mlp"], scores["logreg"]), 0.5)
    assert by["sknn-mlp"]["reference"] == "logreg"
    assert by["sknn-mlp"]["p_value"] == pytest.approx(expected["p_value"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(repeats=0), "repeats must be"),
        (dict(alpha=1.5), "alpha must be"),
        (dict(dataset="iris,nope"), "Unknown dataset 'nope'"),
        (dict(dataset=","), "no data set named"),
        (dict(models="logreg,nope"), r"Unknown model\(s\) \['nope'\]"),
    ],
)
def test_new_options_reject_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare(**{"dataset": "iris", "models": "logreg", **kwargs})


def test_cli_over_three_data_sets_prints_ranks_checked_with_scipy(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    status = main(
        [
            "compare",
            "--dataset",
            "iris,wine,breast_cancer",
            "--models",
            "sknn-mlp,logreg,svc",
            "--cv",
            "2",
            "--max-iter",
            "5",
            "--device",
            "cpu",
            "--no-progress",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    folds = pd.read_csv(tmp_path / "folds.csv")
    assert len(folds) == 3 * 3 * 2
    means = folds.groupby(["dataset", "model"])["score"].mean().unstack()  # set x model
    matrix = means[["sknn-mlp", "logreg", "svc"]].to_numpy().T  # model x set
    expected_ranks = np.mean([stats.rankdata(-matrix[:, j]) for j in range(3)], axis=0)
    friedman = stats.friedmanchisquare(*matrix)
    ranks = pd.read_csv(tmp_path / "ranks.csv").set_index("model")
    for model, rank in zip(["sknn-mlp", "logreg", "svc"], expected_ranks):
        assert ranks.loc[model, "average_rank"] == pytest.approx(rank)
        assert f"| {model} | {rank:.2f} |" in out
    assert f"chi2 = {friedman.statistic:.3f}, p = {friedman.pvalue:.3g}" in out
    assert (tmp_path / "ranks.png").stat().st_size > 1000
    # the per-set p-values are the corrected t-test of the fold differences
    summary = pd.read_csv(tmp_path / "results.csv")
    row = summary[(summary.dataset == "wine") & (summary.model == "sknn-mlp")].iloc[0]
    wine = folds[folds.dataset == "wine"].sort_values(["repeat", "fold"])
    ref = wine[wine.model == row["reference"]]
    d = wine[wine.model == "sknn-mlp"]["score"].to_numpy() - ref["score"].to_numpy()
    se = math.sqrt((1 / 2 + np.mean(ref.n_test / ref.n_train)) * d.var(ddof=1))
    if se > 0:
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(d.mean() / se), 1))


def test_rank_table_needs_two_data_sets():
    summary = compare(dataset="iris", models="logreg,svc", **FAST)
    with pytest.raises(ValueError, match="at least two data sets"):
        rank_table(summary)


def test_figures_mark_what_is_not_significant():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summarize(
        _fold_rows({"sknn-mlp": MODEL, "logreg": BASELINE, "svc": np.subtract(BASELINE, 0.05)})
    )
    fig = plot_table(rows)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("n.s.") == 1 and "best baseline" in labels  # svc differs: -0.050
    assert sum(bool(b.get_hatch()) for b in fig.axes[0].patches) == 1
    plt.close(fig)
    ranks = rank_table(
        summarize(
            sum(
                (_fold_rows({m: [s[k]] * 2 for m, s in SCORES.items()}, f"s{k}") for k in range(6)),
                [],
            )
        )
    )
    fig = plot_ranks(ranks)
    red = [c for c in fig.axes[0].collections if c.get_linewidth()[0] == 3]
    assert len(red) == 1  # one clique: a, b, c and d
    assert {t.get_text().split()[0] for t in fig.axes[0].texts} >= set(SCORES)
    plt.close(fig)


# -- resuming ---------------------------------------------------------------------------


def test_a_second_run_reads_every_fold_instead_of_refitting(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "folds.jsonl"
    kwargs = dict(dataset="iris,wine", models="logreg,sknn-mlp", results_file=path, **FAST)
    first = compare(**kwargs)
    assert len(path.read_text().splitlines()) == 2 * 2 * 3

    def no_fit(*args):
        raise AssertionError("a finished fold was refitted")

    monkeypatch.setattr(job, "_run_fold", no_fit)
    with pytest.warns(UserWarning, match="12 of 12 fits read from"):
        second = compare(**kwargs)
    pd.testing.assert_frame_equal(second, first)  # fit times included: they are read back
    # other options (more epochs) are other fits
    with pytest.raises(AssertionError, match="refitted"):
        compare(**{**kwargs, "max_iter": 21})


def test_a_killed_run_resumes_and_ends_with_the_same_table(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    options = (
        "--dataset iris,wine --models sknn-mlp,logreg --cv 3 --repeats 2 --max-iter 150 "
        "--device cpu --no-progress"
    ).split()
    killed = tmp_path / "killed"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sknn", "compare", *options, "--out", str(killed)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = killed / "folds.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if store.is_file() and len(store.read_text().splitlines()) >= 2:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    done = [json.loads(line) for line in store.read_text().splitlines()]
    assert 2 <= len(done) < 24
    with open(store, "a") as f:
        f.write('{"key": "cut sh')  # a line cut short by the kill is ignored

    fitted = []
    run_fold = job._run_fold

    def counting(*args):
        fitted.append(args)
        return run_fold(*args)

    monkeypatch.setattr(job, "_run_fold", counting)
    assert main(["compare", *options, "--out", str(killed)]) == 0
    assert len(fitted) == 24 - len(done)  # the finished folds are not refitted
    records = [json.loads(line) for line in store.read_text().splitlines() if "cut sh" not in line]
    assert len(records) == 24 and len({r["key"] for r in records}) == 24
    assert records[: len(done)] == done

    fresh = tmp_path / "fresh"
    assert main(["compare", *options, "--out", str(fresh)]) == 0
    columns = ["dataset", "model", "accuracy_mean", "accuracy_std", "diff", "p_value"]
    resumed = pd.read_csv(killed / "results.csv")[columns]
    uninterrupted = pd.read_csv(fresh / "results.csv")[columns]
    pd.testing.assert_frame_equal(resumed, uninterrupted)
    assert (killed / "results.md").read_text().count("\n") > 10


def test_no_resume_refits(tmp_path, monkeypatch):
    options = ["compare", "--dataset", "iris", "--models", "logreg", "--cv", "2"]
    options += ["--no-progress", "--out", str(tmp_path)]
    assert main(options) == 0
    fitted = []
    monkeypatch.setattr(job, "_run_fold", lambda *a: fitted.append(1) or (1.0, 0.1, 0.1))
    assert main([*options, "--no-resume"]) == 0
    assert len(fitted) == 2 and len((tmp_path / "folds.jsonl").read_text().splitlines()) == 2


def test_rank_table_names_the_models_not_run_on_every_data_set():
    rows = sum(
        (_fold_rows({m: [s[k]] * 2 for m, s in SCORES.items()}, f"s{k}") for k in range(3)), []
    )
    rows += _fold_rows({"extra": [0.5, 0.5]}, "s0")  # run on one data set only
    ranks = rank_table(summarize(rows))
    assert "extra" not in set(ranks["model"]) and ranks.attrs["left_out"] == ["extra"]
    assert "not ranked (not run on every data set): extra" in rank_markdown(ranks)
