#!/usr/bin/env bash
# The GPU checks of a lent device machine, in one call (its image has numba-cuda, numpy, pandas, torch, pytest; no
# Snakemake): the device tests, the kernels' registers, the cuda bench against the CPU engine on every core, then,
# given a job from `gpu_sweep.py prepare`, the sweep for SECONDS, checkpointed in CHECKPOINT (default
# /tmp/sweep.checkpoint): the same command again on the still warm machine resumes it (a T = 100 map takes ~11 min on
# an H200, more than one 10-minute call).  A sweep left unfinished leaves its checkpoint in OUT too (25 MiB at the
# sweep's 15,552 runs): carried in as CHECKPOINT, a later session's machine resumes it.
#   docs/reproduction/gpu_check.sh OUT [SWEEP_JOB SECONDS [CHECKPOINT]]
set -uo pipefail
out=$1 checkpoint=${4:-/tmp/sweep.checkpoint}
# The image's numba-cuda still names np.row_stack, which its numpy (2.5) no longer has: put it back before numba loads.
mkdir -p /tmp/shim && echo 'import numpy; numpy.row_stack = numpy.vstack' > /tmp/shim/sitecustomize.py
export PYTHONPATH=workflow:/tmp/shim PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
python3 -c "import numba, numpy; print('numba', numba.__version__, 'numpy', numpy.__version__)" | tee -a "$out/device.txt"
if [ -z "${2:-}" ] || [ ! -f "$checkpoint" ]; then
python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py -k "not simulator" 2>&1 | tee "$out/test_gpu.txt"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "device tests failed: no bench, no sweep"; exit 1; }
python3 - <<'EOF' | tee -a "$out/device.txt"
import numpy as np
from lstm1997 import gpu, task
from lstm1997.lstm97 import Lstm97
model, data = Lstm97(), task.stack([task.generate(100, 10, task.rng(0, "train", 100, 0))])
for teams, name in ((True, "_train_teams"), (False, "_train")):
    theta, one = model.init(task.rng(0, "init"))[None], np.ones(1, np.int64)
    gpu.train_runs(theta, *data, 0 * one, 10 * one, 0.5 * one, model.options(), np.zeros((1, 10)), teams)
    for compiled in getattr(gpu, name).overloads.values():
        print(f"{name}: {compiled.regs_per_thread} registers, {compiled.local_mem_per_thread} bytes of local memory per thread")
EOF
python3 -m lstm1997.bench --cuda-only --seconds 2 2>&1 | tee "$out/bench.txt"
fi
if [ -n "${2:-}" ]; then
    timeout "$3" python3 docs/reproduction/gpu_sweep.py run "$2" "$out/sweep" "$checkpoint"
    echo "sweep exit status $?"
    rm -f "$out/sweep/test.npz"
    if [ -f "$checkpoint" ]; then cp "$checkpoint" "$out/sweep.checkpoint"; fi
fi
