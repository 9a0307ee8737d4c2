"""One published folder from a study measured in stages: the union of trials, a trial measured twice checked."""

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm1997 import combine

REPO = Path(__file__).resolve().parents[1]
PAPER = REPO / "docs/reproduction/paper"


def _trials(**success) -> pd.DataFrame:
    """Two trials of label a at T = 100; ``success`` overrides columns of trial 1."""
    frame = pd.DataFrame({"label": ["a", "a"], "T": [100, 100], "trial": [0, 1], "sequences": [5000, 9000], "wrong": [0, 2]})
    for name in combine.SAME[:-2]:
        frame[name] = [np.nan, np.nan]
    frame["success_window_mse"] = [4000.0, 8000.0]
    for column, value in success.items():
        frame.loc[1, column] = value
    return frame


def test_a_trial_measured_twice_is_kept_once_and_must_agree():
    first, again = _trials(), _trials().assign(note="second")
    merged = combine.merge([("one", first), ("two", again), ("three", _trials().iloc[[0]].assign(trial=2))])
    assert merged["trial"].tolist() == [0, 1, 2] and "note" not in merged  # the first measurement of a trial is kept
    with pytest.raises(ValueError, match=r"^label a, T 100, trial 1: one and two differ in success_window_mse$"):
        combine.merge([("one", first), ("two", _trials(success_window_mse=8001.0))])
    with pytest.raises(ValueError, match=r"^label a, T 100, trial 1: one and two differ in success_window_mse, wrong$"):
        combine.merge([("one", first), ("two", _trials(success_window_mse=np.nan, wrong=3))])


def test_one_published_folder_combines_to_its_own_tables(tmp_path):
    table = combine.combine(tmp_path, [REPO / "config/config.yaml"], [PAPER])
    for name in ("trials.csv", "timings.csv", "table7.csv", "table7.md"):
        assert filecmp.cmp(tmp_path / name, PAPER / name, shallow=False), name
    assert sorted(p.name for p in (tmp_path / "figures/curves").glob("*.png")) == sorted(p.name for p in (PAPER / "figures/curves").glob("*.png"))
    fits = pd.read_csv(tmp_path / "scaling.csv").set_index("label")["exponent"]
    assert fits["lstm1997_linear"] == pytest.approx(1.586, abs=1e-3) and fits["paper (Table 7)"] == pytest.approx(0.988, abs=1e-3)
    assert (tmp_path / "figures/scaling.png").exists() and "alt=\"Log-log plot: sequences to success against T" in (tmp_path / "report.html").read_text()
    assert len(table) == 6


def test_a_folder_that_is_neither_kind_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"neither a published folder \(trials.csv\) nor a results folder \(runs/\)$"):
        combine.read_source(tmp_path)
