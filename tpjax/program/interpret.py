"""A batched numpy interpreter of the program IR: the reference the emitted modules are checked against.

Axis letters: B batch, Q/K query/key position, T position, C class.
"""

from __future__ import annotations

import numpy as np

from tpjax.program.ir import Lookup, Program, Select
from tpjax.program.runtime import select_closest, visible_keys


def matches(op: Select, env: dict[str, np.ndarray]) -> np.ndarray:
    """(B, Q, K): the key's value is the one the query's value asks for."""
    key_BK = env[op.key]
    if op.predicate.reads_query:
        return key_BK[:, None, :] == op.predicate.wanted(env[op.query])[:, :, None]
    wanted = op.predicate.wanted(np.zeros((), key_BK.dtype))
    return np.broadcast_to(key_BK[:, None, :] == wanted, key_BK.shape[:1] + key_BK.shape[1:] * 2)


def select(op: Select, env: dict[str, np.ndarray], visible_BQK: np.ndarray) -> np.ndarray:
    """(B, Q): a head's output, by the same select-closest rule the emitted programs ship (runtime.py)."""
    value_BK = env[op.value]
    if op.predicate.kind == "never":  # nothing matches: BOS's value, or an empty sum
        return np.broadcast_to(value_BK[:, :1], value_BK.shape) if op.kind == "cat" else np.zeros_like(value_BK)
    match_BQK = matches(op, env) & visible_BQK
    if op.kind == "num":
        return np.einsum("bqk,bk->bq", match_BQK.astype(np.int64), value_BK)
    return select_closest(match_BQK, value_BK)


def lookup(op: Lookup, env: dict[str, np.ndarray]) -> np.ndarray:
    shape = env["tokens"].shape
    if not op.inputs:
        return np.full(shape, int(op.table), np.int64)
    args = [env[n] if op.kind == "cat" else np.clip(env[n], 0, op.clip) for n in op.inputs]
    return op.table[tuple(args)]


def run_ids(program: Program, tokens_BT: np.ndarray) -> np.ndarray:
    """Label ids (B, T) for padded token ids (B, T); values at padding positions mean nothing."""
    tokens_BT = np.asarray(tokens_BT, np.int64)
    b, t = tokens_BT.shape
    env = {
        "tokens": tokens_BT,
        "positions": np.broadcast_to(np.arange(t), (b, t)),
        "ones": np.ones((b, t), np.int64),
    }
    visible = visible_keys(tokens_BT, program.causal)
    for op in program.ops:
        env[op.name] = select(op, env, visible) if isinstance(op, Select) else lookup(op, env)
    return program_classes(program, env)


def program_classes(program: Program, env: dict[str, np.ndarray]) -> np.ndarray:
    c = program.classifier
    logits = np.broadcast_to(c.bias, env["tokens"].shape + c.bias.shape).copy()
    for name, table in c.cat.items():
        logits += table[env[name]]
    for name, weights in c.num.items():
        logits += env[name][..., None] * weights
    return np.asarray(c.classes)[logits.argmax(-1)]
