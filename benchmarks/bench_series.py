"""Time series: the user guide's FCN recipe on UCR/UEA sets, against the published
FCN and flattened-input baselines.

Data (official train/test split, shipped inside the ``sktime`` package; nothing is
downloaded): GunPoint, ArrowHead, OSULeaf and ItalyPowerDemand (univariate, equal
length) and JapaneseVowels (12 dimensions, lengths 7 to 29). Variable-length series
are resampled to the longest training length by linear interpolation, as Fawaz et
al.'s code (``hfawaz/dl-4-tsc``, ``utils.transform_to_same_length``) does.

Models:

* ``fcn``: :func:`fcn`, the recipe of ``docs/user_guide/series.rst`` (Wang et al.'s
  FCN with Fawaz et al.'s training protocol, on ``ConvNetClassifier(conv_dim=1)``);
  ``--seeds`` seeds (``random_state`` 0, 1, ...).
* ``resnet`` (with ``--networks fcn resnet``): :func:`resnet`, the guide's ResNet
  recipe (``residual=True``), about twice the FCN's cost per epoch.
* ``svc`` and ``logreg``: scikit-learn's ``SVC()`` and
  ``LogisticRegression(max_iter=5000)`` on the flattened series after
  ``StandardScaler`` (deterministic: one fit).

Published: FCN and ResNet mean (std) over 10 runs from Fawaz et al. (2019), read from
``hfawaz/dl-4-tsc`` ``results/results-uea-avg-std.csv`` / ``results-mts-avg-std.csv``
(see ``/work/shared/REFERENCES.md``).

Usage::

    python benchmarks/bench_series.py                       # 5 sets, 3 seeds
    python benchmarks/bench_series.py --sets GunPoint --seeds 1
    python benchmarks/bench_series.py --quick               # smoke test: 3 epochs

The Markdown report is printed and written with a JSON of the numbers to ``--out``
(default ``benchmarks/out/``) as ``series[_quick].md`` / ``.json``; with ``--append``
the runs of an earlier JSON are kept, so sets can be run one at a time.
"""

import argparse
import json
import os
import pathlib
import sys
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import _harness  # noqa: E402
from _data import DataNotFound, load_uea  # noqa: E402

from sknn import ConvNetClassifier  # noqa: E402

#: The sets and the published accuracy of each network, mean and std over 10 runs
#: (Fawaz et al. 2019; see the module docstring).
PUBLISHED = {
    "fcn": {
        "GunPoint": (100.0, 0.0),
        "ArrowHead": (84.3, 1.5),
        "OSULeaf": (97.7, 0.9),
        "ItalyPowerDemand": (96.1, 0.3),
        "JapaneseVowels": (99.3, 0.2),
    },
    "resnet": {
        "GunPoint": (99.1, 0.7),
        "ArrowHead": (84.5, 1.2),
        "OSULeaf": (97.9, 0.8),
        "ItalyPowerDemand": (96.3, 0.4),
        "JapaneseVowels": (99.2, 0.3),
    },
}
PUBLISHED_FCN = PUBLISHED["fcn"]


#: What both recipes share: global average pooling straight into the softmax
#: layer, batch norm, no L2 penalty, and Fawaz et al.'s schedule.
PROTOCOL = dict(
    conv_dim=1,
    pooling=None,
    global_pooling="avg",
    hidden_layer_sizes=(),
    batch_norm=True,
    alpha=0.0,
    learning_rate="plateau",
    n_iter_no_change=50,
)


