"""Figures rerender to the same bytes."""

import numpy as np
import pandas as pd
from conftest import REPO

from lstm1997 import plots


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
