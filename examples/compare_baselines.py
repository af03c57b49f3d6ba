"""
Neural nets against SVM and logistic-regression baselines on digits
====================================================================

The job a new user runs first: ``sknn.MLPClassifier`` next to scikit-learn's
``MLPClassifier``, ``SVC`` and ``LogisticRegression`` on the bundled digits data
(1797 8x8 images, no download), each in a ``Pipeline`` with ``StandardScaler``,
scored by 5-fold cross-validation. It prints a table of mean +- std accuracy and
the mean fit and predict times per fold.

Run ``python examples/compare_baselines.py --help`` for options. With the
environment variable ``SKNN_EXAMPLES_FAST=1`` it uses 3 folds and fewer epochs.
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sknn


def make_models(seed, max_iter, device):
    """The compared models, each a Pipeline with a StandardScaler in front."""
    return {
        "sknn.MLPClassifier": sknn.MLPClassifier(
            hidden_layer_sizes=(100,), max_iter=max_iter, random_state=seed, device=device
        ),
        "sknn.MLPClassifier (dropout=0.2)": sknn.MLPClassifier(
            hidden_layer_sizes=(256,), dropout=0.2, max_iter=max_iter,
            random_state=seed, device=device,
        ),
        "sklearn MLPClassifier": SkMLPClassifier(
            hidden_layer_sizes=(100,), max_iter=max_iter, random_state=seed
        ),
        "SVC (rbf)": SVC(),
        "LogisticRegression": LogisticRegression(max_iter=1000),
    }


def compare(cv=5, seed=0, max_iter=200, device="auto", n_jobs=None):
    """Cross-validate every model on digits; return a list of result rows."""
    X, y = load_digits(return_X_y=True)
    # PyTorch's optimizers import torch._dynamo on first use (about 1.5 s, once per
    # process); do that before timing so fit times compare steady-state training.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sknn.MLPClassifier(max_iter=1, device=device).fit(X[:50], y[:50])
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    rows = []
    for name, model in make_models(seed, max_iter, device).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = cross_validate(make_pipeline(StandardScaler(), model), X, y, cv=folds,
                                 n_jobs=n_jobs)
        rows.append(
            dict(
                model=name,
                accuracy_mean=float(np.mean(res["test_score"])),
                accuracy_std=float(np.std(res["test_score"])),
                fit_time_s=float(np.mean(res["fit_time"])),
                predict_time_s=float(np.mean(res["score_time"])),
            )
        )
    return rows


def format_table(rows):
    """Markdown table of the results, best accuracy first."""
    lines = [
        "| model | accuracy (mean ± std) | fit time / fold (s) | predict time / fold (s) |",
        "|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: -r["accuracy_mean"]):
        lines.append(
            f"| {r['model']} | {r['accuracy_mean']:.4f} ± {r['accuracy_std']:.4f} "
            f"| {r['fit_time_s']:.3f} | {r['predict_time_s']:.4f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    fast = os.environ.get("SKNN_EXAMPLES_FAST") == "1"
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--cv", type=int, default=3 if fast else 5, help="number of folds")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--max-iter", type=int, default=30 if fast else 200,
                        help="epochs for the MLPs")
    parser.add_argument("--device", default="auto", help="'auto', 'cpu', 'cuda' or 'cuda:N'")
    parser.add_argument("--n-jobs", type=int, default=None, help="parallel folds")
    args = parser.parse_args(argv)
    if args.cv < 2:
        parser.error("--cv must be at least 2")
    try:
        sknn.MLPClassifier(device=args.device)._validate_params()
        from sknn.utils._torch import resolve_device

        resolve_device(args.device)
    except ValueError as exc:
        parser.error(str(exc))
    start = time.perf_counter()
    rows = compare(cv=args.cv, seed=args.seed, max_iter=args.max_iter, device=args.device,
                   n_jobs=args.n_jobs)
    print(f"digits (1797 samples, 64 features, 10 classes), {args.cv}-fold CV, "
          f"StandardScaler in front of every model; times are means per fold, after a "
          f"one-off PyTorch warm-up\n")
    print(format_table(rows))
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    return rows


if __name__ == "__main__":
    main()
