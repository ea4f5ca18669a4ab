"""reverse: the paper's best config (3 layers, 8 heads, 2 MLPs; Table 1: 99.79%).

  python -m tpjax.main --config=configs/reverse.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "reverse"
    c.model.n_layers = 3
    c.model.n_heads_cat = 4
    c.model.n_heads_num = 4
    c.model.n_mlps_cat = 1
    c.model.n_mlps_num = 1
    return c
