"""dyck1: a Transformer Program extracted by tpjax.

Task: balance of () prefixes.
Model: 3 layers, 4+4 categorical+numerical heads, 1+1 MLPs.
From seed 0, epoch 250, source runs/ship/dyck1.
Snapped model's test accuracy: 99.35%.

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

VOCAB = ['<pad>', '<s>', '(', ')']  # a token's id is its index
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


def compute_cat_attn_0_0(positions, tokens, visible):
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->1, 1->1, 2->1, 3->12, 4->3, 5->13, 6->5, 7->8, 8->6, 9->13, 10->9, 11->9,
    12->10, 13->9, 14->13, 15->13; other values match nothing)."""
    wanted = lookup({0: 1, 1: 1, 2: 1, 3: 12, 4: 3, 5: 13, 6: 5, 7: 8, 8: 6, 9: 13, 10: 9, 11: 9, 12: 10, 13: 9, 14: 13, 15: 13}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(tokens, positions, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->10, '('->1, ')'->4; other values match nothing)."""
    wanted = lookup({1: 10, 2: 1, 3: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_2(tokens, positions, visible):
    """Layer 0, categorical head 2: `tokens` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->1, '('->1, ')'->2; other values match nothing)."""
    wanted = lookup({1: 1, 2: 1, 3: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_3(tokens, positions, visible):
    """Layer 0, categorical head 3: `tokens` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->1, '('->1, ')'->8; other values match nothing)."""
    wanted = lookup({1: 1, 2: 1, 3: 8}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(positions, tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `positions`
    asks for (1->')', 2->'<s>', 3->')', 4->')', 5->')', 6->')', 8->')'; other values match nothing)."""
    wanted = lookup({1: 3, 2: 1, 3: 3, 4: 3, 5: 3, 6: 3, 8: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` equals the query's `positions` + 2,
    except that a query 0 matches nothing."""
    wanted = positions + 2
    wanted[positions == 0] = -1  # 0 matches nothing
    match = tokens[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_2(positions, tokens, visible):
    """Layer 0, numerical head 2: counts the positions whose `tokens` is the value the query's `positions`
    asks for (1->')', 2->')', 3->')', 4->')', 5->')', 7->')', 9->'<s>'; other values match nothing)."""
    wanted = lookup({1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 7: 3, 9: 1}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_3(tokens, positions, visible):
    """Layer 0, numerical head 3: counts the positions whose `positions` is the value the query's `tokens`
    asks for ('<s>'->2, '('->2, ')'->14; other values match nothing)."""
    wanted = lookup({1: 2, 2: 2, 3: 14}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(cat_attn_0_3, cat_attn_0_0):
    """Layer 0, categorical MLP 0: a table over `cat_attn_0_3`, `cat_attn_0_0` (2 output values, in
    tables.json)."""
    return TABLES["cat_mlp_0_0"][cat_attn_0_3, cat_attn_0_0]


def compute_cat_attn_1_0(tokens, positions, cat_attn_0_2, visible):
    """Layer 1, categorical head 0: `cat_attn_0_2` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->1, '('->3, ')'->10; other values match nothing)."""
    wanted = lookup({1: 1, 2: 3, 3: 10}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_2)


def compute_cat_attn_1_1(cat_mlp_0_0, positions, cat_attn_0_3, visible):
    """Layer 1, categorical head 1: `cat_attn_0_3` at the nearest position whose `positions` is the value the
    query's `cat_mlp_0_0` asks for (3->11, 6->3; other values match nothing)."""
    wanted = lookup({3: 11, 6: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_mlp_0_0][:, :, None]
    return select_closest(match & visible, cat_attn_0_3)


def compute_cat_attn_1_2(positions, cat_attn_0_3, visible):
    """Layer 1, categorical head 2: `cat_attn_0_3` at the nearest position whose `positions` is 9."""
    match = positions[:, None, :] == 9
    return select_closest(match & visible, cat_attn_0_3)


def compute_cat_attn_1_3(positions, tokens, visible):
    """Layer 1, categorical head 3: `tokens` at the nearest position whose `positions` is 11."""
    match = positions[:, None, :] == 11
    return select_closest(match & visible, tokens)


def compute_num_attn_1_0(cat_attn_0_1, num_attn_0_2, visible):
    """Layer 1, numerical head 0: sums `num_attn_0_2` over the positions whose `cat_attn_0_1` is the value the
    query's `cat_attn_0_1` asks for (1->3, 2->3, 3->1; other values match nothing)."""
    wanted = lookup({1: 3, 2: 3, 3: 1}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_1[:, None, :] == wanted[cat_attn_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_num_attn_1_2(cat_attn_0_0, num_attn_0_0, visible):
    """Layer 1, numerical head 2: sums `num_attn_0_0` over the positions whose `cat_attn_0_0` is 3."""
    match = cat_attn_0_0[:, None, :] == 3
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_3(tokens, num_attn_0_2, visible):
    """Layer 1, numerical head 3: sums `num_attn_0_2` over the positions whose `tokens` is ')'."""
    match = tokens[:, None, :] == 3
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0):
    """Layer 1, categorical MLP 0: a table over `cat_attn_1_1`, `cat_attn_1_0` (2 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_0"][cat_attn_1_1, cat_attn_1_0]


def compute_cat_attn_2_0(positions, cat_attn_0_3, visible):
    """Layer 2, categorical head 0: `cat_attn_0_3` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->5, 1->1, 2->5, 3->2, 4->2, 5->3, 6->3, 7->3, 8->5, 9->5, 10->6, 11->10,
    12->11, 13->12, 14->13, 15->13; other values match nothing)."""
    wanted = lookup({0: 5, 1: 1, 2: 5, 3: 2, 4: 2, 5: 3, 6: 3, 7: 3, 8: 5, 9: 5, 10: 6, 11: 10, 12: 11, 13: 12, 14: 13, 15: 13}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_0_3)


def compute_cat_attn_2_1(tokens, positions, cat_attn_0_2, visible):
    """Layer 2, categorical head 1: `cat_attn_0_2` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->3, '('->2, ')'->3; other values match nothing)."""
    wanted = lookup({1: 3, 2: 2, 3: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_2)


def compute_cat_attn_2_2(cat_attn_1_2, positions, cat_attn_0_0, visible):
    """Layer 2, categorical head 2: `cat_attn_0_0` at the nearest position whose `positions` is the value the
    query's `cat_attn_1_2` asks for (1->1, 2->5, 3->3; other values match nothing)."""
    wanted = lookup({1: 1, 2: 5, 3: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_1_2][:, :, None]
    return select_closest(match & visible, cat_attn_0_0)


def compute_cat_attn_2_3(cat_mlp_0_0, positions, tokens, visible):
    """Layer 2, categorical head 3: `tokens` at the nearest position whose `positions` is the value the
    query's `cat_mlp_0_0` asks for (3->12, 6->10; other values match nothing)."""
    wanted = lookup({3: 12, 6: 10}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_mlp_0_0][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_2_1(cat_mlp_1_0, num_attn_0_3, visible):
    """Layer 2, numerical head 1: sums `num_attn_0_3` over the positions whose `cat_mlp_1_0` is 10."""
    match = cat_mlp_1_0[:, None, :] == 10
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_num_attn_2_2(cat_mlp_1_0, num_attn_0_2, visible):
    """Layer 2, numerical head 2: sums `num_attn_0_2` over the positions whose `cat_mlp_1_0` is 3."""
    match = cat_mlp_1_0[:, None, :] == 3
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_num_attn_2_3(cat_attn_1_1, positions, num_attn_0_3, visible):
    """Layer 2, numerical head 3: sums `num_attn_0_3` over the positions whose `positions` is the value the
    query's `cat_attn_1_1` asks for (1->2, 2->6, 3->10; other values match nothing)."""
    wanted = lookup({1: 2, 2: 6, 3: 10}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_1_1][:, :, None]
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_cat_mlp_2_0(cat_attn_0_1, cat_attn_0_3):
    """Layer 2, categorical MLP 0: a table over `cat_attn_0_1`, `cat_attn_0_3` (2 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_0"][cat_attn_0_1, cat_attn_0_3]


def compute_num_mlp_2_0(num_attn_2_3, num_attn_0_2):
    """Layer 2, numerical MLP 0: a table over `num_attn_2_3`, `num_attn_0_2` (3 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_0"][num_attn_2_3, num_attn_0_2]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_2, num_attn_1_3, num_attn_2_1, num_attn_2_2, num_attn_2_3):
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
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_attn_1_2"][cat_attn_1_2]
        + w["cat"]["cat_attn_1_3"][cat_attn_1_3]
        + w["cat"]["cat_mlp_1_0"][cat_mlp_1_0]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_attn_2_2"][cat_attn_2_2]
        + w["cat"]["cat_attn_2_3"][cat_attn_2_3]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["num_mlp_2_0"][num_mlp_2_0]
        + num_attn_0_0[..., None] * w["num"]["num_attn_0_0"]
        + num_attn_0_1[..., None] * w["num"]["num_attn_0_1"]
        + num_attn_0_2[..., None] * w["num"]["num_attn_0_2"]
        + num_attn_0_3[..., None] * w["num"]["num_attn_0_3"]
        + num_attn_1_0[..., None] * w["num"]["num_attn_1_0"]
        + num_attn_1_2[..., None] * w["num"]["num_attn_1_2"]
        + num_attn_1_3[..., None] * w["num"]["num_attn_1_3"]
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
    cat_attn_0_1 = compute_cat_attn_0_1(tokens, positions, visible)
    cat_attn_0_2 = compute_cat_attn_0_2(tokens, positions, visible)
    cat_attn_0_3 = compute_cat_attn_0_3(tokens, positions, visible)
    num_attn_0_0 = compute_num_attn_0_0(positions, tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(positions, tokens, visible)
    num_attn_0_2 = compute_num_attn_0_2(positions, tokens, visible)
    num_attn_0_3 = compute_num_attn_0_3(tokens, positions, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(cat_attn_0_3, cat_attn_0_0)
    cat_attn_1_0 = compute_cat_attn_1_0(tokens, positions, cat_attn_0_2, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(cat_mlp_0_0, positions, cat_attn_0_3, visible)
    cat_attn_1_2 = compute_cat_attn_1_2(positions, cat_attn_0_3, visible)
    cat_attn_1_3 = compute_cat_attn_1_3(positions, tokens, visible)
    num_attn_1_0 = compute_num_attn_1_0(cat_attn_0_1, num_attn_0_2, visible)
    num_attn_1_2 = compute_num_attn_1_2(cat_attn_0_0, num_attn_0_0, visible)
    num_attn_1_3 = compute_num_attn_1_3(tokens, num_attn_0_2, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(cat_attn_1_1, cat_attn_1_0)
    cat_attn_2_0 = compute_cat_attn_2_0(positions, cat_attn_0_3, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(tokens, positions, cat_attn_0_2, visible)
    cat_attn_2_2 = compute_cat_attn_2_2(cat_attn_1_2, positions, cat_attn_0_0, visible)
    cat_attn_2_3 = compute_cat_attn_2_3(cat_mlp_0_0, positions, tokens, visible)
    num_attn_2_1 = compute_num_attn_2_1(cat_mlp_1_0, num_attn_0_3, visible)
    num_attn_2_2 = compute_num_attn_2_2(cat_mlp_1_0, num_attn_0_2, visible)
    num_attn_2_3 = compute_num_attn_2_3(cat_attn_1_1, positions, num_attn_0_3, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(cat_attn_0_1, cat_attn_0_3)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_2_3, num_attn_0_2)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, num_mlp_2_0, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_2, num_attn_1_3, num_attn_2_1, num_attn_2_2, num_attn_2_3)
