"""The paper's grid (Friedman et al. 2023, appendix): 2 x 2 x 2 points, 5 seeds each, paper training settings.

  python -m tpjax.experiments.sweep --config=configs/sweeps/paper.py --task=sort [--shard=i/n]

A point starts from the task's configs/<task>.py; change any of its fields for the whole sweep with
`--config.override.<field>=...` (e.g. `--config.override.n_epochs=100`), the grid with
`--config.n_layers='(2,3)'`.
"""

from tpjax.experiments.grid import sweep_config


def get_config():
    c = sweep_config("paper")
    c.n_layers = (2, 3)  # layers
    c.n_heads = (4, 8)  # attention heads per layer, half categorical, half numerical
    c.n_mlps = (2, 4)  # MLPs per layer, half categorical, half numerical
    c.n_seeds = 5  # seeds per point; the best-validation seed's test accuracy is reported
    return c
