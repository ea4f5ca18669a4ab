"""hist: a Transformer Program extracted by tpjax.

Task: count of each value.
Model: 1 layer, 2+2 categorical+numerical heads, 1+1 MLPs.
From seed 0, epoch 250, source runs/ship/hist.
Snapped model's test accuracy: 100.00%.

run(tokens) takes a whole input starting with "<s>" (at most 8 tokens) and returns one
label per position. Variables hold one integer per position: token ids (VOCAB), positions, counts, or
the output of the function compute_<name> below.
"""


import importlib.util
import pathlib

import numpy as np

_HERE = pathlib.Path(__file__).parent
_SPEC = importlib.util.spec_from_file_location(f"{__name__}_runtime", _HERE / "runtime.py")
runtime = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(runtime)
select_closest = runtime.select_closest

VOCAB = ['<pad>', '<s>', '0', '1', '2', '3', '4', '5']  # a token's id is its index
LABELS = ['1', '2', '3', '4', '5', '6', '7']
N_CTX = 8
D_VAR = 8  # categorical variables take values 0 .. D_VAR - 1
CAUSAL = False
TABLES = runtime.load_tables(_HERE / "tables.json")


def run(tokens: list[str]) -> list[str]:
    """One predicted label per position of `tokens`, a whole input that starts with "<s>"."""
    return run_batch([tokens])[0]


def run_batch(batch: list[list[str]]) -> list[list[str]]:
    """`run` for many inputs at once; ValueError naming the first bad input."""
    labels = predict(runtime.encode(batch, VOCAB, N_CTX))
    return [[LABELS[c] for c in row[: len(tokens)]] for row, tokens in zip(labels, batch)]


def lookup(mapping: dict, fill: int, size: int = D_VAR) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`fill` where not given)."""
    return runtime.lookup(mapping, fill, size)


def compute_cat_attn_0_0(positions, visible):
    """Layer 0, categorical head 0: `positions` at the nearest position whose `positions` is 0."""
    match = positions[:, None, :] == 0
    return select_closest(match & visible, positions)


def compute_cat_attn_0_1(positions, visible):
    """Layer 0, categorical head 1: `positions` at the nearest position whose `positions` is 1."""
    match = positions[:, None, :] == 1
    return select_closest(match & visible, positions)


def compute_num_attn_0_0(tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` equals the query's `tokens`, except that
    a query '<s>' matches nothing."""
    wanted = tokens.copy()
    wanted[tokens == 1] = -1  # '<s>' matches nothing
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` equals the query's `tokens`, except that
    a query '<s>' matches '3'."""
    wanted = tokens.copy()
    wanted[tokens == 1] = 5  # '<s>' matches '3'
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_mlp_0_0(num_attn_0_1):
    """Layer 0, numerical MLP 0: a table over `num_attn_0_1` (2 output values)."""
    return lookup({0: 3, 1: 3, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2}, fill=0, size=9)[num_attn_0_1]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, num_mlp_0_0, num_attn_0_0, num_attn_0_1):
    """Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."""
    w = TABLES["classifier"]
    logits = (
        w["bias"]
        + w["cat"]["tokens"][tokens]
        + w["cat"]["positions"][positions]
        + w["cat"]["cat_attn_0_0"][cat_attn_0_0]
        + w["cat"]["cat_attn_0_1"][cat_attn_0_1]
        + w["cat"]["num_mlp_0_0"][num_mlp_0_0]
        + num_attn_0_0[..., None] * w["num"]["num_attn_0_0"]
        + num_attn_0_1[..., None] * w["num"]["num_attn_0_1"]
    )
    return np.argmax(logits, axis=-1)


def predict(tokens: np.ndarray) -> np.ndarray:
    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""
    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)
    ones = np.ones_like(tokens)
    visible = runtime.visible_keys(tokens, CAUSAL)
    cat_attn_0_0 = compute_cat_attn_0_0(positions, visible)
    cat_attn_0_1 = compute_cat_attn_0_1(positions, visible)
    num_attn_0_0 = compute_num_attn_0_0(tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(tokens, visible)
    num_mlp_0_0 = compute_num_mlp_0_0(num_attn_0_1)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, num_mlp_0_0, num_attn_0_0, num_attn_0_1)
