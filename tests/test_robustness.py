"""What the robustness map says: intervals, which cells hold, the verdict in words, on a real sweep and on crafted
trials."""

import numpy as np
import pandas as pd
import pytest

from lstm1997 import robustness, sweep
from lstm1997.variants import resolve


def test_summary_of_a_real_sweep_counts_its_failures():
    trials = sweep.run(resolve("lstm1997", {}), sweep.Grid((0.0,), (0.5,), trials=3), 10, budget=500)
    cells = robustness.summarize(trials)
    assert len(cells) == 1 and cells["base"].item() == "lstm1997" and cells["trials"].item() == 3 and cells["successes"].item() == 0
    assert cells["success_probability"].item() == 0.0 and cells["success_low"].item() == 0.0
    assert cells["success_high"].item() == pytest.approx(0.5615, abs=1e-4)  # Wilson, 0 of 3
    assert np.isinf(cells["median_sequences"].item()) and np.isnan(cells["median_low"].item()) and np.isnan(cells["mean_wrong"].item())
    facts = robustness.facts(cells)
    assert facts[["base", "T", "lr", "pairs", "holding"]].values.tolist() == [["lstm1997", 10, 0.5, 1, 0]]
    assert facts["paper_cell"].item() is None and facts["paper_pair"].item() is None and facts["outside"].item() == []


def test_wilson_interval():
    assert robustness.wilson(0, 32) == (0.0, pytest.approx(1.959964**2 / (32 + 1.959964**2)))  # the upper end in closed form
    low, high = robustness.wilson(16, 32)
    assert low == pytest.approx(1 - high) and (low, high) == (pytest.approx(0.3363, abs=1e-4), pytest.approx(0.6637, abs=1e-4))
    assert robustness.wilson(32, 32) == (pytest.approx(1 - 1.959964**2 / (32 + 1.959964**2)), 1.0)


def test_median_interval_uses_order_statistics_and_counts_failures_as_never():
    assert robustness.median_interval(np.arange(1.0, 33.0)) == (16.5, 10.0, 23.0)  # n = 32: ranks 10 and 23
    assert robustness.median_interval(np.array([5.0, 3.0, np.nan, 1.0, 2.0, 4.0, np.nan, 7.0, 8.0, 9.0])) == (6.0, 2.0, np.inf)
    median, low, high = robustness.median_interval(np.array([1.0, 2.0, np.nan, np.nan]))
    assert np.isinf(median) and np.isnan(low) and np.isnan(high)  # 4 trials are too few for a 95% interval


def _crafted(lr: float = 0.5) -> pd.DataFrame:
    """The paper's cell succeeds 32 of 32 times around 100k; (0, 0) 1.8x slower, (-1, -1) 3x slower, (-8, -8) half the time."""
    def cell(b1, b2, successes, scale):
        return [
            {"base": "b", "T": 100, "bias1": b1, "bias2": b2, "lr": lr, "trial": k, "sequences": scale * (90 + k) if k < successes else 400_000}
            | {"success": scale * (90 + k) if k < successes else np.nan, "wrong": k % 3}
            for k in range(32)
        ]
    return pd.DataFrame(cell(-3.0, -6.0, 32, 1000) + cell(0.0, 0.0, 32, 1800) + cell(-1.0, -1.0, 32, 3000) + cell(-8.0, -8.0, 16, 1000))


def test_summary_and_verdict_on_crafted_trials():
    """A cell within 2x holds, one 3x slower and one succeeding half the time do not; test wrong is averaged over
    the successful trials."""
    cells = robustness.summarize(_crafted()).set_index(["bias1", "bias2"])
    assert cells.loc[(-3.0, -6.0), "median_sequences"] == 105_500 and cells.loc[(-3.0, -6.0), "mean_wrong"] == pytest.approx(31 / 32)
    assert cells.loc[(-8.0, -8.0), "mean_wrong"] == pytest.approx(15 / 16) and np.isinf(cells.loc[(-8.0, -8.0), "median_high"])
    verdict = robustness.holds(cells.reset_index())
    assert verdict.tolist() == [0.0, 1.0, 0.0, 1.0]  # (-8, -8) half the time, the paper's own, (-1, -1) 3x slower, (0, 0) 1.8x
    facts = robustness.facts(cells.reset_index()).iloc[0]
    assert facts["pairs"] == 4 and facts["holding"] == 2 and facts["held"] == [(-3.0, -6.0), (0.0, 0.0)]
    assert [(c["bias1"], c["bias2"], c["ratio"]) for c in facts["outside"]] == [(-8.0, -8.0, np.inf), (-1.0, -1.0, 3.0)]
    assert facts["paper_cell"]["success_probability"] == 1.0 and facts["paper_cell"]["median_sequences"] == 105_500


def test_the_map_in_words():
    """Each cell outside is told with its intervals and factor; at another learning rate, the paper's pair too."""
    facts = robustness.facts(robustness.summarize(pd.concat([_crafted(), _crafted(1.0)], ignore_index=True)))
    outside = (
        "outside: (-8, -8): success 50% (34%-66%), median past the budget; "
        "(-1, -1): success 100% (89%-100%), median 316,500 (297,000-336,000) sequences, 3x the paper's cell."
    )
    assert robustness.words(facts) == [
        (
            "- `b`, T = 100, the paper's cell (-3, -6) at lr 0.5: success 100% (89%-100%), median 105,500 (99,000-112,000) sequences. "
            "The map trained 256 runs, 5.8 billion time steps."  # 2 x (3.38 + 6.08 + 10.13 + 7.96) M sequences x 105 steps
        ),
        f"    - lr 0.5: 2 of 4 bias pairs hold; {outside}",
        (
            "    - lr 1: 2 of 4 bias pairs hold; the paper's pair (-3, -6) here: success 100% (89%-100%), median 105,500 "
            f"(99,000-112,000) sequences, 1x the paper's cell; {outside}"
        ),
    ]
    assert robustness.verdict(facts).endswith("`b` at T = 100: 2 of 4, all but (-8, -8), (-1, -1). The map is below.")
    assert robustness.verdict(facts[facts["lr"] == 1.0]) == "The robustness map has no cell at the paper's learning rate (0.5)."


def test_many_cells_outside_are_told_as_a_count_and_a_range():
    slow = [row | {"bias1": b, "bias2": b} for b in (-2.0, -4.0, -5.0, -7.0) for row in _crafted().to_dict("records") if row["bias1"] == -1.0]
    facts = robustness.facts(robustness.summarize(pd.concat([_crafted(), pd.DataFrame(slow)], ignore_index=True)))
    assert robustness.words(facts)[1] == "    - lr 0.5: 2 of 8 bias pairs hold ((-3, -6), (0, 0)); outside: the other 6, their medians from 3x the paper's cell to past the budget."
    assert robustness.verdict(facts).endswith("`b` at T = 100: 2 of 8. The map is below.")
    fast = [row | {"bias1": b, "bias2": b, "success": row["success"] / 10} for b in (-2.0, -4.0, -5.0, -7.0) for row in _crafted().to_dict("records") if row["bias1"] == -1.0]
    facts = robustness.facts(robustness.summarize(pd.concat([_crafted(), pd.DataFrame(fast)], ignore_index=True)))
    assert robustness.words(facts)[1].endswith("their medians from 0.3x the paper's cell to past the budget (4 more than 2x faster than the paper's cell).")
