"""Figures of the report (seaborn): each answers one question, the paper's value drawn as a reference."""

from __future__ import annotations

import itertools
import logging
import textwrap
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, NullLocator  # noqa: E402
from matplotlib.transforms import offset_copy  # noqa: E402

from . import paper  # noqa: E402
from . import scaling as power_law  # noqa: E402
from .io import atomic, reading  # noqa: E402

log = logging.getLogger(__name__)
sns.set_theme(style="whitegrid", context="notebook")
matplotlib.rcParams["svg.hashsalt"] = "lstm1997"  # SVG element ids from a fixed salt, not a random one


def save(fig: plt.Figure, png: str, svg: str) -> None:
    """Write PNG and SVG atomically (SVG without a date, so reruns give the same bytes)."""
    for path, fmt, metadata in ((png, "png", {"Software": None}), (svg, "svg", {"Date": None})):
        with atomic(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight", metadata=metadata)
    plt.close(fig)
    log.info("wrote %s and %s", png, svg)


@contextmanager
def fixed_jitter(seed: int = 0):
    """seaborn's stripplot jitters with numpy's global generator: seed it for one figure, then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def compact(x: float, pos=None) -> str:
    """A count in a few characters, for ticks: 950, 200k, 1.2M."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


class _CountsLogLocator(LogLocator):
    """Log ticks at ``subs`` per decade; where fewer than two of them fall in the view (a range under a decade,
    e.g. 0.9M-1.4M), a few round linear values instead (1M, 1.2M, 1.4M)."""

    def tick_values(self, vmin, vmax):
        ticks = super().tick_values(vmin, vmax)
        low, high = sorted((vmin, vmax))
        if np.count_nonzero((ticks >= low) & (ticks <= high)) >= 2:
            return ticks
        return MaxNLocator(4, steps=[1, 2, 5, 10]).tick_values(vmin, vmax)


def counts_axis(axis, log: bool = False, subs: tuple[float, ...] = (1.0, 2.0, 5.0)) -> None:
    """Ticks of a sequence-count axis: few, compact (0, 200k, 400k; 1.2M), on a log axis at ``subs`` per decade."""
    if log:
        axis.set_major_locator(_CountsLogLocator(subs=subs))
        axis.set_minor_formatter(NullFormatter())
    else:
        axis.set_major_locator(MaxNLocator(5))
    axis.set_major_formatter(FuncFormatter(compact))


def suptitle(fig: plt.Figure, text: str) -> None:
    """The figure's title, broken into lines no wider than the figure (a character taken as 0.6 em)."""
    size = FontProperties(size=matplotlib.rcParams["figure.titlesize"]).get_size_in_points()
    fig.suptitle(textwrap.fill(text, int(fig.get_figwidth() * 72 / (0.6 * size))))


def ordered(order: list[str], labels) -> list[str]:
    """The labels present, those of ``order`` (the config's) first in its order, then the rest sorted."""
    present = set(labels)
    return [v for v in order if v in present] + sorted(present - set(order))


def palette(labels: list[str]) -> dict[str, tuple]:
    """One colour per variant, the same in every panel of a figure."""
    return dict(zip(labels, sns.color_palette("husl", len(labels))))


def row_major(handles: list, labels: list[str], ncol: int) -> tuple[list, list[str]]:
    """``handles`` and ``labels`` reordered so that a legend of ``ncol`` columns, which matplotlib fills column by
    column, reads row by row: left to right, then the next row."""
    order = [i for column in range(ncol) for i in range(column, len(labels), ncol)]
    return [handles[i] for i in order], [labels[i] for i in order]


def figure_legend(fig: plt.Figure, handles: list, labels: list[str], size: float = 9, ncol: int | None = None, **kwargs) -> None:
    """One legend below the whole figure, clear of every panel, in ``ncol`` columns (default: as many as fit the
    figure's width) that read row by row."""
    ncol = ncol or _columns(fig, labels, size)
    fig.legend(*row_major(handles, labels, ncol), ncol=ncol, loc="outside lower center", fontsize=size, frameon=False, **kwargs)


def legend_below(ax, points: float, **kwargs) -> None:
    """Move ``ax``'s legend below it, ``points`` under its lower edge: clear of the data, the tick labels and
    the axis label; constrained layout makes room for it."""
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-points, units="points")
    sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below, frameon=False, **kwargs)


