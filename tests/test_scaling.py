"""The power law of sequences to success against T."""

import numpy as np
import pandas as pd
import pytest

from lstm1997 import scaling


def test_fit_recovers_an_exact_power_law():
    T = np.array([100, 200, 500, 1000])
    exponent, prefactor = scaling.fit(T, 3.0 * T**1.7)
    assert exponent == pytest.approx(1.7, rel=1e-12) and prefactor == pytest.approx(3.0, rel=1e-10)
    with pytest.raises(ValueError, match=r"^T: a power law needs at least two distinct T, got \[100\]"):
        scaling.fit([100, 100], [1.0, 2.0])


def test_points_and_fits_use_successful_trials_of_the_primary_definition():
    trials = pd.DataFrame(
        {
            "label": ["a"] * 4 + ["b"],
            "T": [100, 100, 400, 400, 100],
            "primary": ["window_mse"] * 5,
            "success_window_mse": [1000.0, 3000.0, 16000.0, np.nan, 5.0],
        }
    )
    pts = scaling.points(trials)
    assert pts.to_dict("records")[:2] == [
        {"label": "a", "T": 100, "successes": 2, "mean": 2000.0, "median": 2000.0},
        {"label": "a", "T": 400, "successes": 1, "mean": 16000.0, "median": 16000.0},
    ]
    table = scaling.fits(trials)
    assert table["label"].tolist() == ["paper (Table 7)", "a"]
    assert table.loc[1, "exponent"] == pytest.approx(1.5, abs=1e-3)
    assert 0.9 < table.loc[0, "exponent"] < 1.1

