"""What every emitted program shares: input checks, attention masks, select-closest, tables.

tpjax copies this file unchanged next to each `program.py`, which loads it from there: a program needs only
numpy and the files in its folder. Keeping these helpers out of program.py leaves the program itself with
nothing but what the model learned.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np


def encode(batch: list[list[str]], vocab: list[str], n_ctx: int) -> np.ndarray:
    """Token ids (B, T), padded with 0 (`<pad>`); ValueError naming the first problem found."""
    if not batch:
        raise ValueError("no inputs given")
    ids_of = {token: i for i, token in enumerate(vocab) if i > 0}
    ids = np.zeros((len(batch), max(len(tokens) for tokens in batch)), np.int64)
    for i, tokens in enumerate(batch):
        if isinstance(tokens, str):
            raise ValueError(f"input {i} is a string; give a list of tokens such as {['<s>'] + vocab[2:4]}")
        if not tokens or tokens[0] != "<s>":
            raise ValueError(f"input {i} must start with '<s>' (BOS), got {list(tokens[:1])}")
        if len(tokens) > n_ctx:
            raise ValueError(f"input {i} has {len(tokens)} tokens; the context holds at most {n_ctx}")
        for j, token in enumerate(tokens):
            if token not in ids_of:
                raise ValueError(f"unknown token {token!r} at position {j} of input {i}; the vocabulary is {vocab[1:]}")
            ids[i, j] = ids_of[token]
    return ids


def visible_keys(tokens: np.ndarray, causal: bool) -> np.ndarray:
    """(B, Q, K): the key positions a query may attend to: real tokens, and for causal tasks not later ones."""
    real = tokens != 0
    visible = real[:, :, None] & real[:, None, :]
    if causal:
        visible &= np.tri(tokens.shape[1], dtype=bool)
    return visible


def select_closest(match: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (B, K) at the key each query picks among its matches (B, Q, K): the nearest one, the earlier
    one on equal distance, the query itself only when nothing else matches, position 0 (BOS) when none."""
    n = match.shape[-1]
    q, k = np.arange(n)[:, None], np.arange(n)[None, :]
    priority = np.where(k == q, -4 * n, -2 * np.abs(q - k) + (k < q))
    chosen = np.where(match.any(-1), np.where(match, priority, -8 * n).argmax(-1), 0)
    return np.take_along_axis(values, chosen, axis=1)


def lookup(mapping: dict, fill: int, size: int) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`size` values, `fill` where not given)."""
    table = np.full(size, fill)
    table[list(mapping)] = list(mapping.values())
    return table


def load_tables(path: pathlib.Path) -> dict:
    """The program's larger tables and classifier weights, as nested dicts of integer arrays."""
    def arrays(x):
        return {k: arrays(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x, np.int64)

    return arrays(json.loads(pathlib.Path(path).read_text()))
