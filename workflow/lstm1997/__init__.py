"""Reference reproduction of the LSTM adding problem (Hochreiter & Schmidhuber 1997, Experiment 4).

Modules, one concept each:
- ``task``: the adding problem's sequences (5.4);
- ``lstm97``: the 93-weight LSTM-1997 network, its weight layout, options and gradients (4, 5.4, A.1),
  with ``engine`` its compiled per-time-step kernels, ``engine_batched`` the same with 16 runs in the
  vector lanes of a core, and ``gpu`` the same on a CUDA GPU, a team of 8 threads per run;
- ``nnlstm``: the asker's ``nn.LSTM`` stack (``stack``) and the rungs towards 1997, with ``nnlstm_kernels``
  (compiled) and ``torch_batched`` (R trials at once in PyTorch, cpu or cuda);
- ``learning``: the learning rule's choices (gradient, error); ``checks``: one-line checks of values;
- ``criteria``: the stopping rule and the readings of "average training error";
- ``protocol``: online training of many runs at once, snapshots at each stopping point, testing;
- ``variants``: the registry of named settings and the config's overrides;
- ``sweep``: the robustness map over the input-gate biases and the learning rate, trained; ``robustness``:
  what it says (cells with intervals, which hold, the verdict);
- ``paper``: what Table 7 and 5.4 fix (the numbers of the stopping rule);
- ``anatomy``, ``scaling``: the plateau's escape and the cells' drift; sequences to success against T;
- ``trials``, ``testset``, ``tables``, ``plots``, ``report``, ``io``, ``jobs``: the pipeline's steps and plumbing;
- ``estimate``: the bound on a run's training that the workflow prints as it starts;
- ``torch_ref``: the 1997 network in PyTorch autograd, for checks and the benchmark;
- ``bench``: ``python -m lstm1997.bench``; ``browser``: ``python -m lstm1997.browser``, a page in headless Chromium.
"""

__version__ = "0.1.0"
