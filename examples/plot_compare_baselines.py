"""
Neural nets against SVM and logistic-regression baselines on digits
====================================================================

The comparison a new user runs first, from Python: :func:`sknn.compare`
cross-validates ``sknn.MLPClassifier`` (plain and with dropout) and
``sknn.PerceptronClassifier`` next to scikit-learn's ``MLPClassifier``, ``SVC`` and
``LogisticRegression`` on the bundled digits data (no download), each behind a
``StandardScaler``, and returns a table of mean ± std accuracy with fit and predict
times per fold. The same runs from the shell as ``python -m sknn compare``.

With ``SKNN_EXAMPLES_FAST=1`` it uses 3 folds and fewer epochs.
"""

import os

import sknn
from sknn._compare import to_markdown

FAST = os.environ.get("SKNN_EXAMPLES_FAST") == "1"

table = sknn.compare(dataset="digits", cv=3 if FAST else 5, max_iter=30 if FAST else 200,
                     random_state=0)
print(to_markdown(table))
