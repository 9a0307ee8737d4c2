from lstm1997 import jobs

jobs.start(snakemake.log[0])

import pandas as pd  # noqa: E402

from lstm1997 import io, sweep  # noqa: E402

io.write_csv(snakemake.output[0], sweep.summarize(pd.concat([io.read_csv(path) for path in snakemake.input], ignore_index=True)))
