"""induction: the paper's in-context-learning setup (2 layers, 1 categorical head, no MLPs, causal).

  python -m tpjax.main --config=configs/induction.py
"""

from tpjax.config import base_config


def get_config():
    c = base_config()
    c.task = "induction"
    c.model.n_layers = 2
    c.model.n_heads_cat = 1
    c.model.n_heads_num = 0
    c.model.n_mlps_cat = 0
    c.model.n_mlps_num = 0
    c.data.vocab_size = 10  # 4 letters, 4 numbers, BOS, PAD
    c.data.min_len = 9  # 4 letter,number pairs, as in the paper's script
    c.data.max_len = 9
    return c
