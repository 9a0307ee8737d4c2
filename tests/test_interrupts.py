"""Interrupted local runs of the real Snakemake CLI, one test_set job of the tiny config (no training): the
default workflow profile is read, and the README's resume commands finish what was interrupted."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import TINY, checkout, snakemake, snakemake_command

from lstm1997 import task

TARGET = "results/data/T20/test.npz"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture
def path(tmp_path):
    (tmp_path / "tiny.yaml").write_text(TINY)
    return tmp_path


def _ctrl_c_as_in_a_terminal() -> None:
    """SIGINT's default action in the child: a shell that starts pytest in the background (``cmd &``) ignores
    SIGINT for it, and an ignored signal stays ignored in every child, Snakemake and its jobs included."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(path, source) -> tuple[subprocess.Popen, int]:
    """Snakemake making the T = 20 test set, in its own process group, and its job's process id, the job paused
    (SIGSTOP) as soon as it has started: the job takes about a second, so on a loaded machine it could otherwise
    finish before the interrupt arrives.  The caller sends SIGCONT."""
    cmd = snakemake_command("--configfile", "tiny.yaml", "--cores", "1", TARGET, cwd=path, source=source)
    run = subprocess.Popen(
        cmd, cwd=path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, preexec_fn=_ctrl_c_as_in_a_terminal
    )
    incomplete = path / ".snakemake/incomplete"
    while run.poll() is None and not (incomplete.is_dir() and any(incomplete.iterdir()) and jobs(run)):
        time.sleep(0.01)
    assert run.poll() is None, run.communicate()[0]
    job = jobs(run)[0]
    os.kill(job, signal.SIGSTOP)
    return run, job


def resume(job: int) -> None:
    """Let a paused job go on, if it still exists."""
    try:
        os.kill(job, signal.SIGCONT)
    except ProcessLookupError:
        pass


def jobs(run: subprocess.Popen) -> list[int]:
    """Process ids of Snakemake's children: its running jobs."""
    return [int(pid) for task in Path(f"/proc/{run.pid}/task").iterdir() for pid in (task / "children").read_text().split()]


def wait_for(file, timeout=120):
    """The orphaned job's last output (written atomically: present means complete)."""
    deadline = time.monotonic() + timeout
    while not file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_plain_run_reads_the_default_profile(path, source):
    result = snakemake("--configfile", "tiny.yaml", "-n", TARGET, cwd=path, source=source)
    assert f"Using workflow specific profile {source / 'profiles/default'}" in result.stderr


def test_after_kill_9_of_snakemake_unlock_then_the_same_command_finishes(path, source):
    run, job = start(path, source)
    run.kill()  # Snakemake only: its job runs on, writes its outputs, and they stay marked incomplete
    resume(job)
    run.communicate()
    wait_for(path / "results/data/T20/test.manifest.json")
    again = snakemake("--configfile", "tiny.yaml", "--cores", "1", TARGET, cwd=path, source=source, check=False)
    assert again.returncode != 0 and "LockException" in again.stderr and "incomplete" not in again.stderr
    snakemake("--unlock", "--configfile", "tiny.yaml", cwd=path, source=source)
    resumed = snakemake("--configfile", "tiny.yaml", "--cores", "1", TARGET, cwd=path, source=source)
    assert "Finished jobid: 0 (Rule: test_set)" in resumed.stderr  # rebuilt: rerun-incomplete, from the profile
    assert not any((path / ".snakemake/incomplete").iterdir())
    assert len(task.AddingData.load(path / TARGET)) == 200


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "kill-9-of-the-job"])
def test_an_interrupted_run_leaves_nothing_half_written_and_the_same_command_finishes(path, source, how):
    run, job = start(path, source)
    if how == "kill-9-of-the-job":
        os.kill(job, signal.SIGKILL)
    else:
        os.killpg(run.pid, signal.SIGINT if how == "ctrl-c" else signal.SIGTERM)
    resume(job)
    output = run.communicate()[0]
    assert run.returncode != 0, output
    assert not list(path.glob("results/**/.*tmp*")), output
    resumed = snakemake("--configfile", "tiny.yaml", "--cores", "1", TARGET, cwd=path, source=source)
    assert "Finished jobid: 0 (Rule: test_set)" in resumed.stderr, output + resumed.stderr
    assert len(task.AddingData.load(path / TARGET)) == 200


def test_a_second_run_in_the_same_folder_is_refused_while_the_first_runs(path, source):
    first, job = start(path, source)  # paused: the first run holds its lock until its job goes on
    second = snakemake("--configfile", "tiny.yaml", "--cores", "1", TARGET, cwd=path, source=source, check=False)
    resume(job)
    output = first.communicate()[0]
    assert second.returncode != 0 and "LockException" in second.stderr
    assert first.returncode == 0 and "Finished jobid: 0 (Rule: test_set)" in output
