"""Snapped evaluation of all seeds at once: token accuracy, exact match and loss of the snapped model.

A Transformer Program is snapped once per evaluation into its integer form (`model.discrete`) and run
with integer gathers; the standard baseline uses the argmax of its logits. Splits are evaluated in
fixed-size chunks (padding rows are all `<pad>`, hence never scored), so memory stays flat however
long the context, and the jitted functions compile once per run.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from tpjax.model import discrete
from tpjax.model.transformer_program import TransformerProgram
from tpjax.train.sharding import SeedSharding, per_device_of
from tpjax.train.step import compiler_options, over_seed_chunks, token_nll

CHUNK = 2048


def snap(model, params):
    """One seed's parameters in the form evaluation runs: integer tables for a Transformer Program."""
    if isinstance(model, TransformerProgram):
        return discrete.discretize(params, model.spec)
    return params


def snapped_outputs(model, snapped, tokens_BT: jax.Array) -> tuple[jax.Array, jax.Array]:
    """One seed: predicted class ids (B, T) and the logits (B, T, C) they are the argmax of."""
    if isinstance(model, TransformerProgram):
        return discrete.run_discrete_with_logits(snapped, tokens_BT, model.spec)
    logits = model.apply({"params": snapped}, tokens_BT, mode="argmax")
    return jnp.argmax(logits, -1).astype(jnp.int32), logits


def token_matches(preds_BT, targets_BT):
    """The one definition of accuracy and exact match, for jax and numpy arrays alike: right scored tokens,
    scored tokens (target not `<pad>`), wholly right rows, and rows with a scored token (padding rows and
    empty bodies have none and count in neither)."""
    scored = targets_BT != 0
    correct = (preds_BT == targets_BT) & scored
    has_target_B = scored.any(axis=1)
    exact_B = (correct | ~scored).all(axis=1) & has_target_B
    return correct, scored, exact_B, has_target_B


def _chunk_sums(model, snapped, tokens_BT, targets_BT):
    """Summed loss, right tokens, scored tokens, wholly right examples, examples with a scored token."""
    preds, logits = snapped_outputs(model, snapped, tokens_BT)
    nll, _ = token_nll(logits, targets_BT)
    correct, scored, exact_B, has_target_B = token_matches(preds, targets_BT)
    sums = [jnp.sum(nll), jnp.sum(correct), jnp.sum(scored), jnp.sum(exact_B), jnp.sum(has_target_B)]
    return jnp.stack(sums).astype(jnp.float32)


@functools.lru_cache(maxsize=8)
def _snap_fn(model, placement: SeedSharding | None, seed_chunk: int):
    snap_S = over_seed_chunks(jax.vmap(functools.partial(snap, model)), seed_chunk)
    return per_device_of(jax.jit(snap_S, compiler_options=compiler_options(model)), placement)


@functools.lru_cache(maxsize=8)
def _chunk_fn(model, placement: SeedSharding | None, seed_chunk: int):
    sums = jax.vmap(functools.partial(_chunk_sums, model), in_axes=(0, None, None))
    jitted = jax.jit(over_seed_chunks(sums, seed_chunk), compiler_options=compiler_options(model))
    return per_device_of(jitted, placement)


def chunk_size(*arrays: np.ndarray) -> int:
    """One chunk size for all splits of a run, so that evaluation compiles once."""
    return min(CHUNK, max(max(a.shape[0] for a in arrays), 1))


def chunks(array_NT: np.ndarray, size: int = CHUNK):
    """Fixed-size chunks of rows, the last one padded with zero rows."""
    for start in range(0, array_NT.shape[0], size):
        part = array_NT[start : start + size]
        if part.shape[0] < size:
            part = np.concatenate([part, np.zeros((size - part.shape[0],) + part.shape[1:], part.dtype)])
        yield part


def snap_seeds(model, params_S, placement: SeedSharding | None = None, seed_chunk: int = 0):
    """All seeds' parameters snapped (seed axis first; over `placement` and `seed_chunk` as in training)."""
    return _snap_fn(model, placement, seed_chunk)(params_S)


def evaluate_split(
    model, snapped_S, inputs_NT: np.ndarray, targets_NT: np.ndarray, size: int = CHUNK,
    placement: SeedSharding | None = None, seed_chunk: int = 0,
) -> dict[str, np.ndarray]:
    """Per-seed loss (mean over scored tokens), token accuracy and exact match (the fraction of examples whose
    every scored token is right: whole-answer accuracy for addition; examples without a scored token, such as
    an empty body, count in neither) of the snapped model on one split."""
    fn = _chunk_fn(model, placement, seed_chunk)
    total = None
    for x, y in zip(chunks(inputs_NT, size), chunks(targets_NT, size)):
        sums = fn(snapped_S, jnp.asarray(x), jnp.asarray(y))
        total = sums if total is None else total + sums
    total = np.asarray(jax.device_get(total), np.float64)
    count, examples = np.maximum(total[:, 2], 1.0), np.maximum(total[:, 4], 1.0)
    return {"loss": total[:, 0] / count, "acc": total[:, 1] / count, "exact": total[:, 3] / examples}

