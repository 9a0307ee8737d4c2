"""Figures of the report (seaborn): each answers one question, the paper's value drawn as a reference."""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from . import paper  # noqa: E402
from .io import atomic, reading  # noqa: E402

sns.set_theme(style="whitegrid", context="notebook")
matplotlib.rcParams["svg.hashsalt"] = "lstm1997"  # SVG element ids from a fixed salt, not a random one


def save(fig: plt.Figure, png: str, svg: str) -> None:
    """Write PNG and SVG atomically (SVG without a date, so reruns give the same bytes)."""
    for path, fmt, metadata in ((png, "png", {"Software": None}), (svg, "svg", {"Date": None})):
        with atomic(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight", metadata=metadata)
    plt.close(fig)


@contextmanager
def fixed_jitter(seed: int = 0):
    """seaborn's stripplot jitters with numpy's global generator: seed it for one figure, then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def per_T(frame: pd.DataFrame, width: float, height: float, sharey: bool = True):
    """A figure with one panel per T of ``frame``; returns it and (axes, T, rows of that T) per panel."""
    Ts = sorted(frame["T"].unique())
    fig, axes = plt.subplots(1, len(Ts), figsize=(width * len(Ts), height), squeeze=False, sharey=sharey, layout="constrained")
    return fig, [(ax, T, frame[frame["T"] == T]) for ax, T in zip(axes[0], Ts)]


def _paper_line(ax, T: int) -> None:
    ref = paper.TABLE7.get(T)
    if ref:
        ax.axvline(ref["sequences"], color="black", ls=":", lw=1.2, label=f"paper: {ref['sequences']:,}")


def curves(summaries: list[dict], curves: list[pd.DataFrame], png: str, svg: str) -> None:
    """The asker's two plots for one (variant, T), all trials overlaid: running mean of training error, correct of the last window.

    ``summaries`` (each trial's summary.json) and ``curves`` (its curve.csv) list the same trials in the same order.
    """
    label, T, protocol = summaries[0]["label"], summaries[0]["T"], summaries[0]["settings"]["protocol"]
    window = protocol["window"]
    runs = sorted(zip(summaries, curves), key=lambda run: run[0]["trial"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
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
    left.set_yscale("log")
    left.set_ylabel(f"squared training error\nsolid: mean since start, dashed: last {window}")
    right.set_ylabel(f"correct of the last {window}\nsolid: paper (< {protocol['correct_threshold']:g}), dashed: asker (< 0.2)")
    left.legend(fontsize=7, ncol=2)
    done = [n for s in summaries if (n := s["success"][s["primary"]])]
    median = f"median {int(np.median(done)):,}" if done else "none"
    ref = paper.TABLE7.get(T)
    fig.suptitle(
        f"{label}, T={T}: {len(done)}/{len(summaries)} trials met the stopping rule ({median}"
        + (f"; paper mean {ref['sequences']:,})" if ref else ")"),
    )
    save(fig, png, svg)


def success_distribution(trials: pd.DataFrame, png: str, svg: str) -> None:
    """Sequences to success of every trial, per variant and T, the paper's mean beside them."""
    primary = trials["primary"].iloc[0]
    data = trials.assign(sequences_to_success=trials[f"success_{primary}"].astype(float))
    fig, panels = per_T(data, 4.5, 4.2, sharey=False)
    for ax, T, part in panels:
        with fixed_jitter():
            sns.stripplot(data=part, x="label", y="sequences_to_success", hue="label", ax=ax, size=6, jitter=0.15, legend=False)
        ref = paper.TABLE7.get(T)
        if ref:
            ax.axhline(ref["sequences"], color="black", ls=":", label=f"paper mean {ref['sequences']:,}")
            ax.legend(fontsize=8)
        ax.set_yscale("log")
        ax.set_title(f"T={T}: " + ", ".join(f"{lab} {g['sequences_to_success'].notna().sum()}/{len(g)}" for lab, g in part.groupby("label")), fontsize=9)
        ax.set_xlabel("")
        ax.set_ylabel("sequences to success (log)")
        ax.tick_params(axis="x", rotation=20)
    fig.suptitle("How many sequences until the stopping rule is met (failed trials not shown)")
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
    against their target, which shows which sequences fail.
    """
    fig, panels = per_T(errors, 5.5, 4.5)
    for ax, T, part in panels:
        wrong = part[part["abs_error"] >= paper.CORRECT]
        if wrong_only:
            if len(wrong):
                sns.scatterplot(data=wrong, x="target", y="abs_error", hue="label", ax=ax, s=18, alpha=0.7)
            ax.set(xlim=(0, 1), yscale="log", title=f"T={T}: {len(wrong)} wrong test sequences over all trials")
            ax.set(xlabel="target 0.5 + (X1 + X2) / 4", ylabel="absolute error of the wrong ones")
        else:
            per_trial = part.groupby(["label", "trial"])["abs_error"]
            mean_wrong = per_trial.agg(lambda e: (e >= paper.CORRECT).sum()).groupby("label").mean()
            n = per_trial.size().iloc[0]
            named = part.assign(variant=part["label"].map(lambda k: f"{k}: {mean_wrong[k]:.1f} wrong of {n} per trial"))
            sns.ecdfplot(data=named, x="abs_error", hue="variant", ax=ax, complementary=True, log_scale=(True, True))
            ax.set(title=f"T={T}", xlabel="absolute test error |target - y| (0.04: wrong)", ylabel="fraction of test sequences with larger error")
        (ax.axhline if wrong_only else ax.axvline)(paper.CORRECT, color="black", ls=":", lw=1.2)
    if wrong_only:
        fig.suptitle("Which test sequences fail: absolute error against the target value")
    else:
        fig.suptitle("Where the test errors sit: the tail beyond 0.04 counts as wrong")
    save(fig, png, svg)


def overview(table: pd.DataFrame, order: list[str], png: str, svg: str) -> None:
    """Per variant and T: the fraction of trials that met the stopping rule, median sequences to success written beside."""
    labels = [v for v in order if v in set(table["label"])] + sorted(set(table["label"]) - set(order))
    fig, panels = per_T(table, 6, 0.45 * len(labels) + 1.8)
    for ax, T, rows in panels:
        part = rows.set_index("label").reindex(labels)
        rate = (part["successes"] / part["trials"]).fillna(0.0)
        ax.barh(range(len(labels)), rate, color=sns.color_palette("crest", len(labels)))
        for y, (r, row) in enumerate(zip(rate, part.itertuples())):
            text = "not run" if pd.isna(row.trials) else f"{int(row.successes)}/{int(row.trials)}" + (f", median {row.median_sequences:,.0f}" if row.successes else "")
            ax.text(min(r, 1.0) + 0.02, y, text, va="center", fontsize=8)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_xlim(0, 1.6)
        ax.set_xlabel("fraction of trials that met the stopping rule")
        ref = paper.TABLE7.get(T)
        ax.set_title(f"T={T}" + (f" (paper: 10/10, mean {ref['sequences']:,})" if ref else ""))
    fig.suptitle("Which variants learn the adding problem within the budget")
    save(fig, png, svg)


def sweep_heatmaps(cells: pd.DataFrame, value: str, paper_cell: dict, png: str, svg: str) -> None:
    """One heatmap of the sweep's ``value`` per (T, lr) over the two blocks' input-gate biases; ``paper_cell``
    (``bias1``, ``bias2``, ``lr``: the paper's setting) outlined."""
    Ts, lrs = sorted(cells["T"].unique()), sorted(cells["lr"].unique())
    fig, axes = plt.subplots(len(Ts), len(lrs), figsize=(3.6 * len(lrs), 3.2 * len(Ts)), squeeze=False, layout="constrained")
    label = "success probability" if value == "success_probability" else "median sequences to success"
    for (i, T), (j, lr) in itertools.product(enumerate(Ts), enumerate(lrs)):
        ax = axes[i, j]
        table = cells[(cells["T"] == T) & (cells["lr"] == lr)].pivot(index="bias1", columns="bias2", values=value)
        table = table.sort_index(ascending=False).sort_index(axis=1, ascending=False)
        kwargs = {"vmin": 0, "vmax": 1, "cmap": "viridis"} if value == "success_probability" else {"cmap": "magma_r"}
        fmt = ".0%" if value == "success_probability" else ".2g"
        sns.heatmap(table, ax=ax, annot=True, fmt=fmt, annot_kws={"fontsize": 7}, cbar=j == len(lrs) - 1, **kwargs)
        if lr == paper_cell["lr"] and paper_cell["bias1"] in table.index and paper_cell["bias2"] in table.columns:
            r, c = list(table.index).index(paper_cell["bias1"]), list(table.columns).index(paper_cell["bias2"])
            ax.add_patch(plt.Rectangle((c, r), 1, 1, fill=False, edgecolor="red", lw=2.5))
        ax.set_title(f"T={T}, lr={lr:g}" + (" (paper)" if lr == paper_cell["lr"] else ""), fontsize=10)
        ax.set_xlabel("input-gate bias, block 2")
        ax.set_ylabel("input-gate bias, block 1")
    paper_words = f"{paper_cell['bias1']:g}, {paper_cell['bias2']:g} at lr {paper_cell['lr']:g}"
    fig.suptitle(f"{label} over the initial input-gate biases (red: the paper's {paper_words})")
    save(fig, png, svg)


def anatomy(movers: dict[str, pd.DataFrame], escapes: dict[str, int], png: str, svg: str) -> None:
    """One panel per run: the weights that moved most from the start to the escape (``anatomy.movers``),
    against sequences, the escape marked."""
    fig, axes = plt.subplots(1, len(movers), figsize=(4.6 * len(movers), 4.2), squeeze=False)
    for ax, (label, frame) in zip(axes[0], movers.items()):
        sns.lineplot(frame, x="sequences", y="value", hue="weight", ax=ax, palette="tab10")
        ax.axvline(escapes[label], color="black", ls=":", lw=1.2)
        ax.set_title(f"{label}: escape after {escapes[label]:,}", fontsize=10)
        ax.set_xlabel("sequences")
        ax.set_ylabel("weight")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=2, frameon=False)
    fig.suptitle("The weights that carry the escape from the plateau (T = 500; dotted: the escape)")
    fig.tight_layout()
    save(fig, png, svg)
