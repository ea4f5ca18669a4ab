"""dyck1: the paper's best config (3 layers, 8 heads, 2 MLPs, length 16; Table 1: 99.30%).

  python -m tpjax.main --config=configs/dyck1.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "dyck1"
    c.model.n_layers = 3
    c.model.n_heads_cat = 4
    c.model.n_heads_num = 4
    c.model.n_mlps_cat = 1
    c.model.n_mlps_num = 1
    c.data.max_len = 16  # BOS + 15 brackets
    c.data.min_len = 16  # balanced starts of 8 pairs, cut to 15 brackets, as in the paper's script
    return c
