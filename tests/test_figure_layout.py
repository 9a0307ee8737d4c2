"""Every figure of ``plots`` reads at a glance on realistic inputs: no two texts overlap, none leaves the canvas.

The inputs are synthetic but shaped like the published runs: the ladder's twelve variants with their long
labels, T = 100, 500 and 1000 with budgets up to 8,530,000 sequences, tens of thousands of failing test
sequences, the full sweep grid.  Extents are matplotlib's own (Agg renderer, after the layout ran).
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from lstm1997 import plots, robustness
from lstm1997.variants import LADDER

LABELS = [name for name, _ in LADDER] + ["lstm1997_forget", "lstm1997_random_gate_bias", "lstm1997_lr0.1", "lstm1997_lr1.0"]
BUDGETS = {100: 740_000, 500: 2_090_000, 1000: 8_530_000}
RUN_AT = {100: LABELS, 500: LABELS[4:8] + ["lstm1997_lr1.0"], 1000: ["lstm1997_linear", "lstm1997_random_gate_bias"]}
FAILING = {"asker", "asker_1layer", "asker_1layer_paperinit", "lstm1997_forget"}
TRIALS = 10


def _success(rng, label, T):
    """Sequences to success of one trial (None: failed), between a tenth of the budget and the budget."""
    if label in FAILING or rng.random() < 0.3:
        return None
    return int(rng.uniform(0.1, 1.0) * BUDGETS[T])


def _trials():
    rng = np.random.default_rng(0)
    rows = [
        {"label": label, "T": T, "trial": k, "primary": "window_mse", "success_window_mse": _success(rng, label, T)}
        for T, labels in RUN_AT.items()
        for label in labels
        for k in range(TRIALS)
    ]
    return pd.DataFrame(rows).astype({"success_window_mse": "Int64"})


def _table():
    trials = _trials()
    grouped = trials.groupby(["label", "T"])["success_window_mse"]
    return grouped.agg(successes="count", trials="size", median_sequences="median").reset_index()


def _errors():
    """Absolute test errors: the failing variants wrong on most of 2560 sequences (tens of thousands of points)."""
    rng = np.random.default_rng(1)
    frames = []
    for T, labels in RUN_AT.items():
        for label, k in itertools.product(labels, range(3)):
            target = rng.uniform(0, 1, 2560)
            scale = 0.3 if label in FAILING else 0.004
            frames.append(pd.DataFrame({"label": label, "T": T, "trial": k, "target": target, "abs_error": rng.exponential(scale, 2560)}))
    return pd.concat(frames, ignore_index=True)


def _curves(T):
    """Ten trials' summaries and learning curves over the whole budget of T, a row every 1000 sequences."""
    rng = np.random.default_rng(T)
    sequences = np.arange(1000, BUDGETS[T] + 1, 1000)
    protocol = {"window": 2000, "error_threshold": 0.01, "correct_threshold": 0.04}
    summaries, curves = [], []
    for k in range(TRIALS):
        met = _success(rng, "lstm1997", T)
        after = sequences >= (met or BUDGETS[T] + 1)
        summaries.append({"label": "asker_1layer_paperinit_noforget", "T": T, "trial": k, "primary": "window_mse", "success": {"window_mse": met}, "settings": {"protocol": protocol}})
        curves.append(
            pd.DataFrame(
                {
                    "sequences": sequences,
                    "cumulative_mse": 0.052 / np.sqrt(1 + np.cumsum(after)),
                    "window_mse": np.where(after, 1e-4, 0.052),
                    "correct_in_window": np.where(after, 2000, 300),
                    "asker_correct_in_window": np.where(after, 2000, 1300),
                }
            )
        )
    return summaries, curves


def _sweep():
    """config/sweep.yaml's grid at T = 100 (9 x 9 bias pairs x 6 learning rates) and config/map_iok.yaml's 3 x 3 pairs
    at lr 0.5 at T = 500, 32 trials a cell, some cells never succeeding, as ``robustness.summarize`` writes them."""
    rng = np.random.default_rng(2)
    grids = {100: ([0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0], [0.05, 0.1, 0.25, 0.5, 1.0, 2.0]), 500: ([0.0, -3.0, -6.0], [0.5])}
    rows = []
    for T, (biases, lrs) in grids.items():
        for lr, b1, b2 in itertools.product(lrs, biases, biases):
            p = rng.choice([0.0, rng.uniform(), 1.0])
            for trial in range(32):
                success = rng.uniform(5e4, BUDGETS[T]) if rng.uniform() < p else np.nan
                sequences = BUDGETS[T] if np.isnan(success) else success
                rows.append({"base": "lin_bias_iok", "T": T, "bias1": b1, "bias2": b2, "lr": lr, "trial": trial, "sequences": sequences, "success": success, "wrong": 1})
    return robustness.summarize(pd.DataFrame(rows))


