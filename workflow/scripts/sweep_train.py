from lstm1997 import jobs

jobs.start(snakemake.log[0], numba_cache=snakemake.input.engine)

from lstm1997 import io, sweep, testset  # noqa: E402
from lstm1997.protocol import Checkpoint  # noqa: E402
from lstm1997.variants import Setting  # noqa: E402

grid = sweep.Grid.from_params(snakemake.params.grid)
base = Setting.from_params(snakemake.params.base, snakemake.params.setting)
checkpoint = Checkpoint(snakemake.params.checkpoint, key=snakemake.params.source)
T = int(snakemake.wildcards.T)
test = testset.load(snakemake.input.test, snakemake.input.manifest)
io.write_csv(snakemake.output[0], sweep.run(base, grid, T, base.protocol.budget, snakemake.threads, checkpoint, test))
checkpoint.clear()
