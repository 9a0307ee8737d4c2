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


def _write(path, rows):
    """A published trials.csv of (label, T, trial, sequences to success or None) rows."""
    frame = pd.DataFrame(rows, columns=["label", "T", "trial", "success_window_mse"]).assign(primary="window_mse", wrong=0)
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture
def published(tmp_path):
    """Two folders' trials.csv: a at T = 100 and 400 (exponent 1.5), b at T = 100 and 200 (log 3 / log 2), c at
    T = 100 only; a's first trial in both files."""
    first = _write(tmp_path / "a.csv", [("a", 100, 0, 1000), ("a", 100, 1, 3000), ("a", 400, 0, 16000), ("a", 400, 1, None), ("c", 100, 0, 7000)])
    second = _write(tmp_path / "b.csv", [("a", 100, 0, 1000), ("b", 100, 0, 10000), ("b", 200, 0, 30000)])
    return tmp_path, first, second


def _printed(capsys) -> dict[str, tuple[str, float]]:
    """The markdown table main printed: label -> (T list, exponent)."""
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in capsys.readouterr().out.splitlines()[2:]]
    return {label: (T, float(exponent)) for label, T, exponent in rows}


def test_the_command_line_draws_the_figure_and_prints_the_fits_of_published_trials(published, capsys):
    folder, first, second = published
    scaling.main([str(folder / "scaling.png"), first, second])
    assert (folder / "scaling.png").stat().st_size > 10_000 and (folder / "scaling.svg").stat().st_size > 10_000
    table = _printed(capsys)
    assert list(table) == ["paper (Table 7)", "a", "b"]
    assert table["a"] == ("100, 400", pytest.approx(scaling.fit([100, 400], [2000, 16000])[0], abs=5e-4))
    assert table["a"][1] == 1.5 and table["b"] == ("100, 200", pytest.approx(np.log(3) / np.log(2), abs=5e-4))
    assert table["paper (Table 7)"] == ("100, 500, 1000", 0.988)
    scaling.main([str(folder / "b.png"), first, second, "--labels", "b,c"])
    assert list(_printed(capsys)) == ["paper (Table 7)", "b"]


def test_the_command_line_stops_on_a_trial_published_twice_with_different_successes(published, capsys):
    folder, first, second = published
    third = _write(folder / "c.csv", [("a", 100, 1, 3000), ("a", 400, 1, 52000)])
    with pytest.raises(SystemExit) as stop:
        scaling.main([str(folder / "s.png"), first, second, third])
    assert stop.value.code == 1 and not (folder / "s.png").exists()
    assert capsys.readouterr().err == f"a T=400 trial 1: no success in {first} but 52,000 in {third}\n"


def test_the_command_line_names_an_unknown_label_and_the_labels_present(published, capsys):
    folder, first, second = published
    with pytest.raises(SystemExit) as stop:
        scaling.main([str(folder / "s.png"), first, second, "--labels", "a,lstm1997"])
    assert stop.value.code == 1
    assert capsys.readouterr().err == "no trials of lstm1997; the labels present: a, b, c\n"
