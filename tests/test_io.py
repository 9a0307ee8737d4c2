"""What the jobs write and read: strict JSON out; a damaged file in is named, and deleted under results/ so that
the next run rebuilds it (the same through a real run: test_pipeline.py, damaged files)."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm1997 import io, plots, tables, testset, trials
from lstm1997.lstm97 import Lstm97

RUN = "results/runs/lstm1997/T10/trial0"
REBUILT = "; deleted: the next snakemake run rebuilds it"


def test_json_is_strict_and_names_the_file(tmp_path):
    with pytest.raises(ValueError, match=f"^{re.escape(str(tmp_path / 'e.json'))}: Out of range float values are not JSON compliant"):
        io.write_json(tmp_path / "e.json", {"mse": float("nan")})
    assert not list(tmp_path.iterdir())


def cut(path, keep=0.5):
    """Truncate a file to a fraction of its bytes, as a full disk or a killed copy leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def flip(path):
    """Change one byte in the middle."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def weights(run, drop=None):
    names = [n for n in Lstm97().unflatten(np.zeros(Lstm97().n_params)) if n != drop]
    io.write_npz(run / "weights.npz", {f"final/{n}": np.ones(3) for n in names})


def trial(run):
    """A trial's summary, evaluation and curve as the train and evaluate jobs write them."""
    io.write_json(run / "summary.json", {"label": "lstm1997", "T": 10, "trial": 0, "sequences": 2000})
    io.write_json(run / "evaluation.json", {"wrong": 3, "sequences": 200, "mse": 0.01, "seconds": 0.1})
    io.write_csv(run / "curve.csv", pd.DataFrame({"sequences": [1000, 2000], "cumulative_mse": [0.05, 0.04], "asker_correct_in_window": [1.0, 2.0]}))
    return [run / name for name in ("summary.json", "evaluation.json", "curve.csv")]


def load_trial(run):
    return tables.load_trial(*(run / name for name in ("summary.json", "evaluation.json", "curve.csv")))


CASES = {
    "weights-cut": ("weights.npz", weights, cut, lambda run: trials.load_weights(run / "weights.npz", Lstm97()), "BadZipFile: File is not a zip file"),
    "weights-missing-a-key": (
        "weights.npz", lambda run: weights(run, drop="cell"), None, lambda run: trials.load_weights(run / "weights.npz", Lstm97()),
        "KeyError: 'final/cell is not a file in the archive'",
    ),
    "summary-cut": ("summary.json", trial, cut, load_trial, "JSONDecodeError: "),
    "evaluation-cut": ("evaluation.json", trial, lambda p: cut(p, 0.9), load_trial, "JSONDecodeError: "),
    "curve-cut-mid-row": ("curve.csv", trial, lambda p: p.write_text(p.read_text()[:-4]), load_trial, "ValueError: cut short: the last row has no line end"),
    "test-errors-cut": (
        "test_errors.npz", lambda run: io.write_npz(run / "test_errors.npz", {"targets": np.ones(3), "errors": np.zeros(3)}), cut,
        lambda run: plots.errors_frame([{"label": "x", "T": 10, "trial": 0}], [run / "test_errors.npz"]), "BadZipFile: File is not a zip file",
    ),
}


@pytest.mark.parametrize("name, write, damage, load, why", CASES.values(), ids=CASES.keys())
def test_a_damaged_output_is_named_and_deleted(tmp_path, monkeypatch, name, write, damage, load, why):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / RUN
    run.mkdir(parents=True)
    write(run)
    if damage:
        damage(run / name)
    others = {p.name for p in run.iterdir()} - {name}
    with pytest.raises(io.DamagedFile, match=f"^{re.escape(str(run / name))}: damaged \\({re.escape(why)}.*{re.escape(REBUILT)}$"):
        load(run)
    assert {p.name for p in run.iterdir()} == others


def test_an_intact_trial_loads(tmp_path):
    trial(tmp_path)
    loaded = load_trial(tmp_path)
    assert loaded["wrong"] == 3 and loaded["sequences"] == 2000 and loaded["last"]["cumulative_mse"] == 0.04


def test_a_damaged_file_outside_results_is_named_and_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "summary.json").write_text('{"label": ')
    with pytest.raises(io.DamagedFile, match=r"^summary.json: damaged \(JSONDecodeError: Expecting value: line 1 column 11 \(char 10\)\)$"):
        io.read_json("summary.json")
    assert (tmp_path / "summary.json").exists()


def test_a_missing_file_is_not_damaged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError):
        io.read_json("results/summary.json")


@pytest.fixture
def test_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, manifest = "results/data/T10/test.npz", "results/data/T10/test.manifest.json"
    testset.make_test_set(10, 50, 5, data, manifest)
    return data, manifest


def test_the_test_set_loads_where_its_manifest_vouches_for_it(test_set):
    assert len(testset.load(*test_set)) == 50


def test_a_test_set_that_is_not_its_manifests_is_deleted(test_set):
    data, manifest = test_set
    expected = json.loads(Path(manifest).read_text())["sha256"]
    flip(Path(data))
    with pytest.raises(io.DamagedFile, match=f"^{data}: damaged \\(ValueError: sha256 [0-9a-f]{{64}} is not its manifest's {expected}\\){REBUILT}$"):
        testset.load(data, manifest)
    assert not Path(data).exists() and Path(manifest).exists()


def test_a_damaged_manifest_is_deleted(test_set):
    data, manifest = test_set
    cut(Path(manifest))
    with pytest.raises(io.DamagedFile, match=f"^{manifest}: damaged \\(JSONDecodeError: .*{REBUILT}$"):
        testset.load(data, manifest)
    assert Path(data).exists() and not Path(manifest).exists()
