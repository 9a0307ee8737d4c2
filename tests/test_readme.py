"""The README's Run section works as written: its commands on the tiny config run for real, in order, on a fresh
checkout; the others, which train for hours, plan (a dry run) as written."""

import re
import shlex
import subprocess
import sys

import pytest
from conftest import REPO, checkout, job_counts

TINY = ".test/config.yaml"
FIGURES_AND_REPORT = {"curves", "overview", "success", "test_errors", "sweep_heatmap", "report", "all"}


def run_commands() -> list[list[str]]:
    """The commands of the README's Run section (its first code block), each split into words, comments dropped."""
    section = REPO.joinpath("README.md").read_text().split("\n## Run\n", 1)[1]
    block = re.match(r"\n*((?: {4}.*\n)+)", section).group(1)
    return [shlex.split(line, comments=True) for line in block.splitlines()]


def cli(words: list[str], cwd, *extra: str) -> subprocess.CompletedProcess:
    """A README command as written (``snakemake`` the CLI of this environment), in ``cwd``, with ``extra`` words."""
    assert words[0] == "snakemake", words
    return subprocess.run([sys.executable, "-m", "snakemake", *words[1:], *extra], cwd=cwd, capture_output=True, text=True)


def test_the_run_section_lists_the_tiny_run_and_its_follow_ups():
    tiny = [words for words in run_commands() if TINY in words]
    assert len(tiny) == 3 and "--forcerun" in tiny[1] and "--report" in tiny[2]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return checkout(tmp_path_factory.mktemp("fresh"))


def test_the_tiny_run_then_its_figures_report_and_snakemakes_report_as_written(fresh):
    tiny, figures, snakemake_report = (words for words in run_commands() if TINY in words)
    ran = cli(tiny, fresh)
    assert ran.returncode == 0, ran.stderr[-3000:]
    report = fresh / "results/report/report.html"
    built = report.stat().st_mtime_ns
    again = cli(figures, fresh)
    assert again.returncode == 0, again.stderr[-3000:]
    assert set(job_counts(again.stdout + again.stderr)) == FIGURES_AND_REPORT and report.stat().st_mtime_ns > built
    browsable = cli(snakemake_report, fresh)
    assert browsable.returncode == 0, browsable.stderr[-3000:]
    assert "Table 7" in (fresh / "results/report/snakemake.html").read_text()


@pytest.mark.parametrize("words", [w for w in run_commands() if TINY not in w], ids=shlex.join)
def test_every_other_command_plans_as_written(fresh, words):
    planned = cli(words, fresh, "--dry-run")
    assert planned.returncode == 0, planned.stderr[-3000:]
    assert job_counts(planned.stdout)["train"] > 0
