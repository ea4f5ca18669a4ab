"""double_hist: a Transformer Program extracted by tpjax.

Task: values sharing each value's count.
Model: 3 layers, 2+2 categorical+numerical heads, 1+1 MLPs.
From seed 4, epoch 250, source runs/ship/double_hist.
Snapped model's test accuracy: 98.54%.

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
LABELS = ['1', '2', '3', '4', '5', '6']
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
    """Layer 0, categorical head 0: `positions` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->5, 1->6, 2->7, 3->7, 4->7, 5->6, 6->6, 7->3; other values match nothing)."""
    wanted = lookup({0: 5, 1: 6, 2: 7, 3: 7, 4: 7, 5: 6, 6: 6, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, positions)


def compute_cat_attn_0_1(positions, visible):
    """Layer 0, categorical head 1: `positions` at the nearest position whose `positions` is 7, except that a
    query 0 matches 5."""
    wanted = np.full_like(positions, 7)
    wanted[positions == 0] = 5  # 0 matches 5
    match = positions[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, positions)


def compute_num_attn_0_0(tokens, positions, visible):
    """Layer 0, numerical head 0: counts the positions whose `positions` is 2, except that a query '0' matches
    3."""
    wanted = np.full_like(tokens, 2)
    wanted[tokens == 2] = 3  # '0' matches 3
    match = positions[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` equals the query's `tokens`, except that
    a query '<s>' matches nothing."""
    wanted = tokens.copy()
    wanted[tokens == 1] = -1  # '<s>' matches nothing
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(cat_attn_0_0, cat_attn_0_1):
    """Layer 0, categorical MLP 0: a table over `cat_attn_0_0`, `cat_attn_0_1` (5 output values, in
    tables.json)."""
    return TABLES["cat_mlp_0_0"][cat_attn_0_0, cat_attn_0_1]


def compute_num_mlp_0_0(num_attn_0_1):
    """Layer 0, numerical MLP 0: a table over `num_attn_0_1` (2 output values)."""
    return lookup({0: 4, 1: 4, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0}, fill=0, size=9)[num_attn_0_1]


def compute_cat_attn_1_0(positions, num_mlp_0_0, visible):
    """Layer 1, categorical head 0: `num_mlp_0_0` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->4, 1->6, 2->5, 3->4, 4->2, 5->7, 6->1, 7->1; other values match nothing)."""
    wanted = lookup({0: 4, 1: 6, 2: 5, 3: 4, 4: 2, 5: 7, 6: 1, 7: 1}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, num_mlp_0_0)


