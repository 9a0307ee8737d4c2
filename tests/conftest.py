import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
TINY = (REPO / ".test/config.yaml").read_text()
"""The tiny config that runs the whole DAG in minutes (snakemake --cores 2 --configfile .test/config.yaml)."""


def stopping_mix(model) -> tuple[list, object]:
    """Starts and a relaxed protocol at T = 10 under which ``model`` (a linear output unit) has runs meet the rule
    inside blocks, at different blocks, one diverge (lr 1000) and one spend the budget (lr 1e-6), with periodic
    snapshots: every way a run of ``protocol.train_from`` stops."""
    from lstm1997 import protocol

    rule = protocol.Protocol(budget=9_000, window=200, correct_threshold=0.2, error_threshold=0.02, curve_every=100, snapshot_every=2000)
    starts = [protocol.start(seed, model, rule) for seed in range(6)]
    return starts + [protocol.Start(6, starts[0].theta, 1000.0), protocol.Start(7, starts[1].theta, 1e-6)], rule


def killed_after(blocks: int, monkeypatch, training) -> list[int]:
    """Run ``training`` until it has absorbed ``blocks`` blocks, then interrupt it as a kill would; the indices of
    the blocks it absorbed."""
    from lstm1997 import protocol

    absorbed, real = [], protocol._absorb_block

    def absorb(T, block, *args, **kwargs):
        if len(absorbed) == blocks:
            raise KeyboardInterrupt
        absorbed.append(block.index)
        return real(T, block, *args, **kwargs)

    monkeypatch.setattr(protocol, "_absorb_block", absorb)
    with pytest.raises(KeyboardInterrupt):
        training()
    monkeypatch.setattr(protocol, "_absorb_block", real)
    return absorbed


def assert_same_results(a, b) -> None:
    """Two lists of ``RunResult`` are the same bytes: counts, successes, every weight snapshot, every curve."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.seed, x.sequences, x.success, x.diverged) == (y.seed, y.sequences, y.success, y.diverged)
        assert set(x.weights) == set(y.weights) and set(x.curve) == set(y.curve)
        for name in x.weights:
            assert set(x.weights[name]) == set(y.weights[name])
            assert all(np.array_equal(x.weights[name][k], y.weights[name][k], equal_nan=True) for k in x.weights[name])
        assert all(np.array_equal(x.curve[k], y.curve[k], equal_nan=True) for k in x.curve)


def checkout(dest: Path) -> Path:
    """A copy of the workflow (Snakefile, workflow/, config/, .test/, envs/, profiles/), as a second clone beside the installed one."""
    for name in ("Snakefile", "workflow", "config", ".test", "envs", "profiles"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dest / name)
    return dest


def snakemake_command(*args: str, cwd: Path, source: Path = REPO) -> list[str]:
    """The real Snakemake CLI on ``source``'s Snakefile with ``cwd`` as the working directory."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(source / "Snakefile"), "--directory", str(cwd), *args]


def snakemake(*args: str, cwd: Path, check: bool = True, source: Path = REPO) -> subprocess.CompletedProcess:
    """Run ``snakemake_command`` to its end; fail the test with its output unless ``check`` is False."""
    result = subprocess.run(snakemake_command(*args, cwd=cwd, source=source), cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        pytest.fail(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake dry run, as {rule: count}; empty where there is nothing to do."""
    lines = output.splitlines()
    if any(line.startswith("Nothing to be done") for line in lines):
        return {}
    start = next(i for i, line in enumerate(lines) if line.startswith("Job stats")) + 3
    counts = {}
    for line in lines[start:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


@pytest.fixture(scope="session")
def source(tmp_path_factory):
    """A checkout of the workflow that the tiny pipeline runs from (tests may edit it and restore it)."""
    return checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory, source):
    """The tiny pipeline, run once per session (snakemake --cores 2 on tiny.yaml, the tiny config), in its own folder."""
    path = tmp_path_factory.mktemp("pipeline")
    (path / "tiny.yaml").write_text(TINY)
    snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=path, source=source)
    return path
