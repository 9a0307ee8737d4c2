from lstm1997 import jobs

jobs.start(snakemake.log[0])

import pandas as pd  # noqa: E402

from lstm1997 import io, robustness  # noqa: E402

io.write_csv(snakemake.output[0], robustness.summarize(pd.concat([io.read_csv(path) for path in snakemake.input], ignore_index=True)))
