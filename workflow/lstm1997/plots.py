"""Figures of the report (seaborn): each answers one question, the paper's value drawn as a reference."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from . import paper  # noqa: E402
from .io import atomic  # noqa: E402

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


def curves(trials: dict[int, pd.DataFrame], success: dict[int, int | None], label: str, T: int, window: int, png: str, svg: str) -> None:
    """The asker's two plots, all trials overlaid: running mean of training error, correct of the last window."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    palette = sns.color_palette("husl", len(trials))
    for color, (trial, curve) in zip(palette, sorted(trials.items())):
        left.plot(curve["sequences"], curve["cumulative_mse"], color=color, lw=1.2, label=f"trial {trial}")
        left.plot(curve["sequences"], curve["window_mse"], color=color, lw=0.6, ls="--")
        right.plot(curve["sequences"], curve["correct_in_window"], color=color, lw=1.0)
        right.plot(curve["sequences"], curve["asker_correct_in_window"], color=color, lw=0.6, ls="--")
        if success.get(trial):
            right.plot(success[trial], window, "o", color=color, ms=5)
    left.axhline(0.01, color="grey", lw=1, label="stopping threshold 0.01")
    right.axhline(window, color="grey", lw=1)
    for ax in (left, right):
        _paper_line(ax, T)
        ax.set_xlabel("processed sequences")
    left.set_yscale("log")
    left.set_ylabel(f"squared training error\nsolid: mean since start, dashed: last {window}")
    right.set_ylabel(f"correct of the last {window}\nsolid: paper (< 0.04), dashed: asker (< 0.2)")
    left.legend(fontsize=7, ncol=2)
    done = [n for n in success.values() if n]
    median = f"median {int(np.median(done)):,}" if done else "none"
    ref = paper.TABLE7.get(T)
    fig.suptitle(
        f"{label}, T={T}: {len(done)}/{len(trials)} trials met the stopping rule ({median}"
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


def test_errors(errors: pd.DataFrame, png: str, svg: str) -> None:
    """Distribution of absolute test errors per variant and T; the paper's 'correct' limit 0.04 marked."""
    fig, panels = per_T(errors, 5.5, 4.5)
    for ax, T, part in panels:
        wrong = part.groupby(["label", "trial"])["abs_error"].agg(lambda e: (e >= paper.CORRECT).sum()).groupby("label").mean()
        n = part.groupby(["label", "trial"]).size().iloc[0]
        named = part.assign(variant=part["label"].map(lambda k: f"{k}: {wrong[k]:.1f} wrong of {n} per trial"))
        sns.ecdfplot(data=named, x="abs_error", hue="variant", ax=ax, complementary=True, log_scale=(True, True))
        ax.axvline(paper.CORRECT, color="black", ls=":", lw=1.2)
        ax.set_title(f"T={T}")
        ax.set_xlabel("absolute test error |target - y| (0.04: wrong)")
        ax.set_ylabel("fraction of test sequences with larger error")
    fig.suptitle("Where the test errors sit: the tail beyond 0.04 counts as wrong")
    save(fig, png, svg)


def failures(errors: pd.DataFrame, png: str, svg: str) -> None:
    """Where the wrong test sequences sit: absolute error against the target, all trials of each variant."""
    fig, panels = per_T(errors, 5.5, 4.5)
    for ax, T, rows in panels:
        part = rows[rows["abs_error"] >= paper.CORRECT]
        if len(part):
            sns.scatterplot(data=part, x="target", y="abs_error", hue="label", ax=ax, s=18, alpha=0.7)
        ax.set_xlim(0, 1)
        ax.set_yscale("log")
        ax.axhline(paper.CORRECT, color="black", ls=":", lw=1.2)
        ax.set_title(f"T={T}: {len(part)} wrong test sequences over all trials")
        ax.set_xlabel("target 0.5 + (X1 + X2) / 4")
        ax.set_ylabel("absolute error of the wrong ones")
    fig.suptitle("Which test sequences fail: absolute error against the target value")
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


def write_all(
    trials_csv: str, table7_csv: str, order: list[str], runs: list[dict], curve_paths: list[str], error_paths: list[str], pngs: list[str], svgs: list[str]
) -> None:
    """Every figure of the pipeline; output paths are matched by name (``{label}_T{T}``, ``success``, ``test_errors``, ``failures``, ``overview``)."""
    out = {Path(png).stem: (png, svg) for png, svg in zip(sorted(pngs), sorted(svgs))}
    trials = pd.read_csv(trials_csv)
    overview(pd.read_csv(table7_csv), order, *out["overview"])
    for (label, T), group in trials.groupby(["label", "T"]):
        keys = [i for i, r in enumerate(runs) if r["label"] == label and r["T"] == T]
        loaded = {runs[i]["trial"]: pd.read_csv(curve_paths[i]) for i in keys}
        success = dict(zip(group["trial"], group[f"success_{group['primary'].iloc[0]}"].astype("Int64")))
        curves(loaded, {k: (None if pd.isna(v) else int(v)) for k, v in success.items()}, label, T, int(group["window"].iloc[0]), *out[f"{label}_T{T}"])
    success_distribution(trials, *out["success"])
    frames = []
    for run, path in zip(runs, error_paths):
        with np.load(path) as z:
            frames.append(pd.DataFrame({"label": run["label"], "T": run["T"], "trial": run["trial"], "target": z["targets"], "abs_error": np.abs(z["errors"])}))
    errors = pd.concat(frames, ignore_index=True)
    test_errors(errors, *out["test_errors"])
    failures(errors, *out["failures"])
