"""The compile_engine job's claim: a kind's default model compiles every kernel that its variants run."""

import subprocess
import sys

import pytest
from conftest import REPO

CHECK = """
import dataclasses, sys
from numba.core.registry import CPUDispatcher
from lstm1997 import engine, engine_batched, nnlstm_kernels, task
from lstm1997.protocol import evaluate, train, warm_up
from lstm1997.variants import REGISTRY, build, resolve

def compiled():
    modules = (engine, engine_batched, nnlstm_kernels)
    return {(m.__name__, name, sig) for m in modules for name, f in vars(m).items() if isinstance(f, CPUDispatcher) for sig in f.signatures}

kind, cpu_engine = sys.argv[1:]
warm_up(build(kind, engine=cpu_engine))
warm = compiled()
variants = [resolve(name, {}, cpu_engine) for name, v in REGISTRY.items() if v.model == kind]
for s in variants:
    for gradient in s.model.gradients:
        result = train(10, [0], s.model, dataclasses.replace(s.protocol, budget=2, gradient=gradient))[0]
        evaluate(result.final_weights, task.generate(10, 2, task.rng(0, "test", 10)), s.model)
print(len(variants), len(warm), sorted(compiled() - warm))
"""


@pytest.mark.parametrize("kind, cpu_engine", [("lstm97", "scalar"), ("lstm97", "batched"), ("nnlstm", "scalar")])
def test_the_default_model_compiles_every_kernel_its_kinds_variants_run(kind, cpu_engine):
    # A fresh interpreter: the kernels this process compiled for other tests must not count as warm.
    result = subprocess.run([sys.executable, "-c", CHECK, kind, cpu_engine], cwd=REPO, capture_output=True, text=True, check=True)
    variants, warm, new = result.stdout.split(" ", 2)
    assert int(variants) >= 3 and int(warm) > 0
    assert new.strip() == "[]"
