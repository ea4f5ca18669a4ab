"""Attention heads of the Transformer Program: categorical "select closest" and numerical counting.

Layout is head-major (H first, then batch), which keeps every contraction a batched GEMM over long rows.
Axis letters: H head, B batch, Q query position, K key position, D variable value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from tpjax.model.relax import relax

# Logit of an invalid key. Far enough below any valid logit (>= about -20) that its softmax weight
# underflows to exactly 0 at every temperature, and small enough that a fully masked row (a padding
# query) stays finite: near -1e30, XLA recomputing the row in two fusions with different rounding
# gives differences of ~1e22, exp overflows and the row turns NaN.
MASKED_LOGIT = -1e6


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


def swap_last_axes(x: jax.Array) -> jax.Array:
    """x with its last two axes swapped, behind a barrier that keeps XLA from folding the transpose back into
    a dot layout that is slow on CPU (the gradients here and in mlp.py)."""
    return jax.lax.optimization_barrier(jnp.swapaxes(x, -1, -2))


@jax.custom_vjp
def matmul_nt(a_XQE: jax.Array, b_XKE: jax.Array) -> jax.Array:
    """a @ b^T over leading batch axes, for the tiny per-example matrices of attention.

    XLA:CPU runs the transposed-operand product that autodiff produces for these shapes about 5x
    slower than the plain ones, so the gradient is written with plain products only.
    """
    return jnp.einsum("...qe,...ke->...qk", a_XQE, b_XKE)


def _matmul_nt_fwd(a, b):
    return matmul_nt(a, b), (a, b)


def _matmul_nt_bwd(res, g_XQK):
    a, b = res
    return jnp.einsum("...qk,...ke->...qe", g_XQK, b), jnp.einsum("...kq,...qe->...ke", swap_last_axes(g_XQK), a)


matmul_nt.defvjp(_matmul_nt_fwd, _matmul_nt_bwd)


@jax.custom_vjp
def matmul_nn(a_XQK: jax.Array, b_XKE: jax.Array) -> jax.Array:
    """a @ b over leading batch axes, with the same CPU-friendly gradient as matmul_nt."""
    return jnp.einsum("...qk,...ke->...qe", a_XQK, b_XKE)


def _matmul_nn_fwd(a, b):
    return matmul_nn(a, b), (a, b)


def _matmul_nn_bwd(res, g_XQE):
    a, b = res
    return jnp.einsum("...qe,...ke->...qk", g_XQE, b), jnp.einsum("...kq,...qe->...ke", swap_last_axes(a), g_XQE)


matmul_nn.defvjp(_matmul_nn_fwd, _matmul_nn_bwd)


def match_scores(q_HBQD: jax.Array, k_HBKD: jax.Array, pred_HDD: jax.Array) -> jax.Array:
    """q·P·k for every (query, key) pair: 1 where the predicate holds (in the snapped model)."""
    qp_HBQD = jnp.einsum("hbqd,hde->hbqe", q_HBQD, pred_HDD)
    return matmul_nt(qp_HBQD, k_HBKD)


def categorical_heads(
    q_HBQD: jax.Array, k_HBKD: jax.Array, v_HBKD: jax.Array, pred_HDD: jax.Array, mask_BQK: jax.Array,
    bias_QK: jax.Array, mode: str, tau: jax.Array | float, key: jax.Array | None,
) -> jax.Array:
    """Hard "select closest" attention, relaxed for training; returns the new variables (H, B, Q, D)."""
    d_var = q_HBQD.shape[-1]
    scores_HBQK = match_scores(q_HBQD, k_HBKD, pred_HDD)
    total_HBQ = jnp.sum(jnp.where(mask_BQK, scores_HBQK, 0.0), axis=-1)
    bos_HBQ = jax.nn.relu(1.0 - total_HBQ / (total_HBQ + 1e-10))
    scores_HBQK = scores_HBQK.at[..., 0].add(bos_HBQ)
    logits_HBQK = jnp.log(scores_HBQK + 1e-20) + bias_QK
    logits_HBQK = jnp.where(mask_BQK, logits_HBQK, MASKED_LOGIT) / jnp.sqrt(float(d_var))
    attn_HBQK = relax(logits_HBQK, mode, tau, key, axis=-1)
    return matmul_nn(attn_HBQK, v_HBKD)


def numerical_heads(
    q_HBQD: jax.Array, k_HBKD: jax.Array, v_HBK: jax.Array, pred_HDD: jax.Array, mask_BQK: jax.Array
) -> jax.Array:
    """Sum of the value over every valid matching key (no softmax, no BOS default): (H, B, Q)."""
    scores_HBQK = jnp.where(mask_BQK, match_scores(q_HBQD, k_HBKD, pred_HDD), 0.0)
    return matmul_nn(scores_HBQK, v_HBK[..., None])[..., 0]
