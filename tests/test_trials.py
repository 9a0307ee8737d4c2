"""The compile_engine job's claim: a kind's default model compiles every kernel that its variants run."""

import subprocess
import sys

import pytest
from conftest import REPO

CHECK = """
import dataclasses, sys
from numba.core.registry import CPUDispatcher
from lstm1997 import engine, nnlstm_kernels, task, trials
from lstm1997.protocol import evaluate, train
from lstm1997.variants import MODELS, REGISTRY, resolve

def compiled():
    return {(m.__name__, name, sig) for m in (engine, nnlstm_kernels) for name, f in vars(m).items() if isinstance(f, CPUDispatcher) for sig in f.signatures}

kind = sys.argv[1]
trials.warm_up(MODELS[kind]())
warm = compiled()
variants = [resolve(name, {}) for name, v in REGISTRY.items() if v.model == kind]
for s in variants:
    for gradient in s.model.gradients:
        result = train(10, [0], s.model, dataclasses.replace(s.protocol, budget=2, gradient=gradient))[0]
        evaluate(result.final_weights, task.generate(10, 2, task.rng(0, "test", 10)), s.model)
print(len(variants), len(warm), sorted(compiled() - warm))
"""


@pytest.mark.parametrize("kind", ["lstm97", "nnlstm"])
def test_the_default_model_compiles_every_kernel_its_kinds_variants_run(kind):
    # A fresh interpreter: the kernels this process compiled for other tests must not count as warm.
    result = subprocess.run([sys.executable, "-c", CHECK, kind], cwd=REPO, capture_output=True, text=True, check=True)
    variants, warm, new = result.stdout.split(" ", 2)
    assert int(variants) >= 3 and int(warm) > 0
    assert new.strip() == "[]"
