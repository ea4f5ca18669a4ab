"""addition: the blog's best grid point (3 layers, 4 heads, 8 MLPs; blog: 93.24%).

  python -m tpjax.main --config=configs/addition.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "addition"
    c.model.n_layers = 3
    c.model.n_heads_cat = 2
    c.model.n_heads_num = 2
    c.model.n_mlps_cat = 4
    c.model.n_mlps_num = 4
    return c
