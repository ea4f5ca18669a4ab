"""addition_hints: a Transformer Program extracted by tpjax.

Task: a + b with digit letters.
Model: 3 layers, 8+8 categorical+numerical heads, 4+4 MLPs.
From seed 1, epoch 250, source runs/ship/addition_hints.
Snapped model's test accuracy: 87.35%.

run(tokens) takes a whole input starting with "<s>" (at most 10 tokens) and returns one
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

VOCAB = ['<pad>', '<s>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', 'b', 'c']  # a token's id is its index
LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', '_']
N_CTX = 10
D_VAR = 15  # categorical variables take values 0 .. D_VAR - 1
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
    query's `positions` asks for (0->6, 1->5, 2->7, 3->2, 4->9, 5->6, 6->2, 7->2, 8->7, 9->4; other values
    match nothing)."""
    wanted = lookup({0: 6, 1: 5, 2: 7, 3: 2, 4: 9, 5: 6, 6: 2, 7: 2, 8: 7, 9: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(positions, tokens, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->5, 2->5, 3->2, 4->6, 5->7, 6->6, 7->2, 8->7, 9->7; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 5, 2: 5, 3: 2, 4: 6, 5: 7, 6: 6, 7: 2, 8: 7, 9: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_2(positions, tokens, visible):
    """Layer 0, categorical head 2: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->7, 1->2, 2->6, 3->7, 4->9, 5->2, 6->7, 7->2, 8->2, 9->7; other values
    match nothing)."""
    wanted = lookup({0: 7, 1: 2, 2: 6, 3: 7, 4: 9, 5: 2, 6: 7, 7: 2, 8: 2, 9: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_3(positions, tokens, visible):
    """Layer 0, categorical head 3: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->7, 2->6, 3->7, 4->2, 5->7, 6->3, 7->2, 8->7, 9->7; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 7, 2: 6, 3: 7, 4: 2, 5: 7, 6: 3, 7: 2, 8: 7, 9: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_4(positions, tokens, visible):
    """Layer 0, categorical head 4: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->2, 2->7, 3->6, 4->9, 5->2, 6->2, 7->7, 8->7, 9->2; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 2, 2: 7, 3: 6, 4: 9, 5: 2, 6: 2, 7: 7, 8: 7, 9: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_5(positions, tokens, visible):
    """Layer 0, categorical head 5: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->4, 2->6, 3->2, 4->5, 5->2, 6->5, 7->2, 8->7, 9->2; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 4, 2: 6, 3: 2, 4: 5, 5: 2, 6: 5, 7: 2, 8: 7, 9: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_6(positions, tokens, visible):
    """Layer 0, categorical head 6: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->7, 1->7, 2->2, 3->6, 4->9, 5->7, 6->2, 7->2, 8->2, 9->2; other values
    match nothing)."""
    wanted = lookup({0: 7, 1: 7, 2: 2, 3: 6, 4: 9, 5: 7, 6: 2, 7: 2, 8: 2, 9: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_7(positions, tokens, visible):
    """Layer 0, categorical head 7: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->2, 2->5, 3->2, 4->4, 5->2, 6->2, 7->7, 8->7, 9->2; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 2, 2: 5, 3: 2, 4: 4, 5: 2, 6: 2, 7: 7, 8: 7, 9: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(positions, tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `positions`
    asks for (1->'8', 3->'0', 5->'0', 6->'2', 7->'<s>', 8->'b', 9->'b'; other values match nothing)."""
    wanted = lookup({1: 10, 3: 2, 5: 2, 6: 4, 7: 1, 8: 13, 9: 13}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, visible):
    """Layer 0, numerical head 1: counts the positions whose `positions` equals the query's `positions` + 4,
    except that a query 0 matches 9 and a query 1 matches 3."""
    wanted = positions + 4
    wanted[positions == 0] = 9  # 0 matches 9
    wanted[positions == 1] = 3  # 1 matches 3
    match = positions[:, None, :] == wanted[:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_2(positions, tokens, visible):
    """Layer 0, numerical head 2: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'b', 1->'0', 3->'0', 4->'0', 5->'b', 6->'0', 7->'b', 8->'b', 9->'b'; other values match
    nothing)."""
    wanted = lookup({0: 13, 1: 2, 3: 2, 4: 2, 5: 13, 6: 2, 7: 13, 8: 13, 9: 13}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_3(positions, visible):
    """Layer 0, numerical head 3: counts the positions whose `positions` is the value the query's `positions`
    asks for (0->8, 1->6, 2->9, 3->8, 4->6, 5->8, 6->9, 7->9, 8->7; other values match nothing)."""
    wanted = lookup({0: 8, 1: 6, 2: 9, 3: 8, 4: 6, 5: 8, 6: 9, 7: 9, 8: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_4(tokens, visible):
    """Layer 0, numerical head 4: counts the positions whose `tokens` is the value the query's `tokens` asks
    for ('<s>'->'b', '0'->'8', '1'->'7', '2'->'6', '3'->'5', '4'->'4', '5'->'3', '6'->'2', '7'->'1', '8'->'0',
    '9'->'9', '+'->'b', 'c'->'2'; other values match nothing)."""
    wanted = lookup({1: 13, 2: 10, 3: 9, 4: 8, 5: 7, 6: 6, 7: 5, 8: 4, 9: 3, 10: 2, 11: 11, 12: 13, 14: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_5(positions, tokens, visible):
    """Layer 0, numerical head 5: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'b', 1->'b', 2->'c', 3->'b', 4->'1', 5->'9', 6->'9', 7->'0'; other values match nothing)."""
    wanted = lookup({0: 13, 1: 13, 2: 14, 3: 13, 4: 3, 5: 11, 6: 11, 7: 2}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_6(positions, tokens, visible):
    """Layer 0, numerical head 6: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'b', 1->'9', 2->'4', 3->'0', 4->'6', 5->'1', 6->'1', 7->'c', 8->'b', 9->'b'; other values
    match nothing)."""
    wanted = lookup({0: 13, 1: 11, 2: 6, 3: 2, 4: 8, 5: 3, 6: 3, 7: 14, 8: 13, 9: 13}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_7(tokens, visible):
    """Layer 0, numerical head 7: counts the positions whose `tokens` is the value the query's `tokens` asks
    for ('<s>'->'9', '0'->'2', '1'->'9', '2'->'8', '3'->'7', '4'->'6', '5'->'5', '6'->'4', '7'->'3', '8'->'2',
    '9'->'1', '+'->'7', 'b'->'8', 'c'->'9'; other values match nothing)."""
    wanted = lookup({1: 11, 2: 4, 3: 11, 4: 10, 5: 9, 6: 8, 7: 7, 8: 6, 9: 5, 10: 4, 11: 3, 12: 9, 13: 10, 14: 11}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(positions, tokens):
    """Layer 0, categorical MLP 0: a table over `positions`, `tokens` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_0_0"][positions, tokens]


def compute_cat_mlp_0_1(positions, cat_attn_0_4):
    """Layer 0, categorical MLP 1: a table over `positions`, `cat_attn_0_4` (8 output values, in tables.json)."""
    return TABLES["cat_mlp_0_1"][positions, cat_attn_0_4]


def compute_cat_mlp_0_2(positions, cat_attn_0_2):
    """Layer 0, categorical MLP 2: a table over `positions`, `cat_attn_0_2` (6 output values, in tables.json)."""
    return TABLES["cat_mlp_0_2"][positions, cat_attn_0_2]


def compute_cat_mlp_0_3(cat_attn_0_4, positions):
    """Layer 0, categorical MLP 3: a table over `cat_attn_0_4`, `positions` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_0_3"][cat_attn_0_4, positions]


def compute_cat_attn_1_0(tokens, positions, cat_mlp_0_2, visible):
    """Layer 1, categorical head 0: `cat_mlp_0_2` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->5, '0'->2, '1'->2, '2'->2, '4'->1, '5'->1, '6'->1, '7'->2, '8'->5,
    '9'->5, '+'->2, 'b'->7, 'c'->2; other values match nothing)."""
    wanted = lookup({1: 5, 2: 2, 3: 2, 4: 2, 6: 1, 7: 1, 8: 1, 9: 2, 10: 5, 11: 5, 12: 2, 13: 7, 14: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_mlp_0_2)


def compute_cat_attn_1_1(tokens, positions, cat_attn_0_5, visible):
    """Layer 1, categorical head 1: `cat_attn_0_5` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->8, '0'->8, '1'->8, '2'->8, '3'->3, '4'->7, '5'->0, '6'->8, '7'->7,
    '8'->0, '9'->8, '+'->4, 'b'->8, 'c'->9; other values match nothing)."""
    wanted = lookup({1: 8, 2: 8, 3: 8, 4: 8, 5: 3, 6: 7, 7: 0, 8: 8, 9: 7, 10: 0, 11: 8, 12: 4, 13: 8, 14: 9}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_5)


def compute_cat_attn_1_2(tokens, positions, cat_attn_0_1, visible):
    """Layer 1, categorical head 2: `cat_attn_0_1` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->9, '0'->8, '1'->2, '2'->2, '3'->9, '4'->8, '5'->7, '6'->8, '7'->8,
    '8'->8, '9'->9, '+'->2, 'b'->2, 'c'->2; other values match nothing)."""
    wanted = lookup({1: 9, 2: 8, 3: 2, 4: 2, 5: 9, 6: 8, 7: 7, 8: 8, 9: 8, 10: 8, 11: 9, 12: 2, 13: 2, 14: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_1)


def compute_cat_attn_1_3(positions, cat_attn_0_0, visible):
    """Layer 1, categorical head 3: `cat_attn_0_0` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->2, 1->4, 2->8, 3->9, 4->8, 5->4, 6->2, 7->2, 8->0, 9->7; other values
    match nothing)."""
    wanted = lookup({0: 2, 1: 4, 2: 8, 3: 9, 4: 8, 5: 4, 6: 2, 7: 2, 8: 0, 9: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_0_0)


def compute_cat_attn_1_4(cat_attn_0_3, positions, cat_mlp_0_1, visible):
    """Layer 1, categorical head 4: `cat_mlp_0_1` at the nearest position whose `positions` is the value the
    query's `cat_attn_0_3` asks for (2->4, 3->4, 4->5, 5->5, 6->0, 7->0, 8->8, 9->7, 10->4, 12->8, 13->7,
    14->4; other values match nothing)."""
    wanted = lookup({2: 4, 3: 4, 4: 5, 5: 5, 6: 0, 7: 0, 8: 8, 9: 7, 10: 4, 12: 8, 13: 7, 14: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return select_closest(match & visible, cat_mlp_0_1)


def compute_cat_attn_1_5(tokens, positions, cat_attn_0_7, visible):
    """Layer 1, categorical head 5: `cat_attn_0_7` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->5, '0'->8, '1'->8, '2'->8, '3'->2, '4'->9, '6'->7, '7'->7, '8'->7,
    '9'->7, '+'->1, 'b'->0, 'c'->9; other values match nothing)."""
    wanted = lookup({1: 5, 2: 8, 3: 8, 4: 8, 5: 2, 6: 9, 8: 7, 9: 7, 10: 7, 11: 7, 12: 1, 13: 0, 14: 9}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_7)


def compute_cat_attn_1_6(positions, cat_attn_0_6, visible):
    """Layer 1, categorical head 6: `cat_attn_0_6` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->7, 1->5, 2->9, 3->8, 4->5, 5->0, 6->2, 7->1, 8->9, 9->7; other values
    match nothing)."""
    wanted = lookup({0: 7, 1: 5, 2: 9, 3: 8, 4: 5, 5: 0, 6: 2, 7: 1, 8: 9, 9: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_0_6)


def compute_cat_attn_1_7(positions, cat_attn_0_4, visible):
    """Layer 1, categorical head 7: `cat_attn_0_4` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->9, 1->4, 2->7, 3->4, 4->8, 5->4, 6->4, 7->2, 8->1, 9->2; other values
    match nothing)."""
    wanted = lookup({0: 9, 1: 4, 2: 7, 3: 4, 4: 8, 5: 4, 6: 4, 7: 2, 8: 1, 9: 2}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_0_4)


def compute_num_attn_1_0(positions, cat_mlp_0_2, num_attn_0_3, visible):
    """Layer 1, numerical head 0: sums `num_attn_0_3` over the positions whose `cat_mlp_0_2` is the value the
    query's `positions` asks for (0->13, 1->9, 2->9, 3->2, 5->9, 6->2, 7->14, 8->9, 9->14; other values match
    nothing)."""
    wanted = lookup({0: 13, 1: 9, 2: 9, 3: 2, 5: 9, 6: 2, 7: 14, 8: 9, 9: 14}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_2[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_num_attn_1_1(cat_attn_0_3, cat_attn_0_2, num_attn_0_2, visible):
    """Layer 1, numerical head 1: sums `num_attn_0_2` over the positions whose `cat_attn_0_2` is the value the
    query's `cat_attn_0_3` asks for (1->12, 2->14, 3->1, 4->11, 5->10, 6->9, 7->8, 8->7, 9->6, 10->5, 11->4,
    12->10, 13->10; other values match nothing)."""
    wanted = lookup({1: 12, 2: 14, 3: 1, 4: 11, 5: 10, 6: 9, 7: 8, 8: 7, 9: 6, 10: 5, 11: 4, 12: 10, 13: 10}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_2[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_num_attn_1_2(positions, cat_mlp_0_2, num_attn_0_3, visible):
    """Layer 1, numerical head 2: sums `num_attn_0_3` over the positions whose `cat_mlp_0_2` is the value the
    query's `positions` asks for (0->9, 1->2, 2->9, 3->9, 4->4, 6->11; other values match nothing)."""
    wanted = lookup({0: 9, 1: 2, 2: 9, 3: 9, 4: 4, 6: 11}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_2[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_num_attn_1_3(cat_attn_0_3, cat_mlp_0_2, num_attn_0_7, visible):
    """Layer 1, numerical head 3: sums `num_attn_0_7` over the positions whose `cat_mlp_0_2` is the value the
    query's `cat_attn_0_3` asks for (3->9, 4->9, 5->9, 6->9, 10->4, 12->9, 13->9; other values match nothing)."""
    wanted = lookup({3: 9, 4: 9, 5: 9, 6: 9, 10: 4, 12: 9, 13: 9}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_2[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return np.sum((match & visible) * num_attn_0_7[:, None, :], axis=2)


def compute_num_attn_1_4(tokens, num_attn_0_0, visible):
    """Layer 1, numerical head 4: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'b', '0'->'9', '1'->'8', '2'->'7', '3'->'6', '4'->'5', '5'->'4',
    '6'->'3', '7'->'2', '8'->'1', '9'->'0', '+'->'3', 'b'->'<s>', 'c'->'6'; other values match nothing)."""
    wanted = lookup({1: 13, 2: 11, 3: 10, 4: 9, 5: 8, 6: 7, 7: 6, 8: 5, 9: 4, 10: 3, 11: 2, 12: 5, 13: 1, 14: 8}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_5(positions, cat_attn_0_1, num_attn_0_1, visible):
    """Layer 1, numerical head 5: sums `num_attn_0_1` over the positions whose `cat_attn_0_1` is the value the
    query's `positions` asks for (0->9, 1->13, 2->5, 3->2, 4->10, 5->4, 6->2, 7->13, 8->10, 9->12; other
    values match nothing)."""
    wanted = lookup({0: 9, 1: 13, 2: 5, 3: 2, 4: 10, 5: 4, 6: 2, 7: 13, 8: 10, 9: 12}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_1[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_1[:, None, :], axis=2)


def compute_num_attn_1_6(tokens, num_attn_0_0, visible):
    """Layer 1, numerical head 6: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'8', '0'->'6', '1'->'5', '2'->'4', '3'->'3', '4'->'2', '5'->'1',
    '6'->'0', '7'->'9', '8'->'8', '9'->'7', '+'->'4', 'c'->'8'; other values match nothing)."""
    wanted = lookup({1: 10, 2: 8, 3: 7, 4: 6, 5: 5, 6: 4, 7: 3, 8: 2, 9: 11, 10: 10, 11: 9, 12: 6, 14: 10}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_7(positions, tokens, num_attn_0_3, visible):
    """Layer 1, numerical head 7: sums `num_attn_0_3` over the positions whose `tokens` is the value the
    query's `positions` asks for (0->'7', 1->'c', 2->'4', 3->'7', 4->'2', 5->'0', 7->'4', 8->'3', 9->'2';
    other values match nothing)."""
    wanted = lookup({0: 9, 1: 14, 2: 6, 3: 9, 4: 4, 5: 2, 7: 6, 8: 5, 9: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_cat_mlp_1_1(cat_attn_0_4, cat_attn_1_2):
    """Layer 1, categorical MLP 1: a table over `cat_attn_0_4`, `cat_attn_1_2` (3 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_1"][cat_attn_0_4, cat_attn_1_2]


def compute_cat_mlp_1_2(cat_attn_1_5, positions):
    """Layer 1, categorical MLP 2: a table over `cat_attn_1_5`, `positions` (7 output values, in tables.json)."""
    return TABLES["cat_mlp_1_2"][cat_attn_1_5, positions]


def compute_cat_mlp_1_3(cat_attn_1_1, cat_attn_1_4):
    """Layer 1, categorical MLP 3: a table over `cat_attn_1_1`, `cat_attn_1_4` (4 output values, in
    tables.json)."""
    return TABLES["cat_mlp_1_3"][cat_attn_1_1, cat_attn_1_4]


def compute_cat_attn_2_0(cat_mlp_0_1, positions, cat_attn_1_2, visible):
    """Layer 2, categorical head 0: `cat_attn_1_2` at the nearest position whose `positions` is the value the
    query's `cat_mlp_0_1` asks for (1->4, 3->8, 4->5, 5->4, 10->4, 11->1, 13->8, 14->7; other values match
    nothing)."""
    wanted = lookup({1: 4, 3: 8, 4: 5, 5: 4, 10: 4, 11: 1, 13: 8, 14: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return select_closest(match & visible, cat_attn_1_2)


def compute_cat_attn_2_1(tokens, cat_mlp_0_1, visible):
    """Layer 2, categorical head 1: `cat_mlp_0_1` at the nearest position whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'3', '0'->'2', '1'->'b', '2'->'0', '3'->'9', '4'->'8', '5'->'7',
    '6'->'6', '7'->'5', '8'->'4', '9'->'3', '+'->'3', 'b'->'7', 'c'->'+'; other values match nothing)."""
    wanted = lookup({1: 5, 2: 4, 3: 13, 4: 2, 5: 11, 6: 10, 7: 9, 8: 8, 9: 7, 10: 6, 11: 5, 12: 5, 13: 9, 14: 12}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_mlp_0_1)


def compute_cat_attn_2_2(cat_attn_0_3, positions, cat_attn_1_4, visible):
    """Layer 2, categorical head 2: `cat_attn_1_4` at the nearest position whose `positions` is the value the
    query's `cat_attn_0_3` asks for (1->9, 2->8, 3->7, 4->6, 5->2, 6->7, 7->2, 8->2, 9->2, 10->2, 12->7,
    13->7, 14->7; other values match nothing)."""
    wanted = lookup({1: 9, 2: 8, 3: 7, 4: 6, 5: 2, 6: 7, 7: 2, 8: 2, 9: 2, 10: 2, 12: 7, 13: 7, 14: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return select_closest(match & visible, cat_attn_1_4)


def compute_cat_attn_2_3(tokens, positions, cat_attn_0_1, visible):
    """Layer 2, categorical head 3: `cat_attn_0_1` at the nearest position whose `positions` is the value the
    query's `tokens` asks for ('<s>'->2, '0'->9, '1'->5, '2'->7, '3'->4, '4'->6, '5'->6, '6'->1, '7'->2,
    '8'->1, '9'->2, '+'->2, 'b'->2, 'c'->7; other values match nothing)."""
    wanted = lookup({1: 2, 2: 9, 3: 5, 4: 7, 5: 4, 6: 6, 7: 6, 8: 1, 9: 2, 10: 1, 11: 2, 12: 2, 13: 2, 14: 7}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_1)


def compute_cat_attn_2_4(tokens, cat_attn_0_0, visible):
    """Layer 2, categorical head 4: `cat_attn_0_0` at the nearest position whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'0', '0'->'8', '1'->'8', '2'->'8', '3'->'8', '4'->'<s>', '5'->'<s>',
    '6'->'b', '7'->'9', '8'->'8', '9'->'7', '+'->'8', 'b'->'8', 'c'->'8'; other values match nothing)."""
    wanted = lookup({1: 2, 2: 10, 3: 10, 4: 10, 5: 10, 6: 1, 7: 1, 8: 13, 9: 11, 10: 10, 11: 9, 12: 10, 13: 10, 14: 10}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, cat_attn_0_0)


def compute_cat_attn_2_5(cat_attn_1_6, cat_mlp_0_0, tokens, visible):
    """Layer 2, categorical head 5: `tokens` at the nearest position whose `cat_mlp_0_0` is the value the
    query's `cat_attn_1_6` asks for (1->2, 5->14, 9->2, 10->2, 13->13, 14->2; other values match nothing)."""
    wanted = lookup({1: 2, 5: 14, 9: 2, 10: 2, 13: 13, 14: 2}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_0[:, None, :] == wanted[cat_attn_1_6][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_2_6(cat_attn_0_3, positions, cat_mlp_1_2, visible):
    """Layer 2, categorical head 6: `cat_mlp_1_2` at the nearest position whose `positions` is the value the
    query's `cat_attn_0_3` asks for (1->5, 2->4, 3->4, 4->4, 5->8, 6->0, 7->0, 8->0, 9->3, 10->0, 12->5,
    13->0, 14->4; other values match nothing)."""
    wanted = lookup({1: 5, 2: 4, 3: 4, 4: 4, 5: 8, 6: 0, 7: 0, 8: 0, 9: 3, 10: 0, 12: 5, 13: 0, 14: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return select_closest(match & visible, cat_mlp_1_2)


def compute_cat_attn_2_7(positions, tokens, cat_attn_0_0, visible):
    """Layer 2, categorical head 7: `cat_attn_0_0` at the nearest position whose `tokens` is '9', except that
    a query 6 matches '0' and a query 9 matches '0'."""
    wanted = np.full_like(positions, 11)
    wanted[positions == 6] = 2  # 6 matches '0'
    wanted[positions == 9] = 2  # 9 matches '0'
    match = tokens[:, None, :] == wanted[:, :, None]
    return select_closest(match & visible, cat_attn_0_0)


def compute_num_attn_2_0(tokens, cat_attn_0_3, num_attn_0_7, visible):
    """Layer 2, numerical head 0: sums `num_attn_0_7` over the positions whose `cat_attn_0_3` is the value the
    query's `tokens` asks for ('<s>'->9, '0'->8, '1'->7, '2'->6, '3'->8, '4'->4, '5'->3, '6'->2, '8'->2,
    '+'->9, 'b'->12, 'c'->7; other values match nothing)."""
    wanted = lookup({1: 9, 2: 8, 3: 7, 4: 6, 5: 8, 6: 4, 7: 3, 8: 2, 10: 2, 12: 9, 13: 12, 14: 7}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_3[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_7[:, None, :], axis=2)


def compute_num_attn_2_1(tokens, num_attn_0_7, visible):
    """Layer 2, numerical head 1: sums `num_attn_0_7` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'1', '0'->'1', '2'->'0', '3'->'0', '4'->'2', '5'->'7', '6'->'3',
    '7'->'2', '8'->'1', '9'->'6', '+'->'0', 'b'->'0', 'c'->'5'; other values match nothing)."""
    wanted = lookup({1: 3, 2: 3, 4: 2, 5: 2, 6: 4, 7: 9, 8: 5, 9: 4, 10: 3, 11: 8, 12: 2, 13: 2, 14: 7}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_7[:, None, :], axis=2)


def compute_num_attn_2_2(cat_attn_0_3, cat_attn_1_6, num_attn_1_3, visible):
    """Layer 2, numerical head 2: sums `num_attn_1_3` over the positions whose `cat_attn_1_6` is the value the
    query's `cat_attn_0_3` asks for (1->12, 2->5, 3->11, 4->10, 5->9, 6->8, 7->8, 8->6, 9->5, 10->4, 11->3,
    12->9, 13->13, 14->13; other values match nothing)."""
    wanted = lookup({1: 12, 2: 5, 3: 11, 4: 10, 5: 9, 6: 8, 7: 8, 8: 6, 9: 5, 10: 4, 11: 3, 12: 9, 13: 13, 14: 13}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_1_6[:, None, :] == wanted[cat_attn_0_3][:, :, None]
    return np.sum((match & visible) * num_attn_1_3[:, None, :], axis=2)


def compute_num_attn_2_3(tokens, num_attn_0_0, visible):
    """Layer 2, numerical head 3: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'1', '0'->'7', '1'->'6', '2'->'5', '3'->'4', '4'->'3', '5'->'2',
    '6'->'1', '7'->'0', '8'->'9', '9'->'8', '+'->'0', 'c'->'9'; other values match nothing)."""
    wanted = lookup({1: 3, 2: 9, 3: 8, 4: 7, 5: 6, 6: 5, 7: 4, 8: 3, 9: 2, 10: 11, 11: 10, 12: 2, 14: 11}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_2_4(tokens, num_attn_0_0, visible):
    """Layer 2, numerical head 4: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'1', '0'->'4', '1'->'3', '2'->'2', '3'->'1', '4'->'0', '5'->'9',
    '6'->'8', '7'->'7', '8'->'6', '9'->'5', '+'->'0', 'c'->'<s>'; other values match nothing)."""
    wanted = lookup({1: 3, 2: 6, 3: 5, 4: 4, 5: 3, 6: 2, 7: 11, 8: 10, 9: 9, 10: 8, 11: 7, 12: 2, 14: 1}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_2_5(positions, cat_mlp_0_2, num_attn_0_3, visible):
    """Layer 2, numerical head 5: sums `num_attn_0_3` over the positions whose `cat_mlp_0_2` is the value the
    query's `positions` asks for (0->9, 1->9, 2->9, 4->4, 5->2; other values match nothing)."""
    wanted = lookup({0: 9, 1: 9, 2: 9, 4: 4, 5: 2}, fill=-1)  # query value -> the key value it matches
    match = cat_mlp_0_2[:, None, :] == wanted[positions][:, :, None]
    return np.sum((match & visible) * num_attn_0_3[:, None, :], axis=2)


def compute_num_attn_2_6(tokens, cat_attn_0_3, num_attn_0_7, visible):
    """Layer 2, numerical head 6: sums `num_attn_0_7` over the positions whose `cat_attn_0_3` is the value the
    query's `tokens` asks for ('<s>'->10, '0'->10, '1'->9, '2'->8, '3'->7, '4'->6, '5'->5, '6'->4, '7'->3,
    '8'->2, '+'->11, 'b'->1, 'c'->4; other values match nothing)."""
    wanted = lookup({1: 10, 2: 10, 3: 9, 4: 8, 5: 7, 6: 6, 7: 5, 8: 4, 9: 3, 10: 2, 12: 11, 13: 1, 14: 4}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_3[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_7[:, None, :], axis=2)


def compute_num_attn_2_7(tokens, num_attn_0_0, visible):
    """Layer 2, numerical head 7: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `tokens` asks for ('<s>'->'b', '0'->'5', '1'->'4', '2'->'3', '3'->'2', '4'->'1', '5'->'0',
    '6'->'9', '7'->'8', '8'->'7', '9'->'6', 'b'->'<s>', 'c'->'7'; other values match nothing)."""
    wanted = lookup({1: 13, 2: 7, 3: 6, 4: 5, 5: 4, 6: 3, 7: 2, 8: 11, 9: 10, 10: 9, 11: 8, 13: 1, 14: 9}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_cat_mlp_2_0(cat_attn_0_6, cat_attn_1_4):
    """Layer 2, categorical MLP 0: a table over `cat_attn_0_6`, `cat_attn_1_4` (2 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_0"][cat_attn_0_6, cat_attn_1_4]


def compute_cat_mlp_2_2(cat_attn_1_7, cat_attn_0_3):
    """Layer 2, categorical MLP 2: a table over `cat_attn_1_7`, `cat_attn_0_3` (11 output values, in
    tables.json)."""
    return TABLES["cat_mlp_2_2"][cat_attn_1_7, cat_attn_0_3]


def compute_num_mlp_2_0(num_attn_1_3, num_attn_2_2):
    """Layer 2, numerical MLP 0: a table over `num_attn_1_3`, `num_attn_2_2` (3 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_0"][num_attn_1_3, num_attn_2_2]


def compute_num_mlp_2_2(num_attn_2_2, num_attn_1_4):
    """Layer 2, numerical MLP 2: a table over `num_attn_2_2`, `num_attn_1_4` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_2"][num_attn_2_2, num_attn_1_4]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_attn_0_4, cat_attn_0_5, cat_attn_0_6, cat_attn_0_7, cat_mlp_0_0, cat_mlp_0_1, cat_mlp_0_2, cat_mlp_0_3, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_attn_1_4, cat_attn_1_5, cat_attn_1_6, cat_attn_1_7, cat_mlp_1_1, cat_mlp_1_2, cat_mlp_1_3, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_attn_2_4, cat_attn_2_5, cat_attn_2_6, cat_attn_2_7, cat_mlp_2_0, cat_mlp_2_2, num_mlp_2_0, num_mlp_2_2, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_0_4, num_attn_0_5, num_attn_0_6, num_attn_0_7, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_1_4, num_attn_1_5, num_attn_1_6, num_attn_1_7, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3, num_attn_2_4, num_attn_2_5, num_attn_2_6, num_attn_2_7):
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
        + w["cat"]["cat_attn_0_4"][cat_attn_0_4]
        + w["cat"]["cat_attn_0_5"][cat_attn_0_5]
        + w["cat"]["cat_attn_0_6"][cat_attn_0_6]
        + w["cat"]["cat_attn_0_7"][cat_attn_0_7]
        + w["cat"]["cat_mlp_0_0"][cat_mlp_0_0]
        + w["cat"]["cat_mlp_0_1"][cat_mlp_0_1]
        + w["cat"]["cat_mlp_0_2"][cat_mlp_0_2]
        + w["cat"]["cat_mlp_0_3"][cat_mlp_0_3]
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
        + w["cat"]["cat_attn_1_1"][cat_attn_1_1]
        + w["cat"]["cat_attn_1_2"][cat_attn_1_2]
        + w["cat"]["cat_attn_1_3"][cat_attn_1_3]
        + w["cat"]["cat_attn_1_4"][cat_attn_1_4]
        + w["cat"]["cat_attn_1_5"][cat_attn_1_5]
        + w["cat"]["cat_attn_1_6"][cat_attn_1_6]
        + w["cat"]["cat_attn_1_7"][cat_attn_1_7]
        + w["cat"]["cat_mlp_1_1"][cat_mlp_1_1]
        + w["cat"]["cat_mlp_1_2"][cat_mlp_1_2]
        + w["cat"]["cat_mlp_1_3"][cat_mlp_1_3]
        + w["cat"]["cat_attn_2_0"][cat_attn_2_0]
        + w["cat"]["cat_attn_2_1"][cat_attn_2_1]
        + w["cat"]["cat_attn_2_2"][cat_attn_2_2]
        + w["cat"]["cat_attn_2_3"][cat_attn_2_3]
        + w["cat"]["cat_attn_2_4"][cat_attn_2_4]
        + w["cat"]["cat_attn_2_5"][cat_attn_2_5]
        + w["cat"]["cat_attn_2_6"][cat_attn_2_6]
        + w["cat"]["cat_attn_2_7"][cat_attn_2_7]
        + w["cat"]["cat_mlp_2_0"][cat_mlp_2_0]
        + w["cat"]["cat_mlp_2_2"][cat_mlp_2_2]
        + w["cat"]["num_mlp_2_0"][num_mlp_2_0]
        + w["cat"]["num_mlp_2_2"][num_mlp_2_2]
        + num_attn_0_0[..., None] * w["num"]["num_attn_0_0"]
        + num_attn_0_1[..., None] * w["num"]["num_attn_0_1"]
        + num_attn_0_2[..., None] * w["num"]["num_attn_0_2"]
        + num_attn_0_3[..., None] * w["num"]["num_attn_0_3"]
        + num_attn_0_4[..., None] * w["num"]["num_attn_0_4"]
        + num_attn_0_5[..., None] * w["num"]["num_attn_0_5"]
        + num_attn_0_6[..., None] * w["num"]["num_attn_0_6"]
        + num_attn_0_7[..., None] * w["num"]["num_attn_0_7"]
        + num_attn_1_0[..., None] * w["num"]["num_attn_1_0"]
        + num_attn_1_1[..., None] * w["num"]["num_attn_1_1"]
        + num_attn_1_2[..., None] * w["num"]["num_attn_1_2"]
        + num_attn_1_3[..., None] * w["num"]["num_attn_1_3"]
        + num_attn_1_4[..., None] * w["num"]["num_attn_1_4"]
        + num_attn_1_5[..., None] * w["num"]["num_attn_1_5"]
        + num_attn_1_6[..., None] * w["num"]["num_attn_1_6"]
        + num_attn_1_7[..., None] * w["num"]["num_attn_1_7"]
        + num_attn_2_0[..., None] * w["num"]["num_attn_2_0"]
        + num_attn_2_1[..., None] * w["num"]["num_attn_2_1"]
        + num_attn_2_2[..., None] * w["num"]["num_attn_2_2"]
        + num_attn_2_3[..., None] * w["num"]["num_attn_2_3"]
        + num_attn_2_4[..., None] * w["num"]["num_attn_2_4"]
        + num_attn_2_5[..., None] * w["num"]["num_attn_2_5"]
        + num_attn_2_6[..., None] * w["num"]["num_attn_2_6"]
        + num_attn_2_7[..., None] * w["num"]["num_attn_2_7"]
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
    cat_attn_0_4 = compute_cat_attn_0_4(positions, tokens, visible)
    cat_attn_0_5 = compute_cat_attn_0_5(positions, tokens, visible)
    cat_attn_0_6 = compute_cat_attn_0_6(positions, tokens, visible)
    cat_attn_0_7 = compute_cat_attn_0_7(positions, tokens, visible)
    num_attn_0_0 = compute_num_attn_0_0(positions, tokens, visible)
    num_attn_0_1 = compute_num_attn_0_1(positions, visible)
    num_attn_0_2 = compute_num_attn_0_2(positions, tokens, visible)
    num_attn_0_3 = compute_num_attn_0_3(positions, visible)
    num_attn_0_4 = compute_num_attn_0_4(tokens, visible)
    num_attn_0_5 = compute_num_attn_0_5(positions, tokens, visible)
    num_attn_0_6 = compute_num_attn_0_6(positions, tokens, visible)
    num_attn_0_7 = compute_num_attn_0_7(tokens, visible)
    cat_mlp_0_0 = compute_cat_mlp_0_0(positions, tokens)
    cat_mlp_0_1 = compute_cat_mlp_0_1(positions, cat_attn_0_4)
    cat_mlp_0_2 = compute_cat_mlp_0_2(positions, cat_attn_0_2)
    cat_mlp_0_3 = compute_cat_mlp_0_3(cat_attn_0_4, positions)
    cat_attn_1_0 = compute_cat_attn_1_0(tokens, positions, cat_mlp_0_2, visible)
    cat_attn_1_1 = compute_cat_attn_1_1(tokens, positions, cat_attn_0_5, visible)
    cat_attn_1_2 = compute_cat_attn_1_2(tokens, positions, cat_attn_0_1, visible)
    cat_attn_1_3 = compute_cat_attn_1_3(positions, cat_attn_0_0, visible)
    cat_attn_1_4 = compute_cat_attn_1_4(cat_attn_0_3, positions, cat_mlp_0_1, visible)
    cat_attn_1_5 = compute_cat_attn_1_5(tokens, positions, cat_attn_0_7, visible)
    cat_attn_1_6 = compute_cat_attn_1_6(positions, cat_attn_0_6, visible)
    cat_attn_1_7 = compute_cat_attn_1_7(positions, cat_attn_0_4, visible)
    num_attn_1_0 = compute_num_attn_1_0(positions, cat_mlp_0_2, num_attn_0_3, visible)
    num_attn_1_1 = compute_num_attn_1_1(cat_attn_0_3, cat_attn_0_2, num_attn_0_2, visible)
    num_attn_1_2 = compute_num_attn_1_2(positions, cat_mlp_0_2, num_attn_0_3, visible)
    num_attn_1_3 = compute_num_attn_1_3(cat_attn_0_3, cat_mlp_0_2, num_attn_0_7, visible)
    num_attn_1_4 = compute_num_attn_1_4(tokens, num_attn_0_0, visible)
    num_attn_1_5 = compute_num_attn_1_5(positions, cat_attn_0_1, num_attn_0_1, visible)
    num_attn_1_6 = compute_num_attn_1_6(tokens, num_attn_0_0, visible)
    num_attn_1_7 = compute_num_attn_1_7(positions, tokens, num_attn_0_3, visible)
    cat_mlp_1_1 = compute_cat_mlp_1_1(cat_attn_0_4, cat_attn_1_2)
    cat_mlp_1_2 = compute_cat_mlp_1_2(cat_attn_1_5, positions)
    cat_mlp_1_3 = compute_cat_mlp_1_3(cat_attn_1_1, cat_attn_1_4)
    cat_attn_2_0 = compute_cat_attn_2_0(cat_mlp_0_1, positions, cat_attn_1_2, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(tokens, cat_mlp_0_1, visible)
    cat_attn_2_2 = compute_cat_attn_2_2(cat_attn_0_3, positions, cat_attn_1_4, visible)
    cat_attn_2_3 = compute_cat_attn_2_3(tokens, positions, cat_attn_0_1, visible)
    cat_attn_2_4 = compute_cat_attn_2_4(tokens, cat_attn_0_0, visible)
    cat_attn_2_5 = compute_cat_attn_2_5(cat_attn_1_6, cat_mlp_0_0, tokens, visible)
    cat_attn_2_6 = compute_cat_attn_2_6(cat_attn_0_3, positions, cat_mlp_1_2, visible)
    cat_attn_2_7 = compute_cat_attn_2_7(positions, tokens, cat_attn_0_0, visible)
    num_attn_2_0 = compute_num_attn_2_0(tokens, cat_attn_0_3, num_attn_0_7, visible)
    num_attn_2_1 = compute_num_attn_2_1(tokens, num_attn_0_7, visible)
    num_attn_2_2 = compute_num_attn_2_2(cat_attn_0_3, cat_attn_1_6, num_attn_1_3, visible)
    num_attn_2_3 = compute_num_attn_2_3(tokens, num_attn_0_0, visible)
    num_attn_2_4 = compute_num_attn_2_4(tokens, num_attn_0_0, visible)
    num_attn_2_5 = compute_num_attn_2_5(positions, cat_mlp_0_2, num_attn_0_3, visible)
    num_attn_2_6 = compute_num_attn_2_6(tokens, cat_attn_0_3, num_attn_0_7, visible)
    num_attn_2_7 = compute_num_attn_2_7(tokens, num_attn_0_0, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(cat_attn_0_6, cat_attn_1_4)
    cat_mlp_2_2 = compute_cat_mlp_2_2(cat_attn_1_7, cat_attn_0_3)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_1_3, num_attn_2_2)
    num_mlp_2_2 = compute_num_mlp_2_2(num_attn_2_2, num_attn_1_4)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_attn_0_4, cat_attn_0_5, cat_attn_0_6, cat_attn_0_7, cat_mlp_0_0, cat_mlp_0_1, cat_mlp_0_2, cat_mlp_0_3, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_attn_1_4, cat_attn_1_5, cat_attn_1_6, cat_attn_1_7, cat_mlp_1_1, cat_mlp_1_2, cat_mlp_1_3, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_attn_2_4, cat_attn_2_5, cat_attn_2_6, cat_attn_2_7, cat_mlp_2_0, cat_mlp_2_2, num_mlp_2_0, num_mlp_2_2, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_0_4, num_attn_0_5, num_attn_0_6, num_attn_0_7, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_1_4, num_attn_1_5, num_attn_1_6, num_attn_1_7, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3, num_attn_2_4, num_attn_2_5, num_attn_2_6, num_attn_2_7)
