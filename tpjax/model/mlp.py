"""The MLPs of the Transformer Program: each reads a few variables and writes one categorical variable.

Layout is MLP-major (M first, then tokens), so both layers are batched GEMMs over long rows.
Axis letters: M MLP, N token (batch x position), R variable read, I input unit, J hidden unit, D output value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from tpjax.model.attention import swap_last_axes
from tpjax.model.relax import relax


@jax.custom_vjp
def matmul_rows(x_XNI: jax.Array, w_XIJ: jax.Array) -> jax.Array:
    """x @ w over leading batch axes, for many rows (N) and small feature widths (I, J).

    XLA:CPU computes the weight gradient x^T g (a product over the long N axis with transposed
    left operand) about 6x slower than a plain product, so the gradient first transposes the
    narrower of x and g (cheap) and then uses a plain product.
    """
    return jnp.einsum("...ni,...ij->...nj", x_XNI, w_XIJ)


def _matmul_rows_fwd(x, w):
    return matmul_rows(x, w), (x, w)


def _matmul_rows_bwd(res, g_XNJ):
    x_XNI, w_XIJ = res
    g_x = jnp.einsum("...nj,...ij->...ni", g_XNJ, w_XIJ)
    if x_XNI.shape[-1] <= g_XNJ.shape[-1]:
        g_w = jnp.einsum("...in,...nj->...ij", swap_last_axes(x_XNI), g_XNJ)
    else:
        g_wT = jnp.einsum("...jn,...ni->...ji", swap_last_axes(g_XNJ), x_XNI)
        g_w = jnp.swapaxes(jax.lax.optimization_barrier(g_wT), -1, -2)  # keeps the product plain
    return g_x, g_w


matmul_rows.defvjp(_matmul_rows_fwd, _matmul_rows_bwd)


def mlp_scores(x_MNI: jax.Array, w1_MIJ: jax.Array, b1_MJ: jax.Array, w2_MJD: jax.Array, b2_MD: jax.Array) -> jax.Array:
    """Output scores of a one-hidden-layer ReLU MLP, all MLPs of a layer batched along M."""
    h_MNJ = jax.nn.relu(matmul_rows(x_MNI, w1_MIJ) + b1_MJ[:, None])
    return matmul_rows(h_MNJ, w2_MJD) + b2_MD[:, None]


def mlp_logits(x_MNI: jax.Array, w1_MIJ: jax.Array, b1_MJ: jax.Array, w2_MJD: jax.Array, b2_MD: jax.Array) -> jax.Array:
    """log_softmax of the MLP scores: what the snapped model and its tables take the argmax of."""
    return jax.nn.log_softmax(mlp_scores(x_MNI, w1_MIJ, b1_MJ, w2_MJD, b2_MD), axis=-1)


def _relaxed_output(x_MNI: jax.Array, params: dict, mode: str, tau, key) -> jax.Array:
    """The relaxed one-hot output (M, N, D).

    A (Gumbel-)softmax does not change when a constant is added along its axis, so the relaxed modes
    skip the log_softmax (a quarter of an MLP's cost); the argmax keeps it, so that it picks exactly
    what the integer tables of the snapped model pick.
    """
    args = (x_MNI, params["w1"], params["b1"], params["w2"], params["b2"])
    logits = mlp_logits(*args) if mode == "argmax" else mlp_scores(*args)
    return relax(logits, mode, tau, key, axis=-1)


def categorical_mlps(x_MRND: jax.Array, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over categorical inputs (one-hot values concatenated); returns (M, N, D)."""
    m, r, n, d = x_MRND.shape
    x_MNI = jnp.swapaxes(x_MRND, 1, 2).reshape(m, n, r * d)
    return _relaxed_output(x_MNI, params, mode, tau, key)


def numerical_mlps(x_MRN: jax.Array, num_max: int, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over numerical inputs clipped to [0, num_max] (so that the snapped MLP is a finite table)."""
    x_MNI = jnp.swapaxes(jnp.clip(x_MRN, 0.0, float(num_max)), 1, 2)
    return _relaxed_output(x_MNI, params, mode, tau, key)
