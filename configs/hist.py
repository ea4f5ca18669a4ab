"""hist: the paper's best config (1 layer, 4 heads, 2 MLPs; Table 1: 100.00%).

  python -m tpjax.main --config=configs/hist.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "hist"
    c.model.n_layers = 1
    c.model.n_heads_cat = 2
    c.model.n_heads_num = 2
    c.model.n_mlps_cat = 1
    c.model.n_mlps_num = 1
    return c
