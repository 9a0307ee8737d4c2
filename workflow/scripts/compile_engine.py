from lstm1997 import jobs

jobs.start(snakemake.log[0], numba_cache=snakemake.output[0])

from lstm1997 import trials  # noqa: E402

trials.compile_engine(snakemake.wildcards.kind, snakemake.params.engine, snakemake.output[0])
