"""most_freq: the paper's best config (3 layers, 8 heads, 4 MLPs; Table 1: 75.69%).

  python -m tpjax.main --config=configs/most_freq.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "most_freq"
    c.model.n_layers = 3
    c.model.n_heads_cat = 4
    c.model.n_heads_num = 4
    c.model.n_mlps_cat = 2
    c.model.n_mlps_num = 2
    return c
