"""Reference reproduction of the LSTM adding problem (Hochreiter & Schmidhuber 1997, Experiment 4).

Modules, one concept each:
- ``task``: the adding problem's sequences (5.4);
- ``lstm97``: the 93-weight LSTM-1997 network, its weight layout and gradients (4, 5.4, A.1);
- ``engine``: the compiled per-time-step kernels behind ``lstm97`` and ``protocol``;
- ``criteria``: the stopping rule and the readings of "average training error";
- ``protocol``: online training, budgets, snapshots, testing;
- ``torch_ref``: the same network in PyTorch autograd, for checks and the benchmark;
- ``bench``: ``python -m lstm1997.bench``.
"""

__version__ = "0.1.0"
