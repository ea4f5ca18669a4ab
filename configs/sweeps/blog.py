"""The reproduction study's wider grid: 4 x 4 x 3 = 48 points, 5 seeds each.

From the blog post "Learning Transformer Programs even better" (layers 1..4, heads 2..16, MLPs 2..8).

  python -m tpjax.experiments.sweep --config=configs/sweeps/blog.py --task=sort [--shard=i/n]
  launch/local_sweep.sh 4 2 --config=configs/sweeps/blog.py --task=sort

Training settings are the paper's (the study changed only layers, heads and MLPs); change any field of the
task config for the whole sweep with `--config.override.<field>=...`.
"""

from tpjax.experiments.grid import sweep_config


def get_config():
    c = sweep_config("blog")
    c.n_layers = (1, 2, 3, 4)  # layers
    c.n_heads = (2, 4, 8, 16)  # attention heads per layer, half categorical, half numerical
    c.n_mlps = (2, 4, 8)  # MLPs per layer, half categorical, half numerical
    c.n_seeds = 5  # seeds per point; the best-validation seed's test accuracy is reported
    return c
