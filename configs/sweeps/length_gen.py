"""Length generalisation (DESIGN section 3): each RASP task at its paper config, trained on body lengths 1..n,
tested on n+1..n+10 (Dyck: trained on length n, tested on 2n), 5 seeds per n.

  python -m tpjax.experiments.length_gen --config=configs/sweeps/length_gen.py [--task=sort] [--shard=i/n]

Change any task-config field for every point with `--config.override.<field>=...`, the lengths with
`--config.lengths='(10,20)'`.
"""

from tpjax.experiments.grid import length_gen_config


def get_config():
    c = length_gen_config()
    c.lengths = (10, 20, 30, 40)  # n: longest training body (Dyck: the training length)
    c.n_seeds = 5
    return c
