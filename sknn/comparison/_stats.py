"""The statistics of :func:`sknn.compare`: paired tests on one data set, ranks over several.

* On one data set, every model is scored on the same (repeated) stratified folds, so
  its fold scores are *paired* with the best baseline's. Their differences are
  tested with the corrected resampled t-test of Nadeau & Bengio (2003), whose
  variance term ``1/k + n_test/n_train`` accounts for the folds sharing training
  rows (the plain paired t-test on fold scores is far too liberal): see
  :func:`corrected_resampled_ttest`.
* Over several data sets, each data set gives one mean score per model; the models
  are ranked on each (:func:`scipy.stats.rankdata`), the average ranks are compared
  with Friedman's test (:func:`scipy.stats.friedmanchisquare`), and every pair of
  models with Wilcoxon's signed-rank test over the data sets
  (:func:`scipy.stats.wilcoxon`) with Holm's step-down correction for the number of
  pairs (:func:`holm`), as in the critical-difference diagrams of Demšar (2006) and
  Fawaz et al. (2019).

The distributions and tests are scipy's; only the Nadeau-Bengio variance correction
and Holm's correction (which scipy does not have; ``statsmodels``'
``multipletests(method='holm')`` computes the same) are written here.
"""

import itertools

import numpy as np
from scipy import stats

__all__ = ["corrected_resampled_ttest", "holm", "rank_models"]


def corrected_resampled_ttest(differences, test_fraction, *, confidence=0.95):
    """Nadeau and Bengio's corrected resampled t-test of paired fold differences.

    With ``k`` differences ``d_j`` (one per fold of every repeat), their mean ``m``
    and sample variance ``s2`` (``ddof=1``), the statistic is
    ``t = m / sqrt((1/k + n_test/n_train) * s2)`` with ``k - 1`` degrees of
    freedom (Nadeau & Bengio 2003; Bouckaert & Frank 2004 for repeated k-fold CV).
    The plain paired t-test would use ``1/k`` alone, ignoring that the training
    sets overlap.

    Parameters
    ----------
    differences : array-like of shape (k,)
        Score of a model minus the score of the reference, fold by fold, on the
        same folds.
    test_fraction : float
        ``n_test / n_train`` of a fold: ``1 / (n_folds - 1)`` for k-fold CV.
    confidence : float, default=0.95
        Level of the confidence interval of the mean difference.

    Returns
    -------
    result : dict
        ``mean`` (mean difference), ``ci_low``, ``ci_high``, ``statistic`` (t),
        ``df`` and ``p_value`` (two-sided). With zero variance the p-value is 1
        when the mean difference is 0 and 0 otherwise.
    """
    d = np.asarray(differences, dtype=np.float64)
    k = d.size
    if k < 2:
        raise ValueError(f"The corrected t-test needs at least 2 differences, got {k}.")
    mean = float(d.mean())
    se = float(np.sqrt((1.0 / k + test_fraction) * d.var(ddof=1)))
    df = k - 1
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    if se > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), df))
    else:  # every fold gives the same difference
        t = 0.0 if mean == 0 else float(np.copysign(np.inf, mean))
        p = 1.0 if mean == 0 else 0.0
    return {
        "mean": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "statistic": float(t),
        "df": df,
        "p_value": p,
    }


def holm(p_values):
    """Holm's step-down adjustment of p-values (family-wise error rate).

    The ``i``-th smallest of ``m`` p-values becomes ``max_{j <= i} min(1, (m - j + 1)
    p_(j))``; reject where the adjusted value is below the level. scipy has no Holm
    correction (:func:`scipy.stats.false_discovery_control` controls the false
    discovery rate instead); ``statsmodels.stats.multitest.multipletests(p,
    method='holm')[1]`` gives the same numbers.

    Parameters
    ----------
    p_values : array-like of shape (m,)

    Returns
    -------
    adjusted : ndarray of shape (m,)
        In the order given.
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def _wilcoxon(a, b):
    """Two-sided p-value of Wilcoxon's signed-rank test; 1 when a and b are equal."""
    if np.allclose(a, b, rtol=0, atol=1e-12):
        return 1.0
    return float(stats.wilcoxon(a, b, zero_method="pratt").pvalue)


def rank_models(scores, *, alpha=0.05):
    """Average ranks over data sets, Friedman's test and Wilcoxon-Holm pairs.

    Parameters
    ----------
    scores : dict of {str: array-like of shape (n_datasets,)}
        One mean score per data set for each model (higher is better), the data
        sets in the same order for every model.
    alpha : float, default=0.05
        Level of the pairwise tests, after Holm's correction.

    Returns
    -------
    result : dict
        ``ranks``: ``{model: average rank}`` (1 is best, ties share the mean rank),
        sorted best first; ``friedman_statistic`` and ``friedman_p_value`` (NaN
        with fewer than 3 models); ``pairs``: a list of ``(model_a, model_b,
        p_value, p_holm)``, one per pair of models; ``cliques``: lists of models
        (in rank order) whose every pair differs non-significantly, each maximal,
        as drawn by the critical-difference diagram.
    """
    names = list(scores)
    matrix = np.array([np.asarray(scores[n], dtype=np.float64) for n in names])  # model x set
    if matrix.ndim != 2 or matrix.shape[1] < 1:
        raise ValueError("rank_models needs one score per data set for every model.")
    ranks = np.mean([stats.rankdata(-matrix[:, j]) for j in range(matrix.shape[1])], axis=0)
    order = sorted(range(len(names)), key=lambda i: (ranks[i], names[i]))
    friedman = (np.nan, np.nan)
    if len(names) >= 3 and matrix.shape[1] >= 2:
        result = stats.friedmanchisquare(*matrix)
        friedman = (float(result.statistic), float(result.pvalue))
    pairs = list(itertools.combinations(range(len(names)), 2))
    raw = [_wilcoxon(matrix[i], matrix[j]) for i, j in pairs]
    adjusted = holm(raw) if raw else []
    different = {
        frozenset((i, j)) for (i, j), p in zip(pairs, adjusted) if p < alpha
    }  # significantly different pairs
    cliques = []
    for start in range(len(order)):
        stop = start + 1
        while stop < len(order) and not any(
            frozenset((order[stop], order[i])) in different for i in range(start, stop)
        ):
            stop += 1
        group = order[start:stop]
        if len(group) > 1 and not any(set(group) <= set(c) for c in cliques):
            cliques.append(group)
    return {
        "ranks": {names[i]: float(ranks[i]) for i in order},
        "friedman_statistic": friedman[0],
        "friedman_p_value": friedman[1],
        "pairs": [
            (names[i], names[j], float(p), float(q)) for (i, j), p, q in zip(pairs, raw, adjusted)
        ],
        "cliques": [[names[i] for i in c] for c in cliques],
    }
