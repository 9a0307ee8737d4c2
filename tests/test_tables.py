"""Table 7's verdict words, both ways from the paper's mean."""

import numpy as np
import pytest

from lstm1997.tables import verdict


@pytest.mark.parametrize(
    "ratio, successes, words",
    [
        (1.23, 10, "within 2x (1.23x)"),
        (0.5, 10, "within 2x (0.50x)"),
        (4.9, 10, "off by 4.9x"),
        (0.31, 10, "too fast: 3.2x fewer sequences"),
        (7.7, 6, "off by 7.7x; only 6/10 trials met the criterion within 740,000"),
        (np.nan, 0, "not reproduced: no trial met the criterion within 740,000 sequences"),
    ],
)
def test_verdict_says_how_far_and_which_way(ratio, successes, words):
    row = {"paper_sequences": 74_000.0, "successes": successes, "trials": 10, "budget": 740_000, "ratio_to_paper": ratio}
    assert verdict(row) == words
    assert verdict(row | {"paper_sequences": np.nan}) == "no paper row for this T"
