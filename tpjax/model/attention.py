"""Attention heads of the Transformer Program: categorical "select closest" and numerical counting.

Axis letters: B batch, Q query position, K key position, T position, H head, V variable, D variable value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from tpjax.model.relax import relax


def relative_position_bias(n_ctx: int) -> np.ndarray:
    """The original code's fixed bias (Q, K): self -2, d before the query -(d-1)/(n-1), d after -(d-1)/(n-2).

    Added to log match scores, it makes the argmax pick the nearest matching key, the earlier one on
    equal distance (the tie at distance 1 goes to the first index), and the query itself last.
    """
    q = np.arange(n_ctx)[:, None]
    k = np.arange(n_ctx)[None, :]
    d = np.abs(q - k).astype(np.float32)
    before = -(d - 1) / max(n_ctx - 1, 1)
    after = -(d - 1) / max(n_ctx - 2, 1)
    bias = np.where(k < q, before, after)
    return np.where(k == q, -2.0, bias).astype(np.float32)


def selection_priority(n_ctx: int) -> np.ndarray:
    """Integer form of the same order (Q, K), higher wins: nearest first, earlier on ties, self last."""
    q = np.arange(n_ctx)[:, None]
    k = np.arange(n_ctx)[None, :]
    prio = -2 * np.abs(q - k) + (k < q)
    return np.where(k == q, -4 * n_ctx, prio).astype(np.int32)


def match_scores(q_BQHD: jax.Array, k_BKHD: jax.Array, pred_HDD: jax.Array) -> jax.Array:
    """q·P·k for every (query, key) pair: 1 where the predicate holds (in the snapped model)."""
    qp_BQHD = jnp.einsum("bqhd,hde->bqhe", q_BQHD, pred_HDD)
    return jnp.einsum("bqhe,bkhe->bhqk", qp_BQHD, k_BKHD)


def categorical_heads(
    q_BQHD: jax.Array,
    k_BKHD: jax.Array,
    v_BKHD: jax.Array,
    pred_HDD: jax.Array,
    mask_BQK: jax.Array,
    bias_QK: jax.Array,
    mode: str,
    tau: jax.Array | float,
    key: jax.Array | None,
) -> jax.Array:
    """Hard "select closest" attention, relaxed for training; returns the new variables (B, Q, H, D)."""
    d_var = q_BQHD.shape[-1]
    scores_BHQK = match_scores(q_BQHD, k_BKHD, pred_HDD)
    mask_B1QK = mask_BQK[:, None]
    total_BHQ = jnp.sum(jnp.where(mask_B1QK, scores_BHQK, 0.0), axis=-1)
    bos_BHQ = jax.nn.relu(1.0 - total_BHQ / (total_BHQ + 1e-10))
    scores_BHQK = scores_BHQK.at[..., 0].add(bos_BHQ)
    logits_BHQK = jnp.log(scores_BHQK + 1e-20) + bias_QK
    logits_BHQK = jnp.where(mask_B1QK, logits_BHQK, -1e30) / jnp.sqrt(float(d_var))
    attn_BHQK = relax(logits_BHQK, mode, tau, key, axis=-1)
    return jnp.einsum("bhqk,bkhd->bqhd", attn_BHQK, v_BKHD)


def numerical_heads(
    q_BQHD: jax.Array,
    k_BKHD: jax.Array,
    v_BKH: jax.Array,
    pred_HDD: jax.Array,
    mask_BQK: jax.Array,
) -> jax.Array:
    """Sum of the value over every valid matching key (no softmax, no BOS default): (B, Q, H)."""
    scores_BHQK = match_scores(q_BQHD, k_BKHD, pred_HDD)
    scores_BHQK = jnp.where(mask_BQK[:, None], scores_BHQK, 0.0)
    return jnp.einsum("bhqk,bkh->bqh", scores_BHQK, v_BKH)
