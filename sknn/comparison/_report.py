"""The results of :func:`sknn.compare` as Markdown tables and as figures."""

import math

import numpy as np

__all__ = ["plot_ranks", "plot_table", "rank_markdown", "to_markdown"]


def _records(rows):
    if hasattr(rows, "to_dict"):
        return rows.to_dict("records")
    return [{k: v for k, v in r.items() if k != "attrs"} for r in rows]


def _attrs(rows):
    if hasattr(rows, "attrs"):
        return dict(rows.attrs)
    return dict(rows[0].get("attrs", {})) if rows else {}


def _metric_of(rows):
    key = next(k for k in rows[0] if k.endswith("_mean"))
    return key[: -len("_mean")]


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _versus(r):
    """The cell of the paired test: ``+0.0012 [-0.0031, +0.0055] p=0.52 n.s.``."""
    if r.get("model") == r.get("reference"):
        return "reference"
    if _missing(r.get("p_value")):
        return ""
    mark = "" if r["significant"] else " n.s."
    return f"{r['diff']:+.4f} [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}] p={r['p_value']:.2g}{mark}"


def to_markdown(rows, *, show_dataset=None):
    """Format comparison rows as a Markdown table.

    Parameters
    ----------
    rows : DataFrame or list of dict
        What :func:`sknn.compare` returned.
    show_dataset : bool, optional
        Add a data set column; by default, when the rows hold several data sets.

    Returns
    -------
    table : str
        A header row and one row per data set and model: the metric's mean ± std,
        the difference to the best baseline with its confidence interval and the
        corrected t-test's p-value (``n.s.``: not significant), and the fit and
        predict times per fold.
    """
    rows = _records(rows)
    metric = _metric_of(rows)
    if show_dataset is None:
        show_dataset = len({r.get("dataset") for r in rows}) > 1
    tested = "p_value" in rows[0]
    head = ["model", f"{metric} (mean ± std)"]
    if tested:
        head.append("difference to best baseline [CI] and p-value")
    head += ["fit time / fold (s)", "predict time / fold (s)"]
    if show_dataset:
        head.insert(0, "dataset")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["model"], f"{r[f'{metric}_mean']:.4f} ± {r[f'{metric}_std']:.4f}"]
        if tested:
            cells.append(_versus(r))
        cells += [f"{r['fit_time_s']:.3f}", f"{r['predict_time_s']:.4f}"]
        if show_dataset:
            cells.insert(0, str(r["dataset"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rank_markdown(ranks):
    """Format :func:`sknn.comparison.rank_table` as Markdown, with Friedman's test.

    Parameters
    ----------
    ranks : DataFrame or list of dict
        What :func:`sknn.comparison.rank_table` returned.

    Returns
    -------
    text : str
        A line with Friedman's test, then a table: the model, its average rank, its
        mean score over the data sets and the Holm-corrected Wilcoxon p-value
        against the best-ranked model (``n.s.``: not significant), and a line naming
        the models left out because they did not run on every data set.
    """
    attrs = _attrs(ranks)
    rows = _records(ranks)
    metric = next(k for k in rows[0] if k.endswith("_mean"))
    friedman = (
        f"Friedman test over {attrs['n_datasets']} data sets: "
        f"chi2 = {attrs['friedman_statistic']:.3f}, p = {attrs['friedman_p_value']:.3g}"
        if not _missing(attrs.get("friedman_p_value"))
        else f"{attrs.get('n_datasets')} data sets (Friedman's test needs 3 models or more)"
    )
    lines = [
        friedman,
        "",
        f"| model | average rank | {metric[: -len('_mean')]} (mean over data sets) "
        "| Wilcoxon-Holm p vs best |",
        "|---|---|---|---|",
    ]
    for r in rows:
        p = "best" if _missing(r["p_value"]) else f"{r['p_value']:.3g}"
        if not _missing(r["p_value"]) and not r["significant"]:
            p += " n.s."
        lines.append(f"| {r['model']} | {r['average_rank']:.2f} | {r[metric]:.4f} | {p} |")
    if attrs.get("left_out"):
        lines += ["", "not ranked (not run on every data set): " + ", ".join(attrs["left_out"])]
    return "\n".join(lines)


def _mark_significance(ax, bars, rows):
    """Outline the reference's bar, hatch and mark those not significantly different."""
    for bar, r in zip(bars, rows):
        if r.get("model") == r.get("reference"):
            bar.set_edgecolor("black")
            bar.set_linewidth(1.5)
            label = "best baseline"
        elif "p_value" in r and not _missing(r["p_value"]) and not r["significant"]:
            bar.set_hatch("//")
            label = "n.s."
        elif "p_value" in r and not _missing(r["p_value"]):
            label = f"{r['diff']:+.3f}"
        else:
            continue
        ax.annotate(
            label,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color="white",
        )


def plot_table(rows, title=None, *, axes=None, dataset=None):
    """Bar charts of a comparison on one data set: the metric (mean ± std) and the fit time.

    Models whose difference to the best baseline is not significant (corrected
    resampled t-test) are drawn hatched and marked ``n.s.``; the reference is
    outlined.

    Parameters
    ----------
    rows : DataFrame or list of dict
        What :func:`sknn.compare` returned.
    title : str, optional
        Title of the figure.
    axes : pair of matplotlib Axes, optional
        Where to draw; a new figure of two panels when None.
    dataset : str, optional
        The data set to draw, when the rows hold several.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    rows = _records(rows)
    datasets = list(dict.fromkeys(r.get("dataset") for r in rows))
    if dataset is None and len(datasets) > 1:
        raise ValueError(f"The rows hold several data sets {datasets}; pass dataset=.")
    if dataset is not None:
        rows = [r for r in rows if r.get("dataset") == dataset]
        if not rows:
            raise ValueError(f"No rows of data set {dataset!r}; it holds {datasets}.")
    metric = _metric_of(rows)
    if axes is None:
        fig, axes = plt.subplots(
            1,
            2,
            figsize=(10, 0.45 * len(rows) + 1.6),
            sharey=True,
            gridspec_kw={"width_ratios": [3, 2]},
        )
    else:
        fig = axes[0].figure
    rows = rows[::-1]
    names = [r["model"] for r in rows]
    means = np.array([r[f"{metric}_mean"] for r in rows])
    stds = np.array([r[f"{metric}_std"] for r in rows])
    colors = ["tab:blue" if n.startswith("sknn") else "tab:gray" for n in names]
    bars = axes[0].barh(names, means, xerr=stds, color=colors, alpha=0.8)
    _mark_significance(axes[0], bars, rows)
    if means.min() >= 0 and means.max() <= 1:
        axes[0].set_xlim(max(0.0, float((means - stds).min()) - 0.05), 1.0)
    label = f"cross-validated {metric} (mean ± std)"
    if "p_value" in rows[0]:
        label += "\nhatched, n.s.: no significant difference to the best baseline"
    axes[0].set_xlabel(label)
    axes[1].barh(names, [r["fit_time_s"] for r in rows], color=colors, alpha=0.8)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("fit time per fold (s, log scale)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_ranks(ranks, title=None, *, ax=None):
    """A critical-difference diagram of the average ranks over data sets.

    The models sit on an axis of average rank (1 is best, on the left); a thick bar
    joins each maximal group of models of which no pair differs significantly
    (Wilcoxon signed-rank tests over the data sets with Holm's correction, as in
    Fawaz et al. 2019, after Demšar 2006).

    Parameters
    ----------
    ranks : DataFrame or list of dict
        What :func:`sknn.comparison.rank_table` returned.
    title : str, optional
        Title of the figure; by default it states Friedman's test.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    attrs = _attrs(ranks)
    rows = _records(ranks)
    k = len(rows)
    left = math.ceil(k / 2)
    step = 0.6
    height = step * left + 0.7
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.45 * left + 1.8))
    else:
        fig = ax.figure
    low, high = 1, max(k, 2)
    ax.hlines(0, low, high, color="black", linewidth=1)
    for tick in range(low, high + 1):
        ax.vlines(tick, 0, 0.12, color="black", linewidth=1)
        ax.text(tick, 0.2, str(tick), ha="center", va="bottom", fontsize=9)
    margin = 0.15 * (high - low) + 0.3
    for i, r in enumerate(rows):
        rank = r["average_rank"]
        on_left = i < left
        row = i if on_left else k - 1 - i
        y = -step * (row + 1) - 0.3
        x_end = low - margin if on_left else high + margin
        ax.plot([rank, rank, x_end], [0, y, y], color="black", linewidth=0.8)
        ax.text(
            x_end + (-0.05 if on_left else 0.05),
            y,
            f"{r['model']} ({rank:.2f})",
            ha="right" if on_left else "left",
            va="center",
            fontsize=9,
            color="tab:blue" if r["model"].startswith("sknn") else "black",
        )
    by_name = {r["model"]: r["average_rank"] for r in rows}
    for j, clique in enumerate(attrs.get("cliques", [])):
        ranks_of = [by_name[m] for m in clique if m in by_name]
        y = -0.12 - 0.1 * j
        ax.hlines(y, min(ranks_of) - 0.03, max(ranks_of) + 0.03, color="tab:red", linewidth=3)
    ax.set_xlim(low - margin - 0.1 * (high - low) - 0.9, high + margin + 0.1 * (high - low) + 0.9)
    ax.set_ylim(-height, 0.6)
    ax.axis("off")
    if title is None and not _missing(attrs.get("friedman_p_value")):
        title = (
            f"average ranks over {attrs['n_datasets']} data sets (1 = best); Friedman "
            f"p = {attrs['friedman_p_value']:.3g}\nred bars: no significant difference "
            f"(Wilcoxon-Holm, alpha = {attrs.get('alpha', 0.05)})"
        )
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
