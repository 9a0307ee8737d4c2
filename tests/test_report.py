"""The facts the report's answer to the asker is written from, on a crafted ladder table."""

import pandas as pd

from lstm1997 import report


def _ladder(rows):
    return pd.DataFrame(
        [{"label": name, "T": 100, "successes": s, "trials": 10, "mean_wrong": w, "median_sequences": 5e5} for name, s, w in rows]
    )


def test_minimal_fix_names_the_rungs_that_moved_the_outcome():
    table = _ladder(
        [
            ("asker", 0, 2190.0),
            ("asker_1layer", 0, 2189.0),
            ("asker_1layer_paperinit", 0, 2190.0),
            ("asker_1layer_paperinit_noforget", 0, 31.7),
            ("cell1997_bptt_sqloss", 10, 7.7),
            ("lstm1997", 6, 8.5),
        ]
    )
    fix = report.minimal_fix(report.rungs(table, 100))
    assert fix.rung == 4
    assert [k for k, _ in fix.moved] == [3, 4] and fix.moved[0][1] == "no forget gate" and fix.moved[1][1].startswith("the 1997 cell")
    assert fix.inert == [1, 2]


def test_no_fix_when_no_rung_succeeds():
    table = _ladder([("asker", 0, 2190.0), ("asker_1layer", 0, 2000.0)])
    assert report.minimal_fix(report.rungs(table, 100)) == report.Fix(None, [], [])


def test_a_first_rung_that_succeeds_needs_no_fix():
    table = _ladder([("asker", 6, 10.0), ("asker_1layer", 0, 2000.0), ("asker_1layer_paperinit", 10, 1.0)])
    assert report.minimal_fix(report.rungs(table, 100)) == report.Fix(0, [], [])


def test_one_rung_is_not_a_ladder():
    table = _ladder([("lstm1997_linear", 10, 0.4)]).assign(test_sequences=2560, mean_last_cumulative_mse=0.02, mean_last_asker_correct=2000)
    assert report.ladder(table, 100).startswith("(fewer than two rungs")
    two = pd.concat([table, table.assign(label="lstm1997", successes=6)])
    assert report.ladder(two, 100).count("\n| ") == 2


def _summary(trial, diverged_at, met):
    return {"label": "lstm1997_linear", "T": 100, "trial": trial, "primary": "window_mse", "success": {"window_mse": met}, "diverged_at": diverged_at}


def test_diverged_trials_are_listed_with_where_and_how_they_count():
    summaries = [_summary(0, None, 90_000), _summary(1, 12_345, None), _summary(2, 200_001, 150_000)]
    assert report.diverged(summaries) == (
        "- **lstm1997_linear, T = 100, trial 1**: diverged at sequence 12,345 (weights no longer finite), counted as failed.\n"
        "- **lstm1997_linear, T = 100, trial 2**: diverged at sequence 200,001 (weights no longer finite), "
        "counted as a success: it met the rule at 150,000 before."
    )
    assert report.diverged(summaries[:1]) == "No trial diverged: every run's weights stayed finite."