def _anatomy():
    """Four runs' six movers, 12 weights in all (a shared legend of 12 styles), escapes from 52,000 to 922,000."""
    names = ["in_gate2.x_marker", "output.bias", "cell3.y_out2", "out_gate1.y_in1", "cell1.x_value", "in_gate1.bias"]
    names += ["out_gate1.x_marker", "cell3.bias", "in_gate2.x_value", "output.y_c3", "cell4.x_value", "cell2.y_c2"]
    runs = (
        ("lin_bias_ck", 0, 922_000, 0),
        ("lin_bias_iok", 0, 344_000, 2),
        ("lin_no_cell_bias", 4, 475_000, 4),
        ("lin_bias_ci", 0, 52_000, 6),
    )
    movers = {
        f"{label}, trial {k}": pd.DataFrame(
            [
                {"weight": w, "sequences": n, "value": (j - 3) * n / until}
                for j, w in enumerate(names[first : first + 6])
                for n in range(0, until + 100_001, 5000)
            ]
        )
        for label, k, until, first in runs
    }
    return movers, {f"{label}, trial {k}": until for label, k, until, _ in runs}


def _drift():
    """Four runs' cell states along one sequence (L 500-550): drift to +-2 at the start, a random walk of a few
    hundredths on the plateau, drift to up to +-10 at the escape; the counts of a slow and of a fast reading."""
    rng = np.random.default_rng(3)
    runs = (
        ("lin_bias_ck", 0, 922_000), ("lin_bias_iok", 0, 344_000),
        ("lin_no_cell_bias", 4, 475_000), ("lin_bias_ci", 0, 52_000),
    )
    states, marks = {}, {}
    for (label, k, until), L in zip(runs, (513, 500, 550, 527)):
        t = np.arange(L)[:, None]
        name = f"{label}, trial {k}"
        states[name] = {
            "start": (0, t * rng.uniform(-0.004, 0.004, 4)),
            "plateau": (until // 2, np.cumsum(rng.normal(0, 0.002, (L, 4)), axis=0)),
            "escape": (until + 3000, t * rng.uniform(-0.018, 0.018, 4)),
        }
        marks[name] = np.array([4, 126])
    return states, marks


SCALING_RUNS = {
    "lstm1997": (40_000, 0.5, (100, 200, 300, 500, 700, 1000)),
    "lstm1997_linear": (90_000, 1.5, (100, 500, 1000)),
    "lin_bias_iok": (60_000, 1.0, (100, 200, 300, 500, 700, 1000)),
    "asker_1layer_paperinit_noforget": (500_000, 1.0, (100,)),
    "lin_bias_cio": (300_000, 1.0, (500,)),
}
"""The scaling figure's runs, label: (sequences to success at T = 100, growth exponent, T run): two at every T of the
long-lags runs, one at Table 7's, two at one T only."""


def _scaling_trials():
    """Five to ten trials per (variant, T), spread by a factor of about 1.3 around the power law, at most
    5,000,000 sequences; a fifth failed."""
    rng = np.random.default_rng(3)
    rows = []
    for label, (at_100, exponent, Ts) in SCALING_RUNS.items():
        for T in Ts:
            for k in range(int(rng.integers(5, 11))):
                sequences = min(at_100 * (T / 100) ** exponent * rng.lognormal(0, 0.3), 5_000_000)
                rows.append({"label": label, "T": T, "trial": k, "primary": "window_mse", "success_window_mse": None if rng.random() < 0.2 else int(sequences)})
    return pd.DataFrame(rows)


FIGURES = {
    "curves T=100": lambda: plots.curves(*_curves(100), "c.png", "c.svg"),
    "curves T=1000": lambda: plots.curves(*_curves(1000), "c.png", "c.svg"),
    "success": lambda: plots.success_distribution(_trials(), LABELS, "s.png", "s.svg"),
    "success, one T": lambda: plots.success_distribution(_trials().query("T == 100"), LABELS, "s.png", "s.svg"),
    "test_errors": lambda: plots.test_errors(_errors(), "e.png", "e.svg"),
    "failures": lambda: plots.test_errors(_errors(), "f.png", "f.svg", wrong_only=True),
    "overview": lambda: plots.overview(_table(), LABELS, "o.png", "o.svg"),
    "sweep": lambda: plots.sweep_heatmaps(_sweep(), "median_sequences", {"bias1": -3.0, "bias2": -6.0, "lr": 0.5}, "h.png", "h.svg"),
    "sweep, one lr": lambda: plots.sweep_heatmaps(_sweep().query("lr == 0.5"), "success_probability", {"bias1": -3.0, "bias2": -6.0, "lr": 0.5}, "h.png", "h.svg"),
    "anatomy": lambda: plots.anatomy(*_anatomy(), "a.png", "a.svg"),
    "scaling": lambda: plots.scaling(_scaling_trials(), ["lstm1997_linear", "lstm1997"], "g.png", "g.svg"),
    "drift": lambda: plots.drift(*_drift(), "d.png", "d.svg"),
}


GAP = 2
"""Pixels (at 100 dpi) that must separate two texts: tick labels that touch read as one number."""


def _ticks(axis):
    """The tick labels an axis draws: ticks within its view, labels shown and not empty."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * (high - low)
    ticks = [t for t in axis.get_major_ticks() + axis.get_minor_ticks() if low - slack <= t.get_loc() <= high + slack]
    return [label for t in ticks for label in (t.label1, t.label2)]


def texts(fig) -> list[Text]:
    """Every text drawn on ``fig``: tick labels, axis labels, offsets, titles, texts inside axes, legends, suptitle."""
    found = [fig._suptitle] + [t for legend in fig.legends for t in [legend.get_title(), *legend.get_texts()]]
    for ax in fig.axes:
        found += [ax.title, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            found += [axis.label, axis.offsetText, *_ticks(axis)]
        if legend := ax.get_legend():
            found += [legend.get_title(), *legend.get_texts()]
    return [t for t in found if t is not None and t.get_visible() and t.get_text().strip()]


def layout_problems(fig) -> list[str]:
    """After drawing ``fig`` with Agg: texts that leave the canvas, pairs of texts closer than ``GAP`` pixels
    (overlapping or running together), legends that cover an axes' data area."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(GAP / 2)) for t in texts(fig)]
    canvas = fig.bbox
    problems = [f"leaves the canvas: {text!r}" for text, box in boxes if Bbox.union([box, canvas]).bounds != canvas.bounds]
    problems += [f"overlap: {a!r} and {b!r}" for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    legends = fig.legends + [legend for ax in fig.axes if (legend := ax.get_legend())]
    problems += [
        f"legend covers the data: {legend.get_texts()[0].get_text()!r}"
        for legend in legends
        if any(legend.get_window_extent(renderer).overlaps(ax.bbox) for ax in fig.axes)
    ]
    return problems


@pytest.mark.parametrize("name", FIGURES)
def test_no_text_overlaps_another_or_leaves_the_canvas_and_no_legend_covers_data(name, monkeypatch):
    figures = []
    monkeypatch.setattr(plots, "save", lambda fig, png, svg: figures.append(fig))
    FIGURES[name]()
    assert figures
    for fig in figures:
        problems = layout_problems(fig)
        assert len(texts(fig)) > 10 and not problems, "\n".join(problems[:20])
        plots.plt.close(fig)


def test_the_check_sees_an_overlap_a_text_off_the_canvas_and_a_legend_on_the_data():
    fig, ax = plots.plt.subplots(figsize=(3, 2))
    ax.set_xticks([0, 0.01], ["a long tick label", "another long one"])
    ax.set_title("a title far too long for a figure three inches wide, so it leaves the canvas")
    ax.plot([0, 1], [0, 1], label="a curve")
    ax.legend()
    problems = layout_problems(fig)
    assert "overlap: 'a long tick label' and 'another long one'" in problems
    assert any(p.startswith("leaves the canvas: 'a title far too long") for p in problems)
    assert "legend covers the data: 'a curve'" in problems
    plots.plt.close(fig)
