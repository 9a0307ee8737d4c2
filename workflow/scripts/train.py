from lstm1997 import jobs

jobs.start(snakemake.log[0], numba_cache=snakemake.input.engine)

from lstm1997 import trials  # noqa: E402
from lstm1997.protocol import Checkpoint  # noqa: E402
from lstm1997.variants import Setting  # noqa: E402

trials.train_trials(
    Setting.from_params(snakemake.wildcards.variant, snakemake.params.setting),
    int(snakemake.wildcards.T),
    snakemake.params.trials,
    snakemake.threads,
    **snakemake.output,
    checkpoint=Checkpoint(snakemake.params.checkpoint, key=snakemake.params.source),
)