def per_T(frame: pd.DataFrame, width: float, height: float, sharey: bool = True):
    """A figure with one panel per T of ``frame``; returns it and (axes, T, rows of that T) per panel."""
    Ts = sorted(frame["T"].unique())
    fig, axes = plt.subplots(1, len(Ts), figsize=(width * len(Ts), height), squeeze=False, sharey=sharey, layout="constrained")
    return fig, [(ax, T, frame[frame["T"] == T]) for ax, T in zip(axes[0], Ts)]


def _paper_line(ax, T: int) -> None:
    ref = paper.TABLE7.get(T)
    if ref:
        ax.axvline(ref["sequences"], color="black", ls=":", lw=1.2, label=f"paper's mean {ref['sequences']:,}")
        ax.update_datalim([(ref["sequences"], 0.0)], updatey=False)  # the x axis reaches the line, as it does the data
        ax.autoscale_view(scaley=False)


def curves(summaries: list[dict], curves: list[pd.DataFrame], png: str, svg: str) -> None:
    """The asker's two plots for one (variant, T), all trials overlaid: running mean of training error, correct of the last window.

    ``summaries`` (each trial's summary.json) and ``curves`` (its curve.csv) list the same trials in the same order.
    """
    label, T, protocol = summaries[0]["label"], summaries[0]["T"], summaries[0]["settings"]["protocol"]
    window = protocol["window"]
    runs = sorted(zip(summaries, curves), key=lambda run: run[0]["trial"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    for color, (summary, curve) in zip(sns.color_palette("husl", len(runs)), runs):
        left.plot(curve["sequences"], curve["cumulative_mse"], color=color, lw=1.2, label=f"trial {summary['trial']}")
        left.plot(curve["sequences"], curve["window_mse"], color=color, lw=0.6, ls="--")
        right.plot(curve["sequences"], curve["correct_in_window"], color=color, lw=1.0)
        right.plot(curve["sequences"], curve["asker_correct_in_window"], color=color, lw=0.6, ls="--")
        if met := summary["success"][summary["primary"]]:
            right.plot(met, window, "o", color=color, ms=5)
    left.axhline(protocol["error_threshold"], color="grey", lw=1, label=f"stopping threshold {protocol['error_threshold']:g}")
    right.axhline(window, color="grey", lw=1)
    for ax in (left, right):
        _paper_line(ax, T)
        ax.set_xlabel("processed sequences")
        counts_axis(ax.xaxis)
    left.set_yscale("log")
    left.set_ylabel("squared training error")
    left.set_title(f"solid: mean since the start; dashed: mean of the last {window:,}", fontsize=10)
    right.set_ylabel(f"correct of the last {window:,}")
    right.set_title(f"solid: the paper's (|error| < {protocol['correct_threshold']:g}); dashed: the asker's (< 0.2)", fontsize=10)
    handles, labels = left.get_legend_handles_labels()
    handles.append(Line2D([], [], color="black", ls="", marker="o", ms=5))
    labels.append("met the paper's rule (right)")
    figure_legend(fig, handles, labels, ncol=min(len(labels), 7))
    done = [n for s in summaries if (n := s["success"][s["primary"]])]
    median = f"median {int(np.median(done)):,}" if done else "none"
    ref = paper.TABLE7.get(T)
    suptitle(
        fig,
        f"{label}, T={T}: {len(done)}/{len(summaries)} trials met the stopping rule ({median}"
        + (f"; paper mean {ref['sequences']:,})" if ref else ")"),
    )
    save(fig, png, svg)


def success_distribution(trials: pd.DataFrame, order: list[str], png: str, svg: str) -> None:
    """Sequences to success of every trial, per variant (those of ``order`` first, in its order) and T, the
    paper's mean beside them; beside each row, the trials that met the rule."""
    primary = trials["primary"].iloc[0]
    data = trials.assign(sequences_to_success=trials[f"success_{primary}"].astype(float))
    labels = ordered(order, data["label"])
    fig, panels = per_T(data, 5, 0.4 * len(labels) + 2.2)
    for ax, T, part in panels:
        with fixed_jitter():
            sns.stripplot(
                data=part, x="sequences_to_success", y="label", order=labels, hue="label", palette=palette(labels),
                ax=ax, size=6, jitter=0.15, legend=False, log_scale=True,
            )
        met = part.groupby("label")["sequences_to_success"].agg(["count", "size"]).reindex(labels)
        for y, row in enumerate(met.itertuples()):
            text = "not run" if pd.isna(row.size) else f"{row.count:.0f}/{row.size:.0f}"
            ax.text(1.02, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=9)
        _paper_line(ax, T)
        counts_axis(ax.xaxis, log=True)
        ax.set(title=f"T={T}", xlabel="sequences to success (log)", ylabel="")
    if any(T in paper.TABLE7 for _, T, _ in panels):
        fig.legend([Line2D([], [], color="black", ls=":", lw=1.2)], ["the paper's mean (Table 7)"], loc="outside lower center", frameon=False)
    suptitle(fig, "How many sequences until the stopping rule is met (right of each row: trials that met it; failed trials not shown)")
    save(fig, png, svg)


def errors_frame(summaries: list[dict], error_paths: list[str]) -> pd.DataFrame:
    """One row per test sequence of every trial: label, T, trial, target, absolute error (``summaries`` and
    ``error_paths``, each trial's summary.json and test_errors.npz, list the same trials in the same order)."""
    frames = []
    for s, path in zip(summaries, error_paths):
        with reading(path), np.load(path) as z:
            frames.append(pd.DataFrame({"label": s["label"], "T": s["T"], "trial": s["trial"], "target": z["targets"], "abs_error": np.abs(z["errors"])}))
    return pd.concat(frames, ignore_index=True)


def test_errors(errors: pd.DataFrame, png: str, svg: str, wrong_only: bool = False) -> None:
    """Absolute test errors per variant and T against the paper's limit 0.04 (5.4: wrong at or above it).

    All of them, as the fraction of test sequences above each error; or, ``wrong_only``, the wrong ones
    against their target, which shows which sequences fail.  Variants in the order of ``errors``.
    """
    colors = palette(list(pd.unique(errors["label"])))
    rows = 0 if wrong_only else errors.groupby("T")["label"].nunique().max()  # legend rows below a panel
    fig, panels = per_T(errors, 5.5, 4.5 + 0.22 * rows)
    for ax, T, part in panels:
        if wrong_only:
            wrong = part[part["abs_error"] >= paper.CORRECT].rename(columns={"label": "variant"})
            if len(wrong):
                sns.scatterplot(data=wrong, x="target", y="abs_error", hue="variant", palette=colors, ax=ax, s=18, alpha=0.7, legend=False)
            ax.set(xlim=(0, 1), yscale="log", title=f"T={T}: {len(wrong):,} wrong, all trials")
            ax.set(xlabel="target 0.5 + (X1 + X2) / 4", ylabel="absolute error of the wrong ones")
            ax.axhline(paper.CORRECT, color="black", ls=":", lw=1.2)
        else:
            per_trial = part.groupby(["label", "trial"], sort=False)["abs_error"]
            mean_wrong = per_trial.agg(lambda e: (e >= paper.CORRECT).sum()).groupby("label", sort=False).mean()
            n = per_trial.size().iloc[0]
            named = {k: f"{k}: {mean_wrong[k]:.1f}" for k in mean_wrong.index}
            sns.ecdfplot(
                data=part.assign(variant=part["label"].map(named)), x="abs_error", hue="variant",
                palette={named[k]: colors[k] for k in named}, ax=ax, complementary=True, log_scale=(True, True),
            )
            ax.set(title=f"T={T}", xlabel="absolute test error |target - y| (0.04: wrong)", ylabel="fraction with a larger error")
            ax.axvline(paper.CORRECT, color="black", ls=":", lw=1.2)
            legend_below(ax, 48, title=f"variant: mean wrong of {n:,} per trial", fontsize=9, title_fontsize=9)
    if wrong_only:
        handles = [Line2D([], [], color=c, ls="", marker="o", ms=6) for c in colors.values()]
        fig.legend(handles, list(colors), title="variant", loc="outside lower center", ncol=_columns(fig, list(colors), 10), fontsize=10, frameon=False)
        suptitle(fig, "Which test sequences fail: absolute error against the target value")
    else:
        suptitle(fig, "Where the test errors sit: the tail beyond 0.04 counts as wrong")
    save(fig, png, svg)


def _columns(fig: plt.Figure, labels: list[str], size: float) -> int:
    """Legend columns that fit the figure's width: entries of the longest label (a character 0.6 em) plus a marker."""
    entry = (max(map(len, labels)) * 0.6 * size + 4 * size) / 72
    return max(1, min(len(labels), int(fig.get_figwidth() / entry)))


def scaling(trials: pd.DataFrame, order: list[str], png: str, svg: str) -> None:
    """Sequences to success against T, log-log (5.4, Table 7), per variant (those of ``order`` first): each successful
    trial (faint, variants side by side), the mean per T and the power law fitted to the means (``scaling.fits``);
    Table 7's rows in black."""
    done = power_law.successes(trials).dropna(subset=["success"])
    means = power_law.points(trials)
    fits = power_law.fits(trials).set_index("label")
    labels = ordered(order, means["label"])
    colors = palette(labels)
    table7 = pd.DataFrame(
        {"label": power_law.PAPER, "T": list(paper.TABLE7), "mean": [row["sequences"] for row in paper.TABLE7.values()]}
    )
    fig, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
    entries = []
    for i, label in enumerate(labels):
        trials_of = done[done["label"] == label]
        dodge = 10 ** (0.012 * (i - (len(labels) - 1) / 2))  # side by side at a shared T, a few pixels apart
        ax.scatter(trials_of["T"] * dodge, trials_of["success"], s=14, color=colors[label], alpha=0.35, lw=0)
        entries.append(_power_law(ax, means[means["label"] == label], fits, colors[label]))
    entries.insert(0, _power_law(ax, table7, fits, "black", marker="s", ls="--"))  # drawn last, above the variants
    ax.set(xscale="log", yscale="log", xlabel="T, the minimal sequence length (log)", ylabel="sequences to success (log)")
    Ts = sorted(set(done["T"]) | set(paper.TABLE7))
    ax.set_xticks(Ts, [str(T) for T in Ts])
    ax.xaxis.set_minor_locator(NullLocator())
    counts_axis(ax.yaxis, log=True)
    handles, names = zip(*entries)
    figure_legend(fig, list(handles), list(names), title="power law fitted to the means per T (large markers); faint: each successful trial", title_fontsize=9)
    suptitle(fig, "How the plateau grows with the lag: sequences to success against T")
    save(fig, png, svg)


def _power_law(ax, means: pd.DataFrame, fits: pd.DataFrame, color, marker: str = "o", ls: str = "-") -> tuple[Line2D, str]:
    """One label's means per T and, over their T range, its fitted power law (none at one T); its legend entry."""
    label = means["label"].iloc[0]
    ax.plot(means["T"], means["mean"], marker=marker, ms=7, ls="", color=color)
    if label not in fits.index:
        return Line2D([], [], color=color, marker=marker, ls=""), f"{label}: one T"
    exponent, prefactor = fits.loc[label, ["exponent", "prefactor"]]
    T = np.array([means["T"].min(), means["T"].max()], dtype=float)
    ax.plot(T, prefactor * T**exponent, color=color, lw=1.5, ls=ls)
    return Line2D([], [], color=color, marker=marker, ls=ls), f"{label}: $T^{{{exponent:.2f}}}$"


def overview(table: pd.DataFrame, order: list[str], png: str, svg: str) -> None:
    """Per variant and T: the fraction of trials that met the stopping rule, median sequences to success written beside."""
    labels = ordered(order, table["label"])
    fig, panels = per_T(table, 6, 0.45 * len(labels) + 1.8)
    for ax, T, rows in panels:
        part = rows.set_index("label").reindex(labels)
        rate = (part["successes"] / part["trials"]).fillna(0.0)
        ax.barh(range(len(labels)), rate, color=sns.color_palette("crest", len(labels)))
        for y, (r, row) in enumerate(zip(rate, part.itertuples())):
            text = "not run" if pd.isna(row.trials) else f"{int(row.successes)}/{int(row.trials)}" + (f", median {row.median_sequences:,.0f}" if row.successes else "")
            inside = r > 0.6  # written inside a long bar, in white, so that it stays within 0..1
            ax.text(r - 0.02 if inside else r + 0.02, y, text, va="center", ha="right" if inside else "left", color="white" if inside else "black", fontsize=8)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xlabel("fraction of trials that met the stopping rule")
        ref = paper.TABLE7.get(T)
        ax.set_title(f"T={T}" + (f" (paper: 10/10, mean {ref['sequences']:,})" if ref else ""))
    suptitle(fig, "Which variants learn the adding problem within the budget")
    save(fig, png, svg)


SWEEP_COLUMNS = 3
"""Learning rates side by side in the sweep's heatmaps; more wrap onto the next row."""
SWEEP_VALUES = {
    "success_probability": ("success probability", "success_low", "success_high", lambda p: f"{p:.0%}"),
    "median_sequences": ("median sequences to success", "median_low", "median_high", lambda x: "∞" if np.isinf(x) else compact(x)),
}
"""Per value drawn: its words, its interval's columns, how a number of it is written (∞: past the budget)."""


def sweep_heatmaps(cells: pd.DataFrame, value: str, paper_cell: dict, png: str, svg: str) -> None:
    """Heatmaps of the sweep's ``value`` (``SWEEP_VALUES``) over the two blocks' input-gate biases, a panel per
    (T, lr) and one colour scale per T; each cell reads its value over its 95% interval, ``paper_cell``
    (``bias1``, ``bias2``, ``lr``: the paper's setting) outlined in red.  A T's learning rates fill its rows."""
    words, low, high, text = SWEEP_VALUES[value]
    Ts, lrs = sorted(cells["T"].unique()), sorted(cells["lr"].unique())
    columns = min(len(lrs), SWEEP_COLUMNS)
    rows_per_T = -(-len(lrs) // columns)
    side = 0.62 * max(cells["bias1"].nunique(), cells["bias2"].nunique()) + 1.6
    fig, axes = plt.subplots(len(Ts) * rows_per_T, columns, figsize=(side * columns + 0.8, side * len(Ts) * rows_per_T + 0.8), squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for i, T in enumerate(Ts):
        at_T = cells[cells["T"] == T]
        scale = _sweep_scale(at_T[value]) if value == "median_sequences" else {"vmin": 0.0, "vmax": 1.0}
        present = [lr for lr in lrs if lr in set(at_T["lr"])]
        for k, lr in enumerate(present):
            ax = axes[i * rows_per_T + k // columns, k % columns]
            part = at_T[at_T["lr"] == lr]
            table = _sweep_pivot(part, value)
            notes = _sweep_pivot(part.assign(note=[_cell_note(r[value], r[low], r[high], text) for _, r in part.iterrows()]), "note")
            sns.heatmap(table.where(np.isfinite(table)), ax=ax, annot=notes, fmt="", annot_kws={"fontsize": 6.5}, cbar=k == len(present) - 1,
                        cmap="viridis" if value == "success_probability" else "magma_r", **scale)
            _past_budget(ax, table, notes)
            if value == "median_sequences" and k == len(present) - 1:  # a T's medians may span less than a decade
                counts_axis(ax.collections[0].colorbar.ax.yaxis, log=True, subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0))
            ax.axis("on")
            if lr == paper_cell["lr"] and paper_cell["bias1"] in table.index and paper_cell["bias2"] in table.columns:
                r, c = list(table.index).index(paper_cell["bias1"]), list(table.columns).index(paper_cell["bias2"])
                ax.add_patch(plt.Rectangle((c, r), 1, 1, fill=False, edgecolor="red", lw=2.5))
            ax.set_title(f"T={T}, lr={lr:g}" + (" (paper)" if lr == paper_cell["lr"] else ""), fontsize=10)
            ax.set_xlabel("input-gate bias, block 2")
            ax.set_ylabel("input-gate bias, block 1")
    paper_words = f"{paper_cell['bias1']:g}, {paper_cell['bias2']:g} at lr {paper_cell['lr']:g}"
    suptitle(fig, f"{words} over the initial input-gate biases, each cell over its 95% interval (red: the paper's {paper_words})")
    save(fig, png, svg)


def _sweep_pivot(part: pd.DataFrame, column: str) -> pd.DataFrame:
    """One (T, lr)'s cells as a table: block 1's biases down, block 2's across, largest first."""
    return part.pivot(index="bias1", columns="bias2", values=column).sort_index(ascending=False).sort_index(axis=1, ascending=False)


def _sweep_scale(medians: pd.Series) -> dict:
    """A log colour scale over a T's finite medians (counts of sequences span decades)."""
    finite = medians[np.isfinite(medians)]
    if finite.empty:
        return {}
    return {"norm": matplotlib.colors.LogNorm(finite.min(), max(finite.max(), finite.min() * 1.01))}


def _past_budget(ax, table: pd.DataFrame, notes: pd.DataFrame) -> None:
    """Grey, with their notes (seaborn writes none on a cell without a colour), the cells whose value is past
    the budget (a median of trials most of which never succeed)."""
    ax.set_facecolor("0.88")
    ax.grid(False)
    for r, c in zip(*np.nonzero(~np.isfinite(table.to_numpy()))):
        ax.text(c + 0.5, r + 0.5, notes.iat[r, c], ha="center", va="center", fontsize=6.5, color="0.2")


def _cell_note(x: float, low: float, high: float, text) -> str:
    """A cell's value over its interval; the value alone where there are too few trials for an interval or
    where all of it is past the budget."""
    if np.isnan(x):
        return ""
    return text(x) if np.isnan(low) or np.isinf(low) else f"{text(x)}\n{text(low)}–{text(high)}"


def legend_lines(fig: plt.Figure, styles: dict[str, dict]) -> None:
    """``figure_legend`` of one line per label, drawn with its ``Line2D`` keywords."""
    figure_legend(fig, [Line2D([], [], **style) for style in styles.values()], list(styles))


def distinct_lines(labels: list[str]) -> dict[str, dict]:
    """``Line2D`` keywords that tell many labels apart: tab10's colours, solid for the first ten, then dashed."""
    colors = sns.color_palette("tab10")
    return {label: {"color": colors[i % 10], "ls": "-" if i < 10 else "--", "lw": 1.5} for i, label in enumerate(labels)}


def anatomy(movers: dict[str, pd.DataFrame], escapes: dict[str, int], png: str, svg: str) -> None:
    """One panel per run: the weights that moved most from the start to the escape (``anatomy.movers``),
    against sequences, the escape marked; a weight is drawn alike in every panel."""
    styles = distinct_lines(list(pd.unique(pd.concat(movers.values())["weight"])))
    fig, axes = plt.subplots(1, len(movers), figsize=(4.6 * len(movers), 4.6), squeeze=False, layout="constrained")
    for ax, (label, frame) in zip(axes[0], movers.items()):
        for weight, path in frame.groupby("weight", sort=False):
            ax.plot(path["sequences"], path["value"], **styles[weight])
        ax.axvline(escapes[label], color="black", ls=":", lw=1.2)
        ax.set_title(f"{label}: escape after {escapes[label]:,}", fontsize=10)
        ax.set_xlabel("sequences")
        ax.set_ylabel("weight")
        counts_axis(ax.xaxis)
    legend_lines(fig, styles | {"the escape": {"color": "black", "ls": ":", "lw": 1.2}})
    suptitle(fig, "The weights that carry the escape from the plateau: the six that moved most up to it, per run (T = 500)")
    save(fig, png, svg)


def drift(states: dict[str, dict[str, tuple[int, np.ndarray]]], marks: dict[str, np.ndarray], png: str, svg: str) -> None:
    """One row per run, one panel per point of ``anatomy.drift_points``: the cell states s_c(t) along one test
    sequence (``anatomy.run_drift``), the marked time steps as thin lines (5.4: the drift of the biased cells)."""
    points = list(next(iter(states.values())))
    size = (4.4 * len(points), 2.2 * len(states) + 0.9)
    fig, axes = plt.subplots(len(states), len(points), figsize=size, squeeze=False, layout="constrained")
    colors = palette([f"cell {c + 1}" for c in range(next(iter(states.values()))[points[0]][1].shape[1])])
    for row, (name, panels) in zip(axes, states.items()):
        for ax, (point, (sequences, s)) in zip(row, panels.items()):
            for t in marks[name]:
                ax.axvline(t, color="black", ls="--", lw=0.8)
            for c, color in enumerate(colors.values()):
                ax.plot(np.arange(len(s)), s[:, c], color=color, lw=1.2)
            ax.set_xlim(0, len(s) - 1)
            ax.set_title(f"{name}: {point}" + (f" ({compact(sequences)})" if sequences else ""), fontsize=9)
        row[0].set_ylabel("cell state s_c(t)")
    for ax in axes[-1]:
        ax.set_xlabel("time step t")
    marked = {"marked pair (marker 1)": {"color": "black", "ls": "--", "lw": 0.8}}
    legend_lines(fig, {cell: {"color": color, "lw": 1.2} for cell, color in colors.items()} | marked)
    suptitle(
        fig,
        "The cells' drift along one test sequence: at the initial weights, halfway to the escape and at the escape"
        " (in brackets: sequences; each panel its own y scale)",
    )
    save(fig, png, svg)
