"""addition_hints: the blog's best grid point (3 layers, 16 heads, 8 MLPs; blog: 92.00%).

  python -m tpjax.main --config=configs/addition_hints.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "addition_hints"
    c.model.n_layers = 3
    c.model.n_heads_cat = 8
    c.model.n_heads_num = 8
    c.model.n_mlps_cat = 4
    c.model.n_mlps_num = 4
    return c
