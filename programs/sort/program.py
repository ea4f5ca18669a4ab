"""sort: a Transformer Program extracted by tpjax.

Task: sort the body.
Model: 3 layers, 4+4 categorical+numerical heads, 2+2 MLPs.
From seed 0, epoch 250, source runs/ship/sort.
Snapped model's test accuracy: 99.96%.

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

VOCAB = ['<pad>', '<s>', '</s>', '0', '1', '2', '3', '4']  # a token's id is its index
LABELS = ['0', '1', '2', '3', '4']
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


def compute_cat_attn_0_0(positions, tokens, visible):
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'0', 1->'0', 2->'1', 3->'2', 4->'4', 5->'3', 6->'3', 7->'2'; other values match
    nothing)."""
    wanted = lookup({0: 3, 1: 3, 2: 4, 3: 5, 4: 7, 5: 6, 6: 6, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(positions, tokens, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'1', 1->'0', 2->'0', 3->'4', 4->'4', 5->'4', 6->'4', 7->'1'; other values match
    nothing)."""
    wanted = lookup({0: 4, 1: 3, 2: 3, 3: 7, 4: 7, 5: 7, 6: 7, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_2(positions, tokens, visible):
    """Layer 0, categorical head 2: `tokens` at the nearest position whose `tokens` is '1', except that a
    query 5 matches '3' and a query 6 matches '3'."""
    wanted = np.full_like(positions, 4)
    wanted[positions == 5] = 6  # 5 matches '3'
    wanted[positions == 6] = 6  # 6 matches '3'
    match = tokens[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_3(positions, tokens, visible):
    """Layer 0, categorical head 3: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'4', 1->'0', 2->'</s>', 3->'4', 4->'4', 5->'4', 6->'4', 7->'1'; other values
    match nothing)."""
    wanted = lookup({0: 7, 1: 3, 2: 2, 3: 7, 4: 7, 5: 7, 6: 7, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(positions, tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'2', 1->'1', 2->'0', 3->'0', 4->'</s>', 5->'3', 6->'2', 7->'1'; other values match nothing)."""
    wanted = lookup({0: 5, 1: 4, 2: 3, 3: 3, 4: 2, 5: 6, 6: 5, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'1', 1->'1', 2->'2', 3->'2', 4->'2', 5->'0', 6->'0', 7->'0'; other values match nothing)."""
    wanted = lookup({0: 4, 1: 4, 2: 5, 3: 5, 4: 5, 5: 3, 6: 3, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_2(positions, tokens, visible):
    """Layer 0, numerical head 2: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'2', 1->'1', 2->'1', 3->'3', 4->'3', 5->'3', 6->'3', 7->'2'; other values match nothing)."""
    wanted = lookup({0: 5, 1: 4, 2: 4, 3: 6, 4: 6, 5: 6, 6: 6, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_3(positions, tokens, visible):
    """Layer 0, numerical head 3: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'1', 1->'0', 2->'3', 3->'3', 4->'3', 5->'2', 6->'1', 7->'2'; other values match nothing)."""
    wanted = lookup({0: 4, 1: 3, 2: 6, 3: 6, 4: 6, 5: 5, 6: 4, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(positions):
    """Layer 0, categorical MLP 0: a table over `positions` (2 output values)."""
    return lookup({0: 1, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1}, fill=0)[positions]


def compute_cat_mlp_0_1(positions):
    """Layer 0, categorical MLP 1: a table over `positions` (3 output values)."""
    return lookup({0: 1, 1: 5, 2: 1, 3: 5, 4: 1, 5: 3, 6: 3, 7: 3}, fill=0)[positions]


def compute_cat_attn_1_0(positions, tokens, visible):
    """Layer 1, categorical head 0: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'3', 1->'2', 2->'3', 3->'1', 4->'</s>', 5->'3', 6->'4', 7->'4'; other values
    match nothing)."""
    wanted = lookup({0: 6, 1: 5, 2: 6, 3: 4, 4: 2, 5: 6, 6: 7, 7: 7}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_1(positions, tokens, visible):
    """Layer 1, categorical head 1: `tokens` at the nearest position whose `positions` equals the query's
    `positions` + 1, except that a query 0 matches 4 and a query 7 matches 2."""
    wanted = positions + 1
    wanted[positions == 0] = 4  # 0 matches 4
    wanted[positions == 7] = 2  # 7 matches 2
    match = positions[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_2(positions, tokens, visible):
    """Layer 1, categorical head 2: `tokens` at the nearest position whose `positions` is 1."""
    match = positions[:, None, :] == 1
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_3(cat_mlp_0_1, cat_attn_0_0, cat_attn_0_1, visible):
    """Layer 1, categorical head 3: `cat_attn_0_1` at the nearest position whose `cat_attn_0_0` is the value
    the query's `cat_mlp_0_1` asks for (1->2, 3->7, 5->2; other values match nothing)."""
    wanted = lookup({1: 2, 3: 7, 5: 2}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_0[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return select_closest(match & visible, cat_attn_0_1)


def compute_num_attn_1_0(cat_mlp_0_1, num_attn_0_0, visible):
    """Layer 1, numerical head 0: sums `num_attn_0_0` over the positions whose `cat_mlp_0_1` is 5."""
    match = cat_mlp_0_1[:, None, :] == 5
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_1(cat_attn_0_3, tokens, num_attn_0_0, visible):
    """Layer 1, numerical head 1: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `cat_attn_0_3` asks for (1->'<s>', 2->'2', 3->'2', 4->'<s>', 5->'3', 6->'2', 7->'<s>'; other
    values match nothing)."""
    wanted = lookup({1: 1, 2: 5, 3: 5, 4: 1, 5: 6, 6: 5, 7: 1}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_2(cat_attn_0_0, tokens, num_attn_0_0, visible):
    """Layer 1, numerical head 2: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `cat_attn_0_0` asks for (1->'0', 2->'0', 3->'1', 4->'1', 5->'0', 6->'0', 7->'0'; other values
    match nothing)."""
    wanted = lookup({1: 3, 2: 3, 3: 4, 4: 4, 5: 3, 6: 3, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_attn_0_0][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_3(positions, tokens, visible):
    """Layer 1, numerical head 3: counts the positions whose `tokens` is '2', except that a query 0 matches
    '3' and a query 6 matches '4'."""
    wanted = np.full_like(positions, 5)
    wanted[positions == 0] = 6  # 0 matches '3'
    wanted[positions == 6] = 7  # 6 matches '4'
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_1_0(positions, cat_attn_1_3):
    """Layer 1, categorical MLP 0: a table over `positions`, `cat_attn_1_3` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_1_0"][positions, cat_attn_1_3]


def compute_cat_mlp_1_1(positions, cat_attn_0_3):
    """Layer 1, categorical MLP 1: a table over `positions`, `cat_attn_0_3` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_1_1"][positions, cat_attn_0_3]


def compute_num_mlp_1_0(num_attn_0_3, num_attn_1_0):
    """Layer 1, numerical MLP 0: a table over `num_attn_0_3`, `num_attn_1_0` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_1_0"][num_attn_0_3, num_attn_1_0]


def compute_num_mlp_1_1(num_attn_1_2, num_attn_1_0):
    """Layer 1, numerical MLP 1: a table over `num_attn_1_2`, `num_attn_1_0` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_1_1"][num_attn_1_2, num_attn_1_0]


def compute_cat_attn_2_0(cat_mlp_0_0, tokens, visible):
    """Layer 2, categorical head 0: `tokens` at the nearest position whose `cat_mlp_0_0` is the value the
    query's `cat_mlp_0_0` asks for (0->1, 1->0; other values match nothing)."""
    wanted = lookup({0: 1, 1: 0}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_0[:, None, :] == wanted[cat_mlp_0_0][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_2_1(cat_attn_0_3, positions, cat_attn_1_0, visible):
    """Layer 2, categorical head 1: `cat_attn_1_0` at the nearest position whose `positions` is the value the
    query's `cat_attn_0_3` asks for (1->0, 2->1, 3->7, 4->0, 5->0, 6->0, 7->0; other values match nothing)."""
    wanted = lookup({1: 0, 2: 1, 3: 7, 4: 0, 5: 0, 6: 0, 7: 0}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return select_closest(match & visible, cat_attn_1_0)


def compute_cat_attn_2_2(positions, cat_attn_1_1, visible):
    """Layer 2, categorical head 2: `cat_attn_1_1` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->4, 1->3, 2->4, 3->5, 4->5, 5->2, 6->0, 7->5; other values match nothing)."""
    wanted = lookup({0: 4, 1: 3, 2: 4, 3: 5, 4: 5, 5: 2, 6: 0, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_1_1)


def compute_cat_attn_2_3(cat_mlp_0_0, tokens, cat_attn_1_1, visible):
    """Layer 2, categorical head 3: `cat_attn_1_1` at the nearest position whose `tokens` equals the query's
    `cat_mlp_0_0` + 1."""
    match = tokens[:, None, :] == cat_mlp_0_0[:, :, None] + 1
    return select_closest(match & visible, cat_attn_1_1)


def compute_num_attn_2_0(tokens, num_attn_1_0, visible):
    """Layer 2, numerical head 0: sums `num_attn_1_0` over the positions whose `tokens` is '0'."""
    match = tokens[:, None, :] == 3
    return np.sum((match & visible) * num_attn_1_0[:, None, :], axis=2)


def compute_num_attn_2_1(tokens, num_attn_1_0, visible):
    """Layer 2, numerical head 1: sums `num_attn_1_0` over the positions whose `tokens` is '1'."""
    match = tokens[:, None, :] == 4
    return np.sum((match & visible) * num_attn_1_0[:, None, :], axis=2)


def compute_num_attn_2_2(cat_attn_1_0, num_attn_0_2, visible):
    """Layer 2, numerical head 2: sums `num_attn_0_2` over the positions whose `cat_attn_1_0` is the value the
    query's `cat_attn_1_0` asks for (1->6, 2->4, 3->6, 4->6, 5->5, 6->2, 7->7; other values match nothing)."""
    wanted = lookup({1: 6, 2: 4, 3: 6, 4: 6, 5: 5, 6: 2, 7: 7}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_1_0[:, None, :] == wanted[cat_attn_1_0][:, :, None]
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_num_attn_2_3(cat_mlp_0_1, tokens, num_attn_1_0, visible):
    """Layer 2, numerical head 3: sums `num_attn_1_0` over the positions whose `tokens` is the value the
    query's `cat_mlp_0_1` asks for (1->'0', 3->'2', 5->'0'; other values match nothing)."""
    wanted = lookup({1: 3, 3: 5, 5: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_1_0[:, None, :], axis=2)


def compute_cat_mlp_2_0(positions, cat_attn_2_1):
    """Layer 2, categorical MLP 0: a table over `positions`, `cat_attn_2_1` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_2_0"][positions, cat_attn_2_1]


def compute_cat_mlp_2_1(cat_attn_2_3, positions):
    """Layer 2, categorical MLP 1: a table over `cat_attn_2_3`, `positions` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_2_1"][cat_attn_2_3, positions]


def compute_num_mlp_2_0(num_attn_2_3, num_attn_2_0):
    """Layer 2, numerical MLP 0: a table over `num_attn_2_3`, `num_attn_2_0` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_0"][num_attn_2_3, num_attn_2_0]


def compute_num_mlp_2_1(num_attn_2_0, num_attn_2_1):
    """Layer 2, numerical MLP 1: a table over `num_attn_2_0`, `num_attn_2_1` (3 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_1"][num_attn_2_0, num_attn_2_1]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_mlp_1_1, num_mlp_1_0, num_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_mlp_2_1, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3):
    """Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."""
    w = TABLES["classifier"]
    logits = (
        w["bias"]
        + w["cat"]["tokens"][tokens]
        + w["cat"]["positions"][positions]
        + w["cat"]["cat_attn_0_0"][cat_attn_0_0]
        + w["cat"]["cat_attn_0_1"][cat_attn_0_1]
        + w["cat"]["cat_attn_0_2"][cat_attn_0_2]
        + w["cat"]["cat_attn_0_3"][cat_attn_0_3]
        + w["cat"]["cat_mlp_0_0"][cat_mlp_0_0]
        + w["cat"]["cat_mlp_0_1"][cat_mlp_0_1]
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_attn_1_2"][cat_attn_1_2]
        + w["cat"]["cat_attn_1_3"][cat_attn_1_3]
        + w["cat"]["cat_mlp_1_0"][cat_mlp_1_0]
        + w["cat"]["cat_mlp_1_1"][cat_mlp_1_1]
        + w["cat"]["num_mlp_1_0"][num_mlp_1_0]
        + w["cat"]["num_mlp_1_1"][num_mlp_1_1]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_attn_2_2"][cat_attn_2_2]
        + w["cat"]["cat_attn_2_3"][cat_attn_2_3]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["cat_mlp_2_1"][cat_mlp_2_1]
        + w["cat"]["num_mlp_2_0"][num_mlp_2_0]
        + w["cat"]["num_mlp_2_1"][num_mlp_2_1]
        + num_attn_0_0[..., None] * w["num"]["num_attn_0_0"]
        + num_attn_0_1[..., None] * w["num"]["num_attn_0_1"]
        + num_attn_0_2[..., None] * w["num"]["num_attn_0_2"]
        + num_attn_0_3[..., None] * w["num"]["num_attn_0_3"]
        + num_attn_1_0[..., None] * w["num"]["num_attn_1_0"]
        + num_attn_1_1[..., None] * w["num"]["num_attn_1_1"]
        + num_attn_1_2[..., None] * w["num"]["num_attn_1_2"]
        + num_attn_1_3[..., None] * w["num"]["num_attn_1_3"]
        + num_attn_2_0[..., None] * w["num"]["num_attn_2_0"]
        + num_attn_2_1[..., None] * w["num"]["num_attn_2_1"]
        + num_attn_2_2[..., None] * w["num"]["num_attn_2_2"]
        + num_attn_2_3[..., None] * w["num"]["num_attn_2_3"]
    )
    return np.argmax(logits, axis=-1)


def predict(tokens: np.ndarray) -> np.ndarray:
    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""
    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)
    ones = np.ones_like(tokens)
    visible = runtime.visible_keys(tokens, CAUSAL)
    cat_attn_0_0 = compute_cat_attn_0_0(positions, tokens, visible)
    cat_attn_0_1 = compute_cat_attn_0_1(positions, tokens, visible)
    cat_attn_0_2 = compute_cat_attn_0_2(positions, tokens, visible)
    cat_attn_0_3 = compute_cat_attn_0_3(positions, tokens, visible)
    num_attn_0_0 = compute_num_attn_0_0(positions, tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(positions, tokens, visible)
    num_attn_0_2 = compute_num_attn_0_2(positions, tokens, visible)
    num_attn_0_3 = compute_num_attn_0_3(positions, tokens, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(positions)
    cat_mlp_0_1 = compute_cat_mlp_0_1(positions)
    cat_attn_1_0 = compute_cat_attn_1_0(positions, tokens, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(positions, tokens, visible)
    cat_attn_1_2 = compute_cat_attn_1_2(positions, tokens, visible)
    cat_attn_1_3 = compute_cat_attn_1_3(cat_mlp_0_1, cat_attn_0_0, cat_attn_0_1, visible)
    num_attn_1_0 = compute_num_attn_1_0(cat_mlp_0_1, num_attn_0_0, visible)
    num_attn_1_1 = compute_num_attn_1_1(cat_attn_0_3, tokens, num_attn_0_0, visible)
    num_attn_1_2 = compute_num_attn_1_2(cat_attn_0_0, tokens, num_attn_0_0, visible)
    num_attn_1_3 = compute_num_attn_1_3(positions, tokens, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(positions, cat_attn_1_3)
    cat_mlp_1_1 = compute_cat_mlp_1_1(positions, cat_attn_0_3)
    num_mlp_1_0 = compute_num_mlp_1_0(num_attn_0_3, num_attn_1_0)
    num_mlp_1_1 = compute_num_mlp_1_1(num_attn_1_2, num_attn_1_0)
    cat_attn_2_0 = compute_cat_attn_2_0(cat_mlp_0_0, tokens, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(cat_attn_0_3, positions, cat_attn_1_0, visible)
    cat_attn_2_2 = compute_cat_attn_2_2(positions, cat_attn_1_1, visible)
    cat_attn_2_3 = compute_cat_attn_2_3(cat_mlp_0_0, tokens, cat_attn_1_1, visible)
    num_attn_2_0 = compute_num_attn_2_0(tokens, num_attn_1_0, visible)
    num_attn_2_1 = compute_num_attn_2_1(tokens, num_attn_1_0, visible)
    num_attn_2_2 = compute_num_attn_2_2(cat_attn_1_0, num_attn_0_2, visible)
    num_attn_2_3 = compute_num_attn_2_3(cat_mlp_0_1, tokens, num_attn_1_0, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(positions, cat_attn_2_1)
    cat_mlp_2_1 = compute_cat_mlp_2_1(cat_attn_2_3, positions)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_2_3, num_attn_2_0)
    num_mlp_2_1 = compute_num_mlp_2_1(num_attn_2_0, num_attn_2_1)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_mlp_1_1, num_mlp_1_0, num_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_mlp_2_1, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3)
