"""The results of :func:`sknn.compare` as a Markdown table and as a figure."""

import numpy as np

__all__ = ["plot_table", "to_markdown"]


def _records(rows):
    return rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)


def _metric_of(rows):
    key = next(k for k in rows[0] if k.endswith("_mean"))
    return key[: -len("_mean")]


def to_markdown(rows):
    """Format comparison rows as a Markdown table.

    Parameters
    ----------
    rows : DataFrame or list of dict
        What :func:`sknn.compare` returned.

    Returns
    -------
    table : str
        A header row and one row per model: the metric's mean ± std and the fit and
        predict times per fold.
    """
    rows = _records(rows)
    metric = _metric_of(rows)
    lines = [
        f"| model | {metric} (mean ± std) | fit time / fold (s) | predict time / fold (s) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r[f'{metric}_mean']:.4f} ± {r[f'{metric}_std']:.4f} "
            f"| {r['fit_time_s']:.3f} | {r['predict_time_s']:.4f} |"
        )
    return "\n".join(lines)


def plot_table(rows, title=None, *, axes=None):
    """Bar charts of a comparison table: the metric (mean ± std) and the fit time.

    Parameters
    ----------
    rows : DataFrame or list of dict
        What :func:`sknn.compare` returned.
    title : str, optional
        Title of the figure.
    axes : pair of matplotlib Axes, optional
        Where to draw; a new figure of two panels when None.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    rows = _records(rows)
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
    names = [r["model"] for r in rows][::-1]
    means = np.array([r[f"{metric}_mean"] for r in rows][::-1])
    stds = np.array([r[f"{metric}_std"] for r in rows][::-1])
    colors = ["tab:blue" if n.startswith("sknn") else "tab:gray" for n in names]
    axes[0].barh(names, means, xerr=stds, color=colors, alpha=0.8)
    if means.min() >= 0 and means.max() <= 1:
        axes[0].set_xlim(max(0.0, float((means - stds).min()) - 0.05), 1.0)
    axes[0].set_xlabel(f"cross-validated {metric} (mean ± std)")
    axes[1].barh(names, [r["fit_time_s"] for r in rows][::-1], color=colors, alpha=0.8)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("fit time per fold (s, log scale)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
