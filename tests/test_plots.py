"""Figures rerender to the same bytes."""

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from lstm1997 import plots, scaling


def test_success_figure_is_the_same_bytes_twice_and_leaves_numpys_generator_alone(tmp_path, caplog):
    caplog.set_level("INFO", logger="lstm1997.plots")
    trials = pd.read_csv(REPO / "docs/reproduction/paper/trials.csv")
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    for k in (1, 2):
        plots.success_distribution(trials, ["lstm1997_linear", "lstm1997"], str(tmp_path / f"{k}.png"), str(tmp_path / f"{k}.svg"))
    assert (tmp_path / "1.png").read_bytes() == (tmp_path / "2.png").read_bytes()
    assert (tmp_path / "1.svg").read_bytes() == (tmp_path / "2.svg").read_bytes()
    assert np.array_equal(np.random.get_state()[1], before)
    assert caplog.messages[-1] == f"wrote {tmp_path / '2.png'} and {tmp_path / '2.svg'}"


def test_both_error_figures_count_the_wrong_test_sequences(tmp_path, monkeypatch):
    targets, errors = np.array([0.5, 0.9, 0.1]), {0: np.array([0.01, -0.05, 0.2]), 1: np.array([0.001, 0.03, -0.04])}
    for trial, e in errors.items():
        np.savez(tmp_path / f"{trial}.npz", targets=targets, errors=e)
    summaries = [{"label": "a", "T": 10, "trial": trial} for trial in errors]
    frame = plots.errors_frame(summaries, [str(tmp_path / f"{trial}.npz") for trial in errors])
    assert frame["abs_error"].tolist() == [0.01, 0.05, 0.2, 0.001, 0.03, 0.04] and frame["trial"].tolist() == [0, 0, 0, 1, 1, 1]
    figures = []
    monkeypatch.setattr(plots, "save", lambda fig, png, svg: figures.append(fig))
    plots.test_errors(frame, "all.png", "all.svg")
    plots.test_errors(frame, "wrong.png", "wrong.svg", wrong_only=True)
    everything, wrong = (fig.axes[0] for fig in figures)
    legend = everything.get_legend()
    assert legend.get_title().get_text() == "variant: mean wrong of 3 per trial" and [t.get_text() for t in legend.texts] == ["a: 1.5"]
    assert wrong.get_title() == "T=10: 3 wrong, all trials" and figures[1].legends[0].get_title().get_text() == "variant"
    assert sorted(wrong.collections[0].get_offsets()[:, 0]) == [0.1, 0.1, 0.9]


def _reading_order(legend) -> list[str]:
    """A drawn legend's texts as one reads them: row by row, top to bottom, each left to right."""
    legend.figure.canvas.draw()
    boxes = [(text.get_window_extent(), text.get_text()) for text in legend.get_texts()]
    return [text for box, text in sorted(boxes, key=lambda b: (-round(b[0].y0), b[0].x0))]


@pytest.mark.parametrize("entries, ncol", [(7, 4), (12, 7)])
def test_row_major_makes_a_legend_read_row_by_row(entries, ncol):
    names = [f"trial {k}" for k in range(entries)]
    fig = plots.plt.figure(figsize=(12, 2))
    handles = [Line2D([], [], color="black") for _ in names]
    fig.legend(*plots.row_major(handles, names, ncol), ncol=ncol)
    assert _reading_order(fig.legends[0]) == names
    fig.legend(handles, names, ncol=ncol)
    assert _reading_order(fig.legends[1]) != names  # matplotlib alone fills column by column
    plots.plt.close(fig)


def test_scaling_draws_each_labels_means_its_fitted_power_law_and_the_papers(monkeypatch):
    trials = pd.DataFrame(
        [("b", 100, 10000), ("b", 200, 30000), ("a", 100, 1000), ("a", 100, 3000), ("a", 400, 16000), ("a", 400, None), ("c", 100, 7000)],
        columns=["label", "T", "success_window_mse"],
    ).assign(primary="window_mse")
    figures = []
    monkeypatch.setattr(plots, "save", lambda fig, png, svg: figures.append(fig))
    plots.scaling(trials, ["b"], "s.png", "s.svg")
    ax = figures[0].axes[0]
    assert _reading_order(figures[0].legends[0]) == [
        "paper (Table 7): $T^{0.99}$", "b: $T^{1.58}$", "a: $T^{1.50}$", "c: one T",
    ]
    drawn = [(line.get_xdata().tolist(), line.get_ydata().tolist()) for line in ax.get_lines()]
    exponent, prefactor = scaling.fit([100, 500, 1000], [74000, 209000, 853000])
    assert drawn[2:5] == [([100, 400], [2000.0, 16000.0]), ([100.0, 400.0], pytest.approx([2000.0, 16000.0])), ([100], [7000.0])]
    assert drawn[5:] == [([100, 500, 1000], [74000, 209000, 853000]), ([100.0, 1000.0], pytest.approx([prefactor * 100**exponent, prefactor * 1000**exponent]))]
    assert sorted(ax.collections[1].get_offsets()[:, 1]) == [1000.0, 3000.0, 16000.0]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["100", "200", "400", "500", "1000"]
    plots.plt.close(figures[0])


@pytest.mark.parametrize(("low", "high", "subs", "at_least"), [(9e5, 1.43e6, (1.0, 1.5, 2.0, 3.0, 5.0, 7.0), 3), (3e4, 4e6, (1.0, 2.0, 5.0), 6)])
def test_a_log_counts_axis_has_two_ticks_or_more_inside_its_range(low, high, subs, at_least):
    """The median map's colour bar over 0.9M-1.43M had one tick (1M): a range under a decade gets round linear ticks."""
    fig, ax = plt.subplots()
    ax.set_yscale("log")
    ax.set_ylim(low, high)
    plots.counts_axis(ax.yaxis, log=True, subs=subs)
    fig.canvas.draw()
    inside = [t for t in ax.yaxis.get_majorticklocs() if low <= t <= high]
    assert len(inside) >= at_least
    labels = {t.get_position()[1]: t.get_text() for t in ax.yaxis.get_majorticklabels()}
    assert [labels[t] for t in inside] == [plots.compact(t) for t in inside]
    plt.close(fig)
