"""envs/*.yaml pin exactly the versions that pyproject.toml pins for pip."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
OUTSIDE_JOBS = {"snakemake", "snakemake-executor-plugin-slurm"}
"""Run the workflow, not its jobs: in the pip setup, not in the rule environments."""
CONDA_NAMES = {"torch": "torch", "pyyaml": "pyyaml"}


def pip_pins() -> dict[str, str]:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][0-9A-Za-z.+-]*)", d).groups() for d in deps)
    assert len(pins) == len(deps), "every pip dependency is pinned exactly"
    return {k.lower(): v for k, v in pins.items()}


def env_pins(path: Path) -> dict[str, str]:
    env = yaml.safe_load(path.read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pins.update(re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", d).groups() for d in dep["pip"])
        elif dep not in ("pip",):
            name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)=(\S+)", dep).groups()
            pins[name] = version
    return pins


def test_every_env_pins_every_package_exactly_as_pip():
    pip = pip_pins()
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs
    used = set()
    for path in envs:
        pins = env_pins(path)
        assert pins.pop("python") == "3.11", path.name
        for name, version in pins.items():
            assert pip.get(name) == version, f"{path.name}: {name}={version}, pip pins {pip.get(name)}"
        used |= set(pins)
    assert used == set(pip) - OUTSIDE_JOBS


def test_every_rule_names_a_pinned_env():
    rules = "".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    envs = set(re.findall(r'"\.\./\.\./envs/(\w+)\.yaml"', rules))
    assert envs == {p.stem for p in (REPO / "envs").glob("*.yaml")}
    assert rules.count("conda:") == rules.count("script:")