def compute_cat_attn_1_1(num_mlp_0_0, positions, cat_attn_0_0, visible):
    """Layer 1, categorical head 1: `cat_attn_0_0` at the nearest position whose `positions` is the value the
    query's `num_mlp_0_0` asks for (0->7, 4->6; other values match nothing)."""
    wanted = lookup({0: 7, 4: 6}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[num_mlp_0_0][:, :, None]
    return select_closest(match & visible, cat_attn_0_0)


def compute_num_attn_1_0(num_mlp_0_0, num_attn_0_1, visible):
    """Layer 1, numerical head 0: sums `num_attn_0_1` over the positions whose `num_mlp_0_0` is 0."""
    match = num_mlp_0_0[:, None, :] == 0
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_1_1(num_mlp_0_0, num_attn_0_0, visible):
    """Layer 1, numerical head 1: sums `num_attn_0_0` over the positions whose `num_mlp_0_0` equals the
    query's `num_mlp_0_0`."""
    match = num_mlp_0_0[:, None, :] == num_mlp_0_0[:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0):
    """Layer 1, categorical MLP 0: a table over `cat_attn_1_1`, `cat_attn_1_0` (3 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_0"][cat_attn_1_1, cat_attn_1_0]


def compute_num_mlp_1_0(num_attn_1_0):
    """Layer 1, numerical MLP 0: a table over `num_attn_1_0` (3 output values, in tables.json)."""
    return TABLES["num_mlp_1_0"][num_attn_1_0]


def compute_cat_attn_2_0(cat_mlp_0_0, cat_attn_1_0, num_mlp_0_0, visible):
    """Layer 2, categorical head 0: `num_mlp_0_0` at the nearest position whose `cat_attn_1_0` equals the
    query's `cat_mlp_0_0` - 3, except that a query 1 matches 4."""
    wanted = cat_mlp_0_0 - 3
    wanted[cat_mlp_0_0 == 1] = 4  # 1 matches 4
    match = cat_attn_1_0[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, num_mlp_0_0)


def compute_cat_attn_2_1(cat_attn_0_0, positions, num_mlp_0_0, visible):
    """Layer 2, categorical head 1: `num_mlp_0_0` at the nearest position whose `positions` is the value the
    query's `cat_attn_0_0` asks for (0->6, 1->6, 2->6, 3->7, 4->1, 5->2, 6->5, 7->5; other values match
    nothing)."""
    wanted = lookup({0: 6, 1: 6, 2: 6, 3: 7, 4: 1, 5: 2, 6: 5, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_0_0][:, :, None]
    return select_closest(match & visible, num_mlp_0_0)


def compute_num_attn_2_0(num_mlp_0_0, cat_attn_1_1, num_attn_0_1, visible):
    """Layer 2, numerical head 0: sums `num_attn_0_1` over the positions whose `cat_attn_1_1` is the value the
    query's `num_mlp_0_0` asks for (0->6, 4->2; other values match nothing)."""
    wanted = lookup({0: 6, 4: 2}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_1_1[:, None, :] == wanted[num_mlp_0_0][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_2_1(tokens, num_attn_0_1, visible):
    """Layer 2, numerical head 1: sums `num_attn_0_1` over the positions whose `tokens` equals the query's
    `tokens`, except that a query '<s>' matches '1'."""
    wanted = tokens.copy()
    wanted[tokens == 1] = 3  # '<s>' matches '1'
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_cat_mlp_2_0(cat_attn_1_1):
    """Layer 2, categorical MLP 0: a table over `cat_attn_1_1` (2 output values)."""
    return lookup({0: 7, 1: 7, 2: 7, 3: 7, 4: 7, 5: 7, 6: 4, 7: 4}, fill=0)[cat_attn_1_1]


def compute_num_mlp_2_0(num_attn_1_1):
    """Layer 2, numerical MLP 0: a table over `num_attn_1_1` (3 output values, in tables.json)."""
    return TABLES["num_mlp_2_0"][num_attn_1_1]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, num_mlp_0_0, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, num_mlp_1_0, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1):
    """Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."""
    w = TABLES["classifier"]
    logits = (
        w["bias"]
        + w["cat"]["tokens"][tokens]
        + w["cat"]["positions"][positions]
        + w["cat"]["cat_attn_0_0"][cat_attn_0_0]
        + w["cat"]["cat_attn_0_1"][cat_attn_0_1]
        + w["cat"]["cat_mlp_0_0"][cat_mlp_0_0]
        + w["cat"]["num_mlp_0_0"][num_mlp_0_0]
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_mlp_1_0"][cat_mlp_1_0]
        + w["cat"]["num_mlp_1_0"][num_mlp_1_0]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["num_mlp_2_0"][num_mlp_2_0]
        + num_attn_0_0[..., None] * w["num"]["num_attn_0_0"]
        + num_attn_0_1[..., None] * w["num"]["num_attn_0_1"]
        + num_attn_1_0[..., None] * w["num"]["num_attn_1_0"]
        + num_attn_1_1[..., None] * w["num"]["num_attn_1_1"]
        + num_attn_2_0[..., None] * w["num"]["num_attn_2_0"]
        + num_attn_2_1[..., None] * w["num"]["num_attn_2_1"]
    )
    return np.argmax(logits, axis=-1)


def predict(tokens: np.ndarray) -> np.ndarray:
    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""
    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)
    ones = np.ones_like(tokens)
    visible = runtime.visible_keys(tokens, CAUSAL)
    cat_attn_0_0 = compute_cat_attn_0_0(positions, visible)
    cat_attn_0_1 = compute_cat_attn_0_1(positions, visible)
    num_attn_0_0 = compute_num_attn_0_0(tokens, positions, visible)
    num_attn_0_1 = compute_num_attn_0_1(tokens, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(cat_attn_0_0, cat_attn_0_1)
    num_mlp_0_0 = compute_num_mlp_0_0(num_attn_0_1)
    cat_attn_1_0 = compute_cat_attn_1_0(positions, num_mlp_0_0, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(num_mlp_0_0, positions, cat_attn_0_0, visible)
    num_attn_1_0 = compute_num_attn_1_0(num_mlp_0_0, num_attn_0_1, visible)
    num_attn_1_1 = compute_num_attn_1_1(num_mlp_0_0, num_attn_0_0, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0)
    num_mlp_1_0 = compute_num_mlp_1_0(num_attn_1_0)
    cat_attn_2_0 = compute_cat_attn_2_0(cat_mlp_0_0, cat_attn_1_0, num_mlp_0_0, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(cat_attn_0_0, positions, num_mlp_0_0, visible)
    num_attn_2_0 = compute_num_attn_2_0(num_mlp_0_0, cat_attn_1_1, num_attn_0_1, visible)
    num_attn_2_1 = compute_num_attn_2_1(tokens, num_attn_0_1, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(cat_attn_1_1)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_1_1)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, num_mlp_0_0, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, num_mlp_1_0, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1)
