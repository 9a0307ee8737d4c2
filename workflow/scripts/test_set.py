from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import testset  # noqa: E402

testset.make_test_set(
    int(snakemake.wildcards.T), snakemake.params.sequences, snakemake.params.seed, snakemake.output.data, snakemake.output.manifest, snakemake.params.marker
)
