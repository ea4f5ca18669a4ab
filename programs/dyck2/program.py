"""dyck2: a Transformer Program extracted by tpjax.

Task: balance of (){} prefixes.
Model: 3 layers, 2+2 categorical+numerical heads, 2+2 MLPs.
From seed 4, epoch 250, source runs/ship/dyck2.
Snapped model's test accuracy: 99.02%.

run(tokens) takes a whole input starting with "<s>" (at most 16 tokens) and returns one
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

VOCAB = ['<pad>', '<s>', '(', ')', '{', '}']  # a token's id is its index
LABELS = ['T', 'F', 'P']
N_CTX = 16
D_VAR = 16  # categorical variables take values 0 .. D_VAR - 1
CAUSAL = True  # a query never attends to a later position
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


def compute_cat_attn_0_0(tokens, positions, visible):
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->1, '('->5, ')'->4, '{'->5, '}'->4; other values match nothing)."""
    wanted = lookup({1: 1, 2: 5, 3: 4, 4: 5, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(positions, tokens, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `positions` equals the query's
    `positions` - 1, except that a query 0 matches 6."""
    wanted = positions - 1
    wanted[positions == 0] = 6  # 0 matches 6
    match = positions[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `tokens` asks
    for (')'->'(', '}'->'{'; other values match nothing)."""
    wanted = lookup({3: 2, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'}', 3->'<s>', 4->'<s>', 5->'(', 6->'<s>', 10->'}', 12->')', 14->')'; other values match
    nothing)."""
    wanted = lookup({0: 5, 3: 1, 4: 1, 5: 2, 6: 1, 10: 5, 12: 3, 14: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(cat_attn_0_1, tokens):
    """Layer 0, categorical MLP 0: a table over `cat_attn_0_1`, `tokens` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_0_0"][cat_attn_0_1, tokens]


def compute_cat_mlp_0_1(cat_attn_0_1, tokens):
    """Layer 0, categorical MLP 1: a table over `cat_attn_0_1`, `tokens` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_0_1"][cat_attn_0_1, tokens]


def compute_cat_attn_1_0(cat_mlp_0_0, visible):
    """Layer 1, categorical head 0: `cat_mlp_0_0` at the nearest position whose `cat_mlp_0_0` is 5."""
    match = cat_mlp_0_0[:, None, :] == 5
    return select_closest(match & visible, cat_mlp_0_0)


def compute_cat_attn_1_1(positions, cat_mlp_0_0, visible):
    """Layer 1, categorical head 1: `cat_mlp_0_0` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->3, 1->3, 2->2, 3->3, 4->3, 5->3, 6->3, 7->5, 8->5, 9->4, 10->6, 11->5,
    12->7, 13->4, 14->7, 15->4; other values match nothing)."""
    wanted = lookup({0: 3, 1: 3, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 5, 8: 5, 9: 4, 10: 6, 11: 5, 12: 7, 13: 4, 14: 7, 15: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_mlp_0_0)


def compute_num_attn_1_0(positions, cat_mlp_0_0, num_attn_0_1, visible):
    """Layer 1, numerical head 0: sums `num_attn_0_1` over the positions whose `cat_mlp_0_0` is the value the
    query's `positions` asks for (0->8, 1->12, 2->8, 4->8, 5->12, 6->12, 7->8, 8->12, 9->8, 11->8, 13->8,
    15->8; other values match nothing)."""
    wanted = lookup({0: 8, 1: 12, 2: 8, 4: 8, 5: 12, 6: 12, 7: 8, 8: 12, 9: 8, 11: 8, 13: 8, 15: 8}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_0[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_1_1(cat_attn_0_0, num_attn_0_0, visible):
    """Layer 1, numerical head 1: sums `num_attn_0_0` over the positions whose `cat_attn_0_0` is the value the
    query's `cat_attn_0_0` asks for (1->3, 3->2, 5->4; other values match nothing)."""
    wanted = lookup({1: 3, 3: 2, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_0[:, None, :] == wanted[cat_attn_0_0][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0):
    """Layer 1, categorical MLP 0: a table over `cat_attn_1_1`, `cat_attn_1_0` (4 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_0"][cat_attn_1_1, cat_attn_1_0]


def compute_cat_mlp_1_1(cat_attn_1_1):
    """Layer 1, categorical MLP 1: a table over `cat_attn_1_1` (2 output values)."""
    return lookup({5: 1, 8: 1, 12: 1, 13: 1, 15: 5}, fill=0)[cat_attn_1_1]


def compute_cat_attn_2_0(cat_mlp_0_0, cat_mlp_0_1, visible):
    """Layer 2, categorical head 0: `cat_mlp_0_1` at the nearest position whose `cat_mlp_0_0` is 15."""
    match = cat_mlp_0_0[:, None, :] == 15
    return select_closest(match & visible, cat_mlp_0_1)


def compute_cat_attn_2_1(cat_mlp_0_1, positions, cat_attn_1_1, visible):
    """Layer 2, categorical head 1: `cat_attn_1_1` at the nearest position whose `positions` is the value the
    query's `cat_mlp_0_1` asks for (0->2, 1->2, 4->5, 8->3; other values match nothing)."""
    wanted = lookup({0: 2, 1: 2, 4: 5, 8: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return select_closest(match & visible, cat_attn_1_1)


def compute_num_attn_2_0(cat_mlp_0_1, num_attn_0_1, visible):
    """Layer 2, numerical head 0: sums `num_attn_0_1` over the positions whose `cat_mlp_0_1` is the value the
    query's `cat_mlp_0_1` asks for (0->4, 8->4; other values match nothing)."""
    wanted = lookup({0: 4, 8: 4}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_1[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_2_1(cat_attn_1_1, cat_mlp_0_0, visible):
    """Layer 2, numerical head 1: counts the positions whose `cat_mlp_0_0` is the value the query's
    `cat_attn_1_1` asks for (5->5, 8->15, 12->5, 13->15, 15->15; other values match nothing)."""
    wanted = lookup({5: 5, 8: 15, 12: 5, 13: 15, 15: 15}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_0[:, None, :] == wanted[cat_attn_1_1][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_2_0(cat_attn_1_1, cat_attn_2_1):
    """Layer 2, categorical MLP 0: a table over `cat_attn_1_1`, `cat_attn_2_1` (5 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_0"][cat_attn_1_1, cat_attn_2_1]


def compute_cat_mlp_2_1(cat_attn_2_1, cat_attn_2_0):
    """Layer 2, categorical MLP 1: a table over `cat_attn_2_1`, `cat_attn_2_0` (3 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_1"][cat_attn_2_1, cat_attn_2_0]


def compute_num_mlp_2_0(num_attn_2_1, num_attn_2_0):
    """Layer 2, numerical MLP 0: a table over `num_attn_2_1`, `num_attn_2_0` (5 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_0"][num_attn_2_1, num_attn_2_0]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, cat_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1):
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
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_mlp_1_0"][cat_mlp_1_0]
        + w["cat"]["cat_mlp_1_1"][cat_mlp_1_1]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["cat_mlp_2_1"][cat_mlp_2_1]
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
    cat_attn_0_0 = compute_cat_attn_0_0(tokens, positions, visible)
    cat_attn_0_1 = compute_cat_attn_0_1(positions, tokens, visible)
    num_attn_0_0 = compute_num_attn_0_0(tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(positions, tokens, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(cat_attn_0_1, tokens)
    cat_mlp_0_1 = compute_cat_mlp_0_1(cat_attn_0_1, tokens)
    cat_attn_1_0 = compute_cat_attn_1_0(cat_mlp_0_0, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(positions, cat_mlp_0_0, visible)
    num_attn_1_0 = compute_num_attn_1_0(positions, cat_mlp_0_0, num_attn_0_1, visible)
    num_attn_1_1 = compute_num_attn_1_1(cat_attn_0_0, num_attn_0_0, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0)
    cat_mlp_1_1 = compute_cat_mlp_1_1(cat_attn_1_1)
    cat_attn_2_0 = compute_cat_attn_2_0(cat_mlp_0_0, cat_mlp_0_1, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(cat_mlp_0_1, positions, cat_attn_1_1, visible)
    num_attn_2_0 = compute_num_attn_2_0(cat_mlp_0_1, num_attn_0_1, visible)
    num_attn_2_1 = compute_num_attn_2_1(cat_attn_1_1, cat_mlp_0_0, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(cat_attn_1_1, cat_attn_2_1)
    cat_mlp_2_1 = compute_cat_mlp_2_1(cat_attn_2_1, cat_attn_2_0)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_2_1, num_attn_2_0)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_mlp_1_0, cat_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_1_0, num_attn_1_1, num_attn_2_0, num_attn_2_1)
