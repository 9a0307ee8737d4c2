"""The stopping rule (5.4) on crafted error streams."""

import re

import numpy as np
import pytest

from lstm1997 import criteria
from lstm1997.criteria import DEFINITIONS, StoppingRule


def feed(errors, block=1000, **kwargs):
    rule = StoppingRule(**kwargs)
    measures = [rule.update(errors[i : i + block]) for i in range(0, len(errors), block)]
    return rule, {k: np.concatenate([m[k] for m in measures]) for k in measures[0]}


def test_all_correct_from_the_start_meets_every_definition_at_the_window():
    rule, _ = feed(np.full(5000, 0.001))
    assert rule.met == {name: 2000 for name in DEFINITIONS}


def test_one_wrong_sequence_resets_the_2000_correct_condition():
    errors = np.full(8000, 0.001)
    errors[:1000] = errors[2999] = 0.05
    rule, m = feed(errors)
    assert rule.met["window_mse"] == 3000 + 2000
    assert m["correct_in_window"][2999] == 1999 and m["correct_in_window"][4998] == 1999 and m["correct_in_window"][4999] == 2000


def test_correct_means_absolute_error_strictly_below_threshold():
    rule, _ = feed(np.full(3000, -0.04))
    assert rule.met == {}
    rule, _ = feed(np.full(3000, -0.0399))
    assert rule.met["window_mse"] == 2000


def test_cumulative_mean_remembers_early_errors():
    # 1000 sequences at squared error 0.09, then correct ones at 0.0001: the cumulative mse falls
    # below 0.01 once (90 + 0.0001 (n - 1000)) / n < 0.01, i.e. n > 89.9 / 0.0099 = 9080.8
    errors = np.concatenate([np.full(1000, 0.3), np.full(20000, 0.01)])
    rule, m = feed(errors, block=777)
    assert rule.met["window_mse"] == 3000
    assert rule.met["cumulative_mse"] == 9081
    assert m["cumulative_mse"][9079] >= 0.01 > m["cumulative_mse"][9080]


def test_mean_absolute_error_is_stricter():
    # every sequence correct (|e| = 0.02) but mean absolute error 0.02 >= 0.01
    rule, _ = feed(np.full(10000, 0.02))
    assert rule.met == {"window_mse": 2000, "cumulative_mse": 2000}
    errors = np.concatenate([np.full(3000, 0.02), np.full(5000, 0.005)])
    rule, _ = feed(errors)
    # window mae < 0.01 once more than 2000/3 of the last 2000 are 0.005: 0.02 k + 0.005 (2000 - k) < 20 -> k < 666.7
    assert rule.met["window_mae"] == 3000 + 2000 - 666


@pytest.mark.parametrize("block", [1, 7, 1000, 2500, 10000])
def test_blocking_does_not_change_the_result(block):
    rng = np.random.default_rng(0)
    errors = rng.normal(0, 0.04, 10000) * np.linspace(1, 0.1, 10000)
    reference, ref_m = feed(errors, block=10000)
    rule, m = feed(errors, block=block)
    assert rule.met == reference.met and rule.n == 10000
    assert np.array_equal(m["correct_in_window"], ref_m["correct_in_window"])
    for k in DEFINITIONS:
        np.testing.assert_allclose(m[k], ref_m[k], rtol=1e-9)


def test_asker_correct_counts_absolute_error_below_0_2():
    rule, m = feed(np.array([0.05, -0.19, 0.2, 0.01]), window=3)
    assert m["asker_correct_in_window"].tolist() == [1, 2, 2, 2]
    assert m["correct_in_window"].tolist() == [0, 0, 0, 1]


def test_window_measures_before_the_window_is_full():
    rule, m = feed(np.array([0.1, 0.3]), window=2000)
    assert np.allclose(m["window_mse"], [0.01, 0.05]) and np.allclose(m["window_mae"], [0.1, 0.2])
    assert m["correct_in_window"].tolist() == [0, 0] and rule.met == {}


def numpy_measures(tail, errors, n, sums, window=2000, correct=0.04, asker=0.2):
    """The measures as numpy's cumsums give them (the rule's arithmetic before it was compiled): the oracle."""
    joined = np.concatenate([tail, errors])
    ends = np.arange(len(tail), len(joined)) + 1
    starts = np.maximum(ends - window, 0)
    out = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, values in (("mse", np.square(joined)), ("mae", np.abs(joined))):
            run = np.concatenate([[0.0], np.cumsum(values)])
            out[f"window_{name}"] = (run[ends] - run[starts]) / (ends - starts)
            out[f"cumulative_{name}"] = (sums[name] + np.cumsum(values[len(tail) :])) / (n + np.arange(1, len(errors) + 1))
        for name, threshold in (("correct_in_window", correct), ("asker_correct_in_window", asker)):
            hits = np.concatenate([[0], np.cumsum(np.abs(joined) < threshold)])
            out[name] = hits[ends] - hits[starts]
    return out


