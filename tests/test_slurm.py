"""The pipeline on a real SLURM cluster through snakemake-executor-plugin-slurm (.ci/slurm-up starts one).

Skipped where no cluster answers, unless REQUIRE_SLURM=1 (CI sets it): then a missing cluster fails.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, checkout, snakemake, snakemake_command

TINY = """\
T: [10]
trials: 2
budget: {10: 1500}
test: {sequences: 200, seed: 5}
variants:
  lstm1997: {}
"""
# fast status polling for a one-node test cluster without accounting (squeue, not sacct)
SLURM = [
    "--workflow-profile", str(REPO / "profiles/slurm"),
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "1",
    "--seconds-between-status-checks", "2",
]


def cluster_is_up() -> bool:
    if not shutil.which("sinfo"):
        return False
    result = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True)
    return result.returncode == 0 and any(state in result.stdout.split() for state in ("idle", "mix", "alloc"))


@pytest.fixture(scope="module", autouse=True)
def slurm():
    if not cluster_is_up():
        if os.environ.get("REQUIRE_SLURM") == "1":
            pytest.fail("REQUIRE_SLURM=1 but no SLURM cluster answers (sinfo); start one with .ci/slurm-up")
        pytest.skip("no SLURM cluster on this machine (sinfo missing or no node up); .ci/slurm-up starts one")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return checkout(tmp_path_factory.mktemp("checkout"))


def run_dir(tmp_path_factory, name: str, config: str = TINY) -> Path:
    path = tmp_path_factory.mktemp(name)
    (path / "tiny.yaml").write_text(config)
    return path


def job_state(job_id: str) -> str:
    out = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True).stdout
    return re.search(r"JobState=(\w+)", out).group(1)


def test_pipeline_through_slurm_equals_a_local_run(tmp_path_factory, source):
    on_slurm, local = run_dir(tmp_path_factory, "slurm"), run_dir(tmp_path_factory, "local")
    snakemake("--configfile", "tiny.yaml", *SLURM, cwd=on_slurm, source=source)
    snakemake("--configfile", "tiny.yaml", "--cores", "2", cwd=local, source=source)
    logs = list((on_slurm / ".snakemake/slurm_logs/rule_train/lstm1997_10").glob("*.log"))  # both trials, one job
    assert len(logs) == 1 and logs[0].stem.isdigit(), logs
    assert job_state(logs[0].stem) == "COMPLETED"
    assert {p.name for p in (on_slurm / ".snakemake/slurm_logs").iterdir()} >= {"rule_train", "rule_evaluate", "rule_report"}
    for table in ("table7.csv", "table7.md", "trials.csv"):
        assert (on_slurm / "results/tables" / table).read_bytes() == (local / "results/tables" / table).read_bytes()
    assert (on_slurm / "results/report/report.html").stat().st_size > 10_000


def test_cancelled_training_job_leaves_nothing_and_a_rerun_completes_it(tmp_path_factory, source):
    # one training job that cannot meet the rule: 3,000,000 sequences at T = 10, long enough to cancel mid-run
    config = TINY.replace("trials: 2", "trials: 1").replace("{10: 1500}", "{10: 3000000}")
    path = run_dir(tmp_path_factory, "cancel", config.replace("lstm1997: {}", "lstm1997: {protocol: {correct_threshold: 1.0e-9}}"))
    cmd = snakemake_command("--configfile", "tiny.yaml", *SLURM, "--retries", "0", cwd=path, source=source)
    first = subprocess.Popen(cmd, cwd=path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    trial = path / "results/runs/lstm1997/T10/trial0"
    log = path / "results/logs/train/lstm1997/T10.log"
    for _ in range(600):
        if (log.exists() and "T=10 seeds [0]" in log.read_text()) or first.poll() is not None:
            break
        time.sleep(0.5)
    assert first.poll() is None, first.communicate()[0]
    running = subprocess.run(["squeue", "-h", "-t", "R", "-o", "%i %j"], capture_output=True, text=True).stdout.splitlines()
    assert len(running) == 1, running
    time.sleep(2)
    subprocess.run(["scancel", running[0].split()[0]], check=True)
    output, _ = first.communicate(timeout=300)
    assert first.returncode != 0, output
    assert "Error in rule train" in output
    assert not trial.exists() or not any(trial.iterdir())
    assert not list(path.glob("results/**/*.tmp*")) and not (path / "results/tables").exists()
    snakemake("--configfile", "tiny.yaml", *SLURM, cwd=path, source=source)
    summary = (trial / "summary.json").read_text()
    assert '"sequences": 3000000' in summary and (path / "results/report/report.html").exists()
