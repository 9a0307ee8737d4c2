from lstm1997 import jobs

jobs.start(snakemake.log[0], numba_cache=snakemake.input.engine)

from lstm1997 import io, sweep  # noqa: E402

grid = sweep.Grid(**{k: tuple(v) if isinstance(v, list) else v for k, v in snakemake.params.grid.items()})
trials = sweep.run(grid, int(snakemake.wildcards.T), snakemake.params.budget, snakemake.threads)
io.write_csv(snakemake.output[0], trials)