def test_compiled_measures_equal_numpys_cumsums_bit_for_bit():
    """Every measure of every block, a diverging run's inf and nan included, is numpy's to the last bit."""
    rng = np.random.default_rng(3)
    errors = rng.normal(0, 0.05, 7300) * np.linspace(1, 0.01, 7300)
    errors[7000], errors[7100] = np.inf, np.nan
    rule = StoppingRule()
    for i in range(0, len(errors), 900):
        expected = numpy_measures(rule.tail, errors[i : i + 900], rule.n, dict(rule.sums))
        got = rule.update(errors[i : i + 900])
        for k in expected:
            assert got[k].dtype == expected[k].dtype
            np.testing.assert_array_equal(got[k], expected[k], err_msg=k)


def state(rule):
    return rule.n, rule.sums, rule.met, rule.tail.tolist()


def histories(rng, lengths, **kwargs):
    """Rules fed ``lengths`` errors each (blocks of 700): fresh, a window not yet full, full windows."""
    rules = [StoppingRule(**kwargs) for _ in lengths]
    for rule, n in zip(rules, lengths):
        for i in range(0, n, 700):
            rule.update(rng.normal(0, 0.03, min(700, n - i)))
    return rules


@pytest.mark.parametrize("latest", [True, False])
def test_feeding_many_rules_at_once_is_feeding_each_alone(latest):
    """Rows of different histories and counts, in one call: every state is each rule's alone, every kept measure
    numpy's, bitwise, and so are the measures after each row's last error where asked for (the running sums then
    accumulated only as far as a measure needs them)."""
    rng = np.random.default_rng(5)
    lengths, counts = [0, 900, 2000, 4100, 2600], np.array([1000, 1000, 3, 640, 0])
    errors = rng.normal(0, 0.03, (5, 1000)) * np.linspace(1, 0.2, 1000)
    together, alone = histories(np.random.default_rng(1), lengths), histories(np.random.default_rng(1), lengths)
    fed = criteria.feed(together, errors, counts, every=250, latest=latest)
    assert (fed.latest is None) == (not latest)
    for r, rule in enumerate(alone):
        expected = numpy_measures(rule.tail, errors[r, : counts[r]], rule.n, dict(rule.sums))
        measures = rule.update(errors[r, : counts[r]])
        assert state(together[r]) == state(rule)
        keep = fed.sequences(r) - lengths[r] - 1
        assert keep.tolist() == [p for p in range(counts[r]) if (lengths[r] + p + 1) % 250 == 0]
        for k, got in fed.measures(r).items():
            np.testing.assert_array_equal(got, expected[k][keep], err_msg=k)
        if counts[r] and latest:
            assert fed.last(r) == {k: v[-1] for k, v in expected.items()}
    assert fed.end == [-1] * 5


@pytest.mark.parametrize("wanted", [("window_mae",), ("cumulative_mse", "window_mse")])
def test_a_rule_stops_taking_errors_where_its_wanted_definitions_are_all_met(wanted):
    """The state where the wanted definitions are all met inside the block is the state of a rule fed only the
    errors up to there; a definition met later in the block is not met; met at the block's last error, no end."""
    # 1000 wrong (0.22), 2300 correct at 0.035, then 0.001: window_mse met at 3000, window_mae once fewer than
    # 530 of the window are 0.035 (4771), cumulative_mse once (48.4 + 2.8175) / n < 0.01 (5122)
    errors = np.concatenate([np.full(1000, 0.22), np.full(2300, 0.035), np.full(2200, 0.001)])
    uncut = StoppingRule()
    uncut.update(errors)
    assert uncut.met == {"window_mse": 3000, "cumulative_mse": 5122, "window_mae": 4771}
    stop = max(uncut.met[name] for name in wanted)
    cut, truncated, at_last = StoppingRule(), StoppingRule(), StoppingRule()
    for rule in (cut, truncated, at_last):
        rule.update(errors[:2500])
    fed = criteria.feed([cut], errors[None, 2500:], np.array([3000]), wanted, every=1000)
    truncated.update(errors[2500:stop])
    assert fed.end == [stop - 2500] and state(cut) == state(truncated)
    assert fed.newly.get(0) == {name: n - 2500 for name, n in uncut.met.items() if n <= stop}
    assert criteria.feed([at_last], errors[None, 2500:stop], np.array([stop - 2500]), wanted).end == [-1] and at_last.n == stop


@pytest.mark.parametrize(
    ("rules", "counts", "message"),
    [
        ([StoppingRule(window=2), StoppingRule(window=5)], [3, 3], "feed: rules must share definitions, window and thresholds"),
        ([StoppingRule(), StoppingRule(("window_mae",))], [3, 3], "feed: rules must share definitions, window and thresholds"),
        ([StoppingRule(), StoppingRule()], [3, 5], "feed: errors must have a row per rule (2) at least as long as its count"),
    ],
)
def test_feeding_rules_of_different_protocols_or_counts_past_the_errors_is_refused(rules, counts, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        criteria.feed(rules, np.full((2, 3), 0.01), np.array(counts))
