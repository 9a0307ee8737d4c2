import hashlib
import sys
from pathlib import Path

import jsonschema
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The package lives beside the rules; scripts inherit this search path, also inside conda envs.
PACKAGE_ROOT = Path(workflow.basedir) / "workflow"
sys.path.insert(0, str(PACKAGE_ROOT))

from lstm1997 import variants as registry  # noqa: E402


def check_config():
    """Schema, then budgets per T: the first problem as one line naming the key (dotted path)."""
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as err:
        cause = err.__context__
        if not isinstance(cause, jsonschema.ValidationError):
            raise
        key = ".".join(str(p) for p in cause.absolute_path) or "config"
        raise WorkflowError(f"{key}: {cause.message}") from None
    missing = [T for T in config["T"] if T not in config["budget"]]
    if missing:
        raise WorkflowError(f"budget: no entry for T={missing[0]}; give one per T of T: {config['T']}")


check_config()
def resolve_settings():
    try:
        return {label: registry.resolve(label, entry) for label, entry in config["variants"].items()}
    except ValueError as err:
        raise WorkflowError(str(err)) from None


SETTINGS = resolve_settings()
TRIALS = list(range(config["trials"]))
RUN = "results/runs/{variant}/T{T}/trial{trial}"
CORE_ENV = "../../envs/core.yaml"
REPORT_ENV = "../../envs/report.yaml"


wildcard_constraints:
    variant="[A-Za-z0-9_.-]+",
    T=r"\d+",
    trial=r"\d+",


def source_hash(*modules):
    """Hash of package modules: a params value, so a change to the engine reruns what it computed."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update((PACKAGE_ROOT / "lstm1997" / f"{module}.py").read_bytes())
    return digest.hexdigest()[:16]


TRAINING_SOURCES = source_hash("task", "engine", "lstm97", "criteria", "protocol", "variants", "trials")


def setting(wildcards):
    """The resolved settings of a variant at one T, budget included: rule params."""
    return SETTINGS[wildcards.variant].params(config["budget"][int(wildcards.T)])


def train_runtime(wildcards):
    """Minutes for one training job: the budget's time steps at a conservative 1e6 steps per second, doubled."""
    T = int(wildcards.T)
    steps = config["budget"][T] * (T + T // 20)
    return 10 + int(2 * steps / 1e6 / 60)


def runs(name):
    """Paths of one per-trial file over every (variant, T, trial) of the config."""
    return expand(f"{RUN}/{name}", variant=SETTINGS, T=config["T"], trial=TRIALS)


def run_keys():
    """(variant, T, trial) of every run, in the order of ``runs``."""
    return [{"label": v, "T": T, "trial": k} for v in SETTINGS for T in config["T"] for k in TRIALS]


def figures(ext="png"):
    curves = expand("results/figures/curves/{variant}_T{T}.{ext}", variant=SETTINGS, T=config["T"], ext=ext)
    return curves + [f"results/figures/success.{ext}", f"results/figures/test_errors.{ext}"]
