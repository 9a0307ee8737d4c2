"""Figures rerender to the same bytes."""

import numpy as np
import pandas as pd
from conftest import REPO

from lstm1997 import plots


def test_success_figure_is_the_same_bytes_twice_and_leaves_numpys_generator_alone(tmp_path):
    trials = pd.read_csv(REPO / "docs/reproduction/paper/trials.csv")
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    for k in (1, 2):
        plots.success_distribution(trials, str(tmp_path / f"{k}.png"), str(tmp_path / f"{k}.svg"))
    assert (tmp_path / "1.png").read_bytes() == (tmp_path / "2.png").read_bytes()
    assert (tmp_path / "1.svg").read_bytes() == (tmp_path / "2.svg").read_bytes()
    assert np.array_equal(np.random.get_state()[1], before)
