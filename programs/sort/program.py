"""sort: a Transformer Program extracted by tpjax.

Task: sort the body.
Model: 3 layers, 4+4 categorical+numerical heads, 2+2 MLPs.
From seed 0, epoch 250, source runs/ship/sort.
Snapped model's test accuracy: 100.00%.

run(tokens) takes a whole input starting with "<s>" (at most 8 tokens) and returns one
label per position. Variables hold one integer per position: token ids (VOCAB), positions, counts, or
the output of the function compute_<name> below.
"""


import json
import pathlib

import numpy as np

VOCAB = [
    '<pad>',  # 0
    '<s>',  # 1
    '</s>',  # 2
    '0',  # 3
    '1',  # 4
    '2',  # 5
    '3',  # 6
    '4',  # 7
]
TOKEN_IDS = {t: i for i, t in enumerate(VOCAB) if i > 0}
LABELS = ['0', '1', '2', '3', '4']
N_CTX = 8
D_VAR = 8  # categorical variables take values 0 .. D_VAR - 1


def _load_tables() -> dict:
    """MLP tables and classifier weights, as integer arrays, from tables.json next to this file."""
    raw = json.loads(pathlib.Path(__file__).with_name("tables.json").read_text())
    arrays = lambda x: {k: arrays(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x, np.int64)  # noqa: E731
    return arrays(raw)


TABLES = _load_tables()


def run(tokens: list[str]) -> list[str]:
    """One predicted label per position of `tokens`, a whole input that starts with "<s>"."""
    return run_batch([tokens])[0]


def run_batch(batch: list[list[str]]) -> list[list[str]]:
    """`run` for many inputs at once."""
    labels = predict(encode(batch))
    return [[LABELS[c] for c in row[: len(tokens)]] for row, tokens in zip(labels, batch)]


def encode(batch: list[list[str]]) -> np.ndarray:
    """Token ids (B, T), padded with 0; ValueError naming the first problem found."""
    if not batch:
        raise ValueError("no inputs given")
    ids = np.zeros((len(batch), max(len(tokens) for tokens in batch)), np.int64)
    for i, tokens in enumerate(batch):
        if isinstance(tokens, str):
            raise ValueError(f"input {i} is a string; give a list of tokens such as {['<s>'] + VOCAB[2:4]}")
        if not tokens or tokens[0] != "<s>":
            raise ValueError(f"input {i} must start with '<s>' (BOS), got {list(tokens[:1])}")
        if len(tokens) > N_CTX:
            raise ValueError(f"input {i} has {len(tokens)} tokens; the context holds at most {N_CTX}")
        for j, token in enumerate(tokens):
            if token not in TOKEN_IDS:
                raise ValueError(f"unknown token {token!r} at position {j} of input {i}; the vocabulary is {VOCAB[1:]}")
            ids[i, j] = TOKEN_IDS[token]
    return ids


def visible_keys(tokens: np.ndarray) -> np.ndarray:
    """(B, Q, K): the key positions a query may attend to: real tokens."""
    real = tokens != 0
    visible = real[:, :, None] & real[:, None, :]
    return visible


def select_closest(match: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (B, K) at the key each query picks among its matches (B, Q, K): the nearest one, the earlier
    one on equal distance, the query itself only when nothing else matches, position 0 (BOS) when none."""
    n = match.shape[-1]
    q, k = np.arange(n)[:, None], np.arange(n)[None, :]
    priority = np.where(k == q, -4 * n, -2 * np.abs(q - k) + (k < q))
    chosen = np.where(match.any(-1), np.where(match, priority, -8 * n).argmax(-1), 0)
    return np.take_along_axis(values, chosen, axis=1)


def lookup(mapping: dict, fill: int, size: int = D_VAR) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`size` values, `fill` where not given)."""
    table = np.full(size, fill)
    table[list(mapping)] = list(mapping.values())
    return table


def compute_cat_attn_0_0(positions, tokens, visible):
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'2', 1->'0', 2->'1', 3->'1', 4->'4', 5->'3', 6->'3', 7->'2'; other values match
    nothing)."""
    wanted = lookup({0: 5, 1: 3, 2: 4, 3: 4, 4: 7, 5: 6, 6: 6, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_1(positions, tokens, visible):
    """Layer 0, categorical head 1: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'0', 1->'0', 2->'3', 3->'4', 4->'4', 5->'4', 6->'4', 7->'1'; other values match
    nothing)."""
    wanted = lookup({0: 3, 1: 3, 2: 6, 3: 7, 4: 7, 5: 7, 6: 7, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_2(positions, tokens, visible):
    """Layer 0, categorical head 2: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'0', 1->'0', 2->'3', 3->'1', 4->'1', 5->'3', 6->'2', 7->'1'; other values match
    nothing)."""
    wanted = lookup({0: 3, 1: 3, 2: 6, 3: 4, 4: 4, 5: 6, 6: 5, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_0_3(positions, tokens, visible):
    """Layer 0, categorical head 3: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (0->'3', 1->'0', 2->'1', 3->'4', 4->'4', 5->'4', 6->'4', 7->'1'; other values match
    nothing)."""
    wanted = lookup({0: 6, 1: 3, 2: 4, 3: 7, 4: 7, 5: 7, 6: 7, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_num_attn_0_0(positions, tokens, visible):
    """Layer 0, numerical head 0: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'2', 1->'1', 2->'0', 3->'0', 4->'</s>', 5->'1', 6->'2', 7->'1'; other values match nothing)."""
    wanted = lookup({0: 5, 1: 4, 2: 3, 3: 3, 4: 2, 5: 4, 6: 5, 7: 4}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_1(positions, tokens, visible):
    """Layer 0, numerical head 1: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'1', 1->'1', 2->'2', 3->'2', 4->'2', 5->'0', 7->'0'; other values match nothing)."""
    wanted = lookup({0: 4, 1: 4, 2: 5, 3: 5, 4: 5, 5: 3, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_2(positions, tokens, visible):
    """Layer 0, numerical head 2: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'2', 1->'1', 2->'1', 3->'3', 4->'3', 5->'3', 6->'3', 7->'0'; other values match nothing)."""
    wanted = lookup({0: 5, 1: 4, 2: 4, 3: 6, 4: 6, 5: 6, 6: 6, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_num_attn_0_3(positions, tokens, visible):
    """Layer 0, numerical head 3: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'1', 1->'0', 2->'</s>', 3->'3', 4->'3', 5->'2', 6->'0', 7->'2'; other values match nothing)."""
    wanted = lookup({0: 4, 1: 3, 2: 2, 3: 6, 4: 6, 5: 5, 6: 3, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_0_0(positions):
    """Layer 0, categorical MLP 0: a table over `positions` (2 output values)."""
    return lookup({0: 1, 1: 1, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1, 7: 0}, fill=0)[positions]


def compute_cat_mlp_0_1(positions):
    """Layer 0, categorical MLP 1: a table over `positions` (4 output values)."""
    return lookup({0: 1, 1: 5, 2: 4, 3: 5, 4: 1, 5: 3, 6: 3, 7: 3}, fill=0)[positions]


def compute_cat_attn_1_0(positions, tokens, visible):
    """Layer 1, categorical head 0: `tokens` at the nearest position whose `tokens` is the value the query's
    `positions` asks for (1->'0', 2->'0', 3->'1', 4->'</s>', 5->'3', 6->'4', 7->'0'; other values match
    nothing)."""
    wanted = lookup({1: 3, 2: 3, 3: 4, 4: 2, 5: 6, 6: 7, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_1(positions, tokens, visible):
    """Layer 1, categorical head 1: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->3, 1->2, 2->4, 3->5, 4->5, 5->6, 6->7, 7->1; other values match nothing)."""
    wanted = lookup({0: 3, 1: 2, 2: 4, 3: 5, 4: 5, 5: 6, 6: 7, 7: 1}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_2(cat_mlp_0_1, positions, tokens, visible):
    """Layer 1, categorical head 2: `tokens` at the nearest position whose `positions` is the value the
    query's `cat_mlp_0_1` asks for (1->2, 3->3, 4->1, 5->4; other values match nothing)."""
    wanted = lookup({1: 2, 3: 3, 4: 1, 5: 4}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_3(cat_mlp_0_1, cat_mlp_0_0, tokens, visible):
    """Layer 1, categorical head 3: `tokens` at the nearest position whose `cat_mlp_0_0` equals the query's
    `cat_mlp_0_1` - 1."""
    match = cat_mlp_0_0[:, None, :] == cat_mlp_0_1[:, :, None] - 1
    return select_closest(match & visible, tokens)


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


def compute_num_attn_1_2(cat_attn_0_2, tokens, num_attn_0_0, visible):
    """Layer 1, numerical head 2: sums `num_attn_0_0` over the positions whose `tokens` is the value the
    query's `cat_attn_0_2` asks for (1->'0', 2->'0', 3->'<s>', 4->'1', 5->'2', 6->'0', 7->'0'; other values
    match nothing)."""
    wanted = lookup({1: 3, 2: 3, 3: 1, 4: 4, 5: 5, 6: 3, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_attn_0_2][:, :, None]
    return np.sum((match & visible) * num_attn_0_0[:, None, :], axis=2)


def compute_num_attn_1_3(positions, tokens, visible):
    """Layer 1, numerical head 3: counts the positions whose `tokens` is the value the query's `positions`
    asks for (0->'3', 1->'2', 2->'2', 3->'2', 4->'2', 5->'2', 6->'4', 7->'2'; other values match nothing)."""
    wanted = lookup({0: 6, 1: 5, 2: 5, 3: 5, 4: 5, 5: 5, 6: 7, 7: 5}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[positions][:, :, None]
    return np.sum(match & visible, axis=2)


def compute_cat_mlp_1_0(positions, cat_attn_1_0):
    """Layer 1, categorical MLP 0: a table over `positions`, `cat_attn_1_0` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_1_0"][positions, cat_attn_1_0]


def compute_cat_mlp_1_1(positions, cat_attn_1_0):
    """Layer 1, categorical MLP 1: a table over `positions`, `cat_attn_1_0` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_1_1"][positions, cat_attn_1_0]


def compute_num_mlp_1_1(num_attn_1_2, num_attn_1_0):
    """Layer 1, numerical MLP 1: a table over `num_attn_1_2`, `num_attn_1_0` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_1_1"][np.minimum(num_attn_1_2, 8), np.minimum(num_attn_1_0, 8)]


def compute_cat_attn_2_0(cat_mlp_0_0, cat_attn_1_2, visible):
    """Layer 2, categorical head 0: `cat_attn_1_2` at the nearest position whose `cat_mlp_0_0` equals the
    query's `cat_mlp_0_0` - 1."""
    match = cat_mlp_0_0[:, None, :] == cat_mlp_0_0[:, :, None] - 1
    return select_closest(match & visible, cat_attn_1_2)


def compute_cat_attn_2_1(positions, cat_attn_1_2, visible):
    """Layer 2, categorical head 1: `cat_attn_1_2` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->5, 1->7, 2->1, 3->0, 4->5, 5->4, 6->0, 7->3; other values match nothing)."""
    wanted = lookup({0: 5, 1: 7, 2: 1, 3: 0, 4: 5, 5: 4, 6: 0, 7: 3}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, cat_attn_1_2)


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


def compute_num_attn_2_2(cat_attn_1_2, cat_attn_0_0, num_attn_0_2, visible):
    """Layer 2, numerical head 2: sums `num_attn_0_2` over the positions whose `cat_attn_0_0` is the value the
    query's `cat_attn_1_2` asks for (1->6, 2->6, 3->6, 4->6, 5->5, 6->5, 7->7; other values match nothing)."""
    wanted = lookup({1: 6, 2: 6, 3: 6, 4: 6, 5: 5, 6: 5, 7: 7}, fill=-1)  # query value -> the key value it matches
    match = cat_attn_0_0[:, None, :] == wanted[cat_attn_1_2][:, :, None]
    return np.sum((match & visible) * num_attn_0_2[:, None, :], axis=2)


def compute_num_attn_2_3(cat_mlp_0_1, tokens, num_attn_1_0, visible):
    """Layer 2, numerical head 3: sums `num_attn_1_0` over the positions whose `tokens` is the value the
    query's `cat_mlp_0_1` asks for (1->'0', 3->'2', 4->'1', 5->'0'; other values match nothing)."""
    wanted = lookup({1: 3, 3: 5, 4: 4, 5: 3}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[cat_mlp_0_1][:, :, None]
    return np.sum((match & visible) * num_attn_1_0[:, None, :], axis=2)


def compute_cat_mlp_2_0(positions, cat_attn_2_3):
    """Layer 2, categorical MLP 0: a table over `positions`, `cat_attn_2_3` (4 output values, in tables.json)."""
    return TABLES["cat_mlp_2_0"][positions, cat_attn_2_3]


def compute_cat_mlp_2_1(cat_attn_2_1, positions):
    """Layer 2, categorical MLP 1: a table over `cat_attn_2_1`, `positions` (5 output values, in tables.json)."""
    return TABLES["cat_mlp_2_1"][cat_attn_2_1, positions]


def compute_num_mlp_2_0(num_attn_0_0):
    """Layer 2, numerical MLP 0: a table over `num_attn_0_0` (2 output values)."""
    return lookup({0: 6, 1: 6, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0}, fill=0, size=9)[num_attn_0_0]


def compute_num_mlp_2_1(num_attn_2_3, num_attn_2_1):
    """Layer 2, numerical MLP 1: a table over `num_attn_2_3`, `num_attn_2_1` (2 output values, in
    tables.json)."""
    return TABLES["num_mlp_2_1"][np.minimum(num_attn_2_3, 8), np.minimum(num_attn_2_1, 8)]


def classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_mlp_1_1, num_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_mlp_2_1, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3):
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
    visible = visible_keys(tokens)
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
    cat_attn_1_2 = compute_cat_attn_1_2(cat_mlp_0_1, positions, tokens, visible)
    cat_attn_1_3 = compute_cat_attn_1_3(cat_mlp_0_1, cat_mlp_0_0, tokens, visible)
    num_attn_1_0 = compute_num_attn_1_0(cat_mlp_0_1, num_attn_0_0, visible)
    num_attn_1_1 = compute_num_attn_1_1(cat_attn_0_3, tokens, num_attn_0_0, visible)
    num_attn_1_2 = compute_num_attn_1_2(cat_attn_0_2, tokens, num_attn_0_0, visible)
    num_attn_1_3 = compute_num_attn_1_3(positions, tokens, visible)
    cat_mlp_1_0 = compute_cat_mlp_1_0(positions, cat_attn_1_0)
    cat_mlp_1_1 = compute_cat_mlp_1_1(positions, cat_attn_1_0)
    num_mlp_1_1 = compute_num_mlp_1_1(num_attn_1_2, num_attn_1_0)
    cat_attn_2_0 = compute_cat_attn_2_0(cat_mlp_0_0, cat_attn_1_2, visible)
    cat_attn_2_1 = compute_cat_attn_2_1(positions, cat_attn_1_2, visible)
    cat_attn_2_2 = compute_cat_attn_2_2(positions, cat_attn_1_1, visible)
    cat_attn_2_3 = compute_cat_attn_2_3(cat_mlp_0_0, tokens, cat_attn_1_1, visible)
    num_attn_2_0 = compute_num_attn_2_0(tokens, num_attn_1_0, visible)
    num_attn_2_1 = compute_num_attn_2_1(tokens, num_attn_1_0, visible)
    num_attn_2_2 = compute_num_attn_2_2(cat_attn_1_2, cat_attn_0_0, num_attn_0_2, visible)
    num_attn_2_3 = compute_num_attn_2_3(cat_mlp_0_1, tokens, num_attn_1_0, visible)
    cat_mlp_2_0 = compute_cat_mlp_2_0(positions, cat_attn_2_3)
    cat_mlp_2_1 = compute_cat_mlp_2_1(cat_attn_2_1, positions)
    num_mlp_2_0 = compute_num_mlp_2_0(num_attn_0_0)
    num_mlp_2_1 = compute_num_mlp_2_1(num_attn_2_3, num_attn_2_1)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_0_1, cat_attn_0_2, cat_attn_0_3, cat_mlp_0_0, cat_mlp_0_1, cat_attn_1_0, cat_attn_1_1, cat_attn_1_2, cat_attn_1_3, cat_mlp_1_0, cat_mlp_1_1, num_mlp_1_1, cat_attn_2_0, cat_attn_2_1, cat_attn_2_2, cat_attn_2_3, cat_mlp_2_0, cat_mlp_2_1, num_mlp_2_0, num_mlp_2_1, num_attn_0_0, num_attn_0_1, num_attn_0_2, num_attn_0_3, num_attn_1_0, num_attn_1_1, num_attn_1_2, num_attn_1_3, num_attn_2_0, num_attn_2_1, num_attn_2_2, num_attn_2_3)
