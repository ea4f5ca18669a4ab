"""addition: a Transformer Program extracted by tpjax.

Task: digits of a + b.
Model: 3 layers, 2+2 categorical+numerical heads, 4+4 MLPs.
From seed 2, epoch 250, source runs/ship/addition.
Snapped model's test accuracy: 75.76%.

run(tokens) takes a whole input starting with "<s>" (at most 6 tokens) and returns one
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

VOCAB = ['<pad>', '<s>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+']  # a token's id is its index
LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_']
N_CTX = 6
D_VAR = 13  # categorical variables take values 0 .. D_VAR - 1
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
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->4, 1->3, 2->5, 3->4, 4->1, 5->4; other values match nothing)."""
    wanted = lookup({0: 4, 1: 3, 2: 5, 3: 4, 4: 1, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(positions, tokens, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->1, 1->4, 2->5, 3->1, 4->1, 5->1; other values match nothing)."""
    wanted = lookup({0: 1, 1: 4, 2: 5, 3: 1, 4: 1, 5: 1}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `tokens` asks
    for ('<s>'->'0', '0'->'4', '1'->'3', '2'->'2', '3'->'7', '4'->'0', '5'->'5', '6'->'4', '7'->'3', '8'->'2',
    '9'->'5', '+'->'9'; other values match nothing)."""
    wanted = lookup({1: 2, 2: 6, 3: 5, 4: 4, 5: 9, 6: 2, 7: 7, 8: 6, 9: 5, 10: 4, 11: 7, 12: 11}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, visible):
    """Layer 0, numerical head 1: counts the positions whose `positions` is the value the query's `positions`
    asks for (0->5, 1->5, 2->4, 3->5; other values match nothing)."""
    wanted = lookup({0: 5, 1: 5, 2: 4, 3: 5}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(cat_attn_0_0, tokens):
    """Layer 0, categorical MLP 0: a table over `cat_attn_0_0`, `tokens` (12 output values, in tables.json)."""
    return TABLES["cat_mlp_0_0"][cat_attn_0_0, tokens]


def compute_cat_mlp_0_1(cat_attn_0_1, tokens):
    """Layer 0, categorical MLP 1: a table over `cat_attn_0_1`, `tokens` (13 output values, in tables.json)."""
    return TABLES["cat_mlp_0_1"][cat_attn_0_1, tokens]


def compute_cat_mlp_0_2(tokens, cat_attn_0_0):
    """Layer 0, categorical MLP 2: a table over `tokens`, `cat_attn_0_0` (12 output values, in tables.json)."""
    return TABLES["cat_mlp_0_2"][tokens, cat_attn_0_0]


def compute_cat_mlp_0_3(positions, tokens):
    """Layer 0, categorical MLP 3: a table over `positions`, `tokens` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_0_3"][positions, tokens]


def compute_cat_attn_1_0(positions, cat_mlp_0_0, visible):
    """Layer 1, categorical head 0: `cat_mlp_0_0` at the nearest position whose `cat_mlp_0_0` is the value the
    query's `positions` asks for (0->12, 1->7, 2->11, 3->6, 4->4, 5->4; other values match nothing)."""
    wanted = lookup({0: 12, 1: 7, 2: 11, 3: 6, 4: 4, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_0[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_mlp_0_0)


def compute_cat_attn_1_1(positions, cat_mlp_0_0, visible):
    """Layer 1, categorical head 1: `cat_mlp_0_0` at the nearest position whose `positions` is the value the
    query's `positions` asks for (1->3, 2->0, 3->2, 4->3, 5->3; other values match nothing)."""
    wanted = lookup({1: 3, 2: 0, 3: 2, 4: 3, 5: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_mlp_0_0)


def compute_num_attn_1_0(tokens, visible):
    """Layer 1, numerical head 0: counts the positions whose `tokens` is the value the query's `tokens` asks
    for ('<s>'->'9', '0'->'1', '1'->'0', '2'->'7', '3'->'6', '4'->'5', '5'->'4', '6'->'5', '7'->'2', '8'->'1',
    '9'->'0', '+'->'0'; other values match nothing)."""
    wanted = lookup({1: 11, 2: 3, 3: 2, 4: 9, 5: 8, 6: 7, 7: 6, 8: 7, 9: 4, 10: 3, 11: 2, 12: 2}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_1_1(tokens, cat_attn_0_0, num_attn_0_1, visible):
    """Layer 1, numerical head 1: sums `num_attn_0_1` over the positions whose `cat_attn_0_0` is the value the
    query's `tokens` asks for ('0'->4, '1'->3, '2'->8, '3'->7, '4'->6, '5'->5, '6'->4, '7'->4, '8'->1, '9'->1,
    '+'->8; other values match nothing)."""
    wanted = lookup({2: 4, 3: 3, 4: 8, 5: 7, 6: 6, 7: 5, 8: 4, 9: 4, 10: 1, 11: 1, 12: 8}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_0[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_cat_mlp_1_0(positions):
    """Layer 1, categorical MLP 0: a table over `positions` (2 output values)."""
    return lookup({0: 2, 1: 11, 2: 2, 3: 2, 4: 11, 5: 11}, fill=0)[positions]


def compute_cat_mlp_1_1(cat_attn_1_1, cat_mlp_0_1):
    """Layer 1, categorical MLP 1: a table over `cat_attn_1_1`, `cat_mlp_0_1` (9 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_1"][cat_attn_1_1, cat_mlp_0_1]


def compute_cat_mlp_1_2(tokens, cat_attn_0_1):
    """Layer 1, categorical MLP 2: a table over `tokens`, `cat_attn_0_1` (9 output values, in tables.json)."""
    return TABLES["cat_mlp_1_2"][tokens, cat_attn_0_1]


def compute_cat_mlp_1_3(cat_attn_1_1, positions):
    """Layer 1, categorical MLP 3: a table over `cat_attn_1_1`, `positions` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_1_3"][cat_attn_1_1, positions]


def compute_num_mlp_1_2(num_attn_0_1):
    """Layer 1, numerical MLP 2: a table over `num_attn_0_1` (2 output values)."""
    return lookup({0: 5, 1: 9, 2: 9, 3: 9, 4: 9, 5: 9, 6: 9}, fill=0, size=37)[num_attn_0_1]


def compute_cat_attn_2_0(tokens, cat_mlp_0_3, cat_mlp_0_1, visible):
    """Layer 2, categorical head 0: `cat_mlp_0_1` at the nearest position whose `cat_mlp_0_3` is 3, except
    that a query '+' matches 9."""
    wanted = np.full_like(tokens, 3)
    wanted[tokens == 12] = 9  # '+' matches 9
    match = cat_mlp_0_3[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, cat_mlp_0_1)


def compute_cat_attn_2_1(tokens, positions, visible):
    """Layer 2, categorical head 1: `tokens` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->1, '0'->4, '1'->3, '2'->1, '3'->1, '4'->1, '5'->1, '6'->4, '7'->1,
    '8'->4, '9'->4, '+'->3; other values match nothing)."""
    wanted = lookup({1: 1, 2: 4, 3: 3, 4: 1, 5: 1, 6: 1, 7: 1, 8: 4, 9: 1, 10: 4, 11: 4, 12: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_2_0(cat_attn_0_1, num_attn_0_1, visible):
    """Layer 2, numerical head 0: sums `num_attn_0_1` over the positions whose `cat_attn_0_1` is the value the
    query's `cat_attn_0_1` asks for (1->10, 2->11, 3->11, 4->10, 5->9, 6->8, 7->7, 8->6, 9->5, 10->4, 11->10,
    12->10; other values match nothing)."""
    wanted = lookup({1: 10, 2: 11, 3: 11, 4: 10, 5: 9, 6: 8, 7: 7, 8: 6, 9: 5, 10: 4, 11: 10, 12: 10}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_1[:, None, :] == wanted[cat_attn_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_2_1(cat_attn_0_1, tokens, num_attn_0_1, visible):
    """Layer 2, numerical head 1: sums `num_attn_0_1` over the positions whose `tokens` is the value the
    query's `cat_attn_0_1` asks for (2->'5', 3->'4', 4->'3', 5->'2', 6->'1', 7->'0', 10->'7', 11->'7'; other
    values match nothing)."""
    wanted = lookup({2: 7, 3: 6, 4: 5, 5: 4, 6: 3, 7: 2, 10: 9, 11: 9}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_attn_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_cat_mlp_2_0(cat_mlp_1_3):
    """Layer 2, categorical MLP 0: a table over `cat_mlp_1_3` (2 output values)."""
    return lookup({1: 8, 4: 2, 6: 8, 7: 8, 8: 8}, fill=0)[cat_mlp_1_3]


def compute_cat_mlp_2_1(cat_mlp_0_2, num_mlp_1_2):
    """Layer 2, categorical MLP 1: a table over `cat_mlp_0_2`, `num_mlp_1_2` (6 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_1"][cat_mlp_0_2, num_mlp_1_2]


def compute_cat_mlp_2_2(positions, cat_attn_2_1):
    """Layer 2, categorical MLP 2: a table over `positions`, `cat_attn_2_1` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_2_2"][positions, cat_attn_2_1]


def compute_cat_mlp_2_3(tokens, cat_attn_0_1):
    """Layer 2, categorical MLP 3: a table over `tokens`, `cat_attn_0_1` (8 output values, in tables.json)."""
    return TABLES["cat_mlp_2_3"][tokens, cat_attn_0_1]


def compute_num_mlp_2_0(num_attn_0_1):
    """Layer 2, numerical MLP 0: a table over `num_attn_0_1` (2 output values)."""
    return lookup({0: 10, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}, fill=0, size=217)[num_attn_0_1]


def compute_num_mlp_2_1(num_attn_2_1, num_attn_2_0):
    """Layer 2, numerical MLP 1: a table over `num_attn_2_1`, `num_attn_2_0` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_1"][num_attn_2_1, num_attn_2_0]


def compute_num_mlp_2_2(num_attn_0_1):
    """Layer 2, numerical MLP 2: a table over `num_attn_0_1` (2 output values)."""
    return lookup({0: 5, 1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4}, fill=0, size=217)[num_attn_0_1]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, cat_mlp_0_1, cat_mlp_0_2, cat_mlp_0_3, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, cat_mlp_1_1, cat_mlp_1_2, cat_mlp_1_3, num_mlp_1_2, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, cat_mlp_2_1, cat_mlp_2_2, cat_mlp_2_3, num_mlp_2_0, num_mlp_2_1, num_mlp_2_2, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1):
    """Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."""
    w = TABLES["classifier"]
    logits = (
        w["bias"]
        + w["cat"]["tokens"][tokens]
        + w["cat"]["positions"][positions]
        + w["cat"]["cat_attn_0_0"][cat_attn_0_0]
        + w["cat"]["cat_attn_0_1"][cat_attn_0_1]
        + w["cat"]["cat_mlp_0_0"][cat_mlp_0_0]
        + w["cat"]["cat_mlp_0_1"][cat_mlp_0_1]
        + w["cat"]["cat_mlp_0_2"][cat_mlp_0_2]
        + w["cat"]["cat_mlp_0_3"][cat_mlp_0_3]
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_mlp_1_0"][cat_mlp_1_0]
        + w["cat"]["cat_mlp_1_1"][cat_mlp_1_1]
        + w["cat"]["cat_mlp_1_2"][cat_mlp_1_2]
        + w["cat"]["cat_mlp_1_3"][cat_mlp_1_3]
        + w["cat"]["num_mlp_1_2"][num_mlp_1_2]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["cat_mlp_2_1"][cat_mlp_2_1]
        + w["cat"]["cat_mlp_2_2"][cat_mlp_2_2]
        + w["cat"]["cat_mlp_2_3"][cat_mlp_2_3]
        + w["cat"]["num_mlp_2_0"][num_mlp_2_0]
        + w["cat"]["num_mlp_2_1"][num_mlp_2_1]
        + w["cat"]["num_mlp_2_2"][num_mlp_2_2]
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
    cat_attn_0_0 = compute_cat_attn_0_0(positions, tokens, visible)
    cat_attn_0_1 = compute_cat_attn_0_1(positions, tokens, visible)
    num_attn_0_0 = compute_num_attn_0_0(tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(positions, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(cat_attn_0_0, tokens)
    cat_mlp_0_1 = compute_cat_mlp_0_1(cat_attn_0_1, tokens)
    cat_mlp_0_2 = compute_cat_mlp_0_2(tokens, cat_attn_0_0)
    cat_mlp_0_3 = compute_cat_mlp_0_3(positions, tokens)
    cat_attn_1_0 = compute_cat_attn_1_0(positions, cat_mlp_0_0, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(positions, cat_mlp_0_0, visible)
    num_attn_1_0 = compute_num_attn_1_0(tokens, visible)
    num_attn_1_1 = compute_num_attn_1_1(tokens, cat_attn_0_0, num_attn_0_1, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(positions)
    cat_mlp_1_1 = compute_cat_mlp_1_1(cat_attn_1_1, cat_mlp_0_1)
    cat_mlp_1_2 = compute_cat_mlp_1_2(tokens, cat_attn_0_1)
    cat_mlp_1_3 = compute_cat_mlp_1_3(cat_attn_1_1, positions)
    num_mlp_1_2 = compute_num_mlp_1_2(num_attn_0_1)
    cat_attn_2_0 = compute_cat_attn_2_0(tokens, cat_mlp_0_3, cat_mlp_0_1, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(tokens, positions, visible)
    num_attn_2_0 = compute_num_attn_2_0(cat_attn_0_1, num_attn_0_1, visible)
    num_attn_2_1 = compute_num_attn_2_1(cat_attn_0_1, tokens, num_attn_0_1, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(cat_mlp_1_3)
    cat_mlp_2_1 = compute_cat_mlp_2_1(cat_mlp_0_2, num_mlp_1_2)
    cat_mlp_2_2 = compute_cat_mlp_2_2(positions, cat_attn_2_1)
    cat_mlp_2_3 = compute_cat_mlp_2_3(tokens, cat_attn_0_1)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_0_1)
    num_mlp_2_1 = compute_num_mlp_2_1(num_attn_2_1, num_attn_2_0)
    num_mlp_2_2 = compute_num_mlp_2_2(num_attn_0_1)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, cat_mlp_0_1, cat_mlp_0_2, cat_mlp_0_3, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, cat_mlp_1_1, cat_mlp_1_2, cat_mlp_1_3, num_mlp_1_2, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, cat_mlp_2_1, cat_mlp_2_2, cat_mlp_2_3, num_mlp_2_0, num_mlp_2_1, num_mlp_2_2, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1)