def fcn(n_train, random_state=None, **params):
    """The FCN of Wang et al. (2017) with the training protocol of Fawaz et al.
    (2019): the recipe of ``docs/user_guide/series.rst``, for a training set of
    ``n_train`` series."""
    settings = dict(
        PROTOCOL,
        channels=(128, 256, 128),
        kernel_size=(8, 5, 3),
        batch_size=max(2, min(n_train // 10, 16)),
        max_iter=2000,
        random_state=random_state,
    )
    return ConvNetClassifier(**{**settings, **params})


def resnet(n_train, random_state=None, **params):
    """The ResNet of Wang et al. (2017) with the training protocol of Fawaz et al.
    (2019): the recipe of ``docs/user_guide/series.rst``."""
    settings = dict(
        PROTOCOL,
        residual=True,
        channels=(64, 128, 128),
        kernel_size=(8, 5, 3),
        batch_size=max(2, min(n_train // 10, 64)),
        max_iter=1500,
        random_state=random_state,
    )
    return ConvNetClassifier(**{**settings, **params})


NETWORKS = {"fcn": fcn, "resnet": resnet}
LABELS = {"fcn": "FCN", "resnet": "ResNet"}


def same_length(X, length):
    """Each ``(t_i, d)`` series resampled to ``length`` steps by linear
    interpolation (dl-4-tsc's ``transform_to_same_length``), as one array."""
    out = np.empty((len(X), length, X[0].shape[1]))
    for i, x in enumerate(X):
        old = np.linspace(0, 1, len(x))
        new = np.linspace(0, 1, length)
        for d in range(x.shape[1]):
            out[i, :, d] = np.interp(new, old, x[:, d])
    return out


def load(name):
    """``(X_train, y_train, X_test, y_test)`` as ``(n, timesteps, dims)`` arrays."""
    Xtr, ytr, Xte, yte = load_uea(name)
    length = max(len(x) for x in Xtr)
    return same_length(Xtr, length), ytr, same_length(Xte, length), yte


def baselines():
    return {
        "svc": lambda: make_pipeline(StandardScaler(), SVC()),
        "logreg": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
    }


def timed_fit(model, X, y):
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_set(name, seeds, quick, entry, save=lambda: None, networks=("fcn",)):
    Xtr, ytr, Xte, yte = load(name)
    entry.update(n_train=len(Xtr), n_test=len(Xte), shape=list(Xtr.shape[1:]))
    flat_tr, flat_te = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    for key, make in baselines().items():
        model = make()
        wall, cpu = timed_fit(model, flat_tr, ytr)
        acc = float(np.mean(model.predict(flat_te) == yte))
        entry[key] = [dict(seed=None, accuracy=acc, fit_s=wall, cpu_s=cpu)]
        print(f"{name} {key}: {acc:.4f}", flush=True)
    for net in networks:
        runs = {r["seed"]: r for r in entry.get(net, [])}
        for seed in seeds:
            model = NETWORKS[net](
                len(Xtr), random_state=seed, **(dict(max_iter=3) if quick else {})
            )
            wall, cpu = timed_fit(model, Xtr, ytr)
            acc = float(np.mean(model.predict(Xte) == yte))
            runs[seed] = dict(
                seed=seed, accuracy=acc, fit_s=wall, cpu_s=cpu, epochs=int(model.n_iter_)
            )
            print(
                f"{name} {net} seed {seed}: {acc:.4f} in {wall:.0f} s ({cpu:.0f} s CPU), "
                f"{model.n_iter_} epochs",
                flush=True,
            )
            entry[net] = [runs[s] for s in sorted(runs)]
            save()  # after every fit: a long run that is stopped keeps what it did


def report(results, env):
    lines = [
        "| data set (train / test) | network (recipe) | mean of seeds (spread; each) "
        "| published | difference | SVC | logistic | epochs | fit, s (CPU s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    total_cpu = 0.0
    for name, entry in results.items():
        total_cpu += sum(entry[k][0]["cpu_s"] for k in baselines() if k in entry)
        for net in NETWORKS:
            runs = entry.get(net, [])
            if not runs:
                continue
            acc = 100 * np.array([r["accuracy"] for r in runs])
            cpu = [r["cpu_s"] for r in runs]
            total_cpu += sum(cpu)
            pub, pub_std = PUBLISHED[net][name]
            lines.append(
                f"| {name} ({entry['n_train']} / {entry['n_test']}) | {LABELS[net]} "
                f"| {acc.mean():.1f} ({acc.max() - acc.min():.1f}; "
                f"{', '.join(f'{a:.1f}' for a in acc)}) "
                f"| {pub:.1f} ({pub_std:.1f}) | {acc.mean() - pub:+.1f} "
                f"| {100 * entry['svc'][0]['accuracy']:.1f} "
                f"| {100 * entry['logreg'][0]['accuracy']:.1f} "
                f"| {', '.join(str(r['epochs']) for r in runs)} "
                f"| {np.median([r['fit_s'] for r in runs]):.0f} ({np.median(cpu):.0f}) |"
            )
    lines += [
        "",
        f"Total CPU time of the script's fits: {total_cpu / 60:.1f} min. {env['cpu']}, "
        f"{env['cores']} cores, torch {env['torch']} ({env['torch_threads']} threads), "
        f"scikit-learn {env['scikit-learn']}, sknn {env['sknn']} (git {env['git_commit']}); "
        f"load average at the start {env['load_avg_start'][0]:.1f}.",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(PUBLISHED_FCN))
    parser.add_argument(
        "--networks", nargs="+", default=["fcn"], choices=list(NETWORKS), help="recipes to run"
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="3 epochs: a smoke test")
    parser.add_argument("--append", action="store_true", help="keep an earlier JSON's runs")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's choice)"
    )
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "series_quick" if args.quick else "series"
    path = out / f"{stem}.json"
    results = json.loads(path.read_text())["results"] if args.append and path.exists() else {}
    if args.threads:
        torch.set_num_threads(args.threads)
    env = dict(_harness.environment(), load_avg_start=os.getloadavg())
    seeds = range(args.first_seed, args.first_seed + args.seeds)

    def save():
        path.write_text(json.dumps(dict(environment=env, results=results), indent=1))

    for name in args.sets:
        if name not in PUBLISHED_FCN:
            parser.error(f"unknown set {name!r}; expected some of {list(PUBLISHED_FCN)}")
        try:
            run_set(name, seeds, args.quick, results.setdefault(name, {}), save, args.networks)
        except DataNotFound as exc:
            print(f"skipping {name}: {exc}")
            results.pop(name, None)
            continue
        save()
    text = report(results, env)
    (out / f"{stem}.md").write_text(text + "\n")
    print(text)
    return results


if __name__ == "__main__":
    main()
