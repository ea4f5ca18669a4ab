"""The MLPs of the Transformer Program: each reads a few variables and writes one categorical variable.

Axis letters: B batch, T position, M MLP, R variable read, I input unit, J hidden unit, D output value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from tpjax.model.relax import relax


def mlp_logits(x_BTMI: jax.Array, w1_MIJ: jax.Array, b1_MJ: jax.Array, w2_MJD: jax.Array, b2_MD: jax.Array) -> jax.Array:
    """log_softmax of a one-hidden-layer ReLU MLP, all MLPs of a layer batched along M."""
    h_BTMJ = jax.nn.relu(jnp.einsum("btmi,mij->btmj", x_BTMI, w1_MIJ) + b1_MJ)
    return jax.nn.log_softmax(jnp.einsum("btmj,mjd->btmd", h_BTMJ, w2_MJD) + b2_MD, axis=-1)


def categorical_mlps(x_BTMRD: jax.Array, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over categorical inputs (one-hot values concatenated); returns (B, T, M, D)."""
    b, t, m, r, d = x_BTMRD.shape
    logits = mlp_logits(x_BTMRD.reshape(b, t, m, r * d), params["w1"], params["b1"], params["w2"], params["b2"])
    return relax(logits, mode, tau, key, axis=-1)


def numerical_mlps(x_BTMR: jax.Array, num_max: int, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over numerical inputs clipped to [0, num_max] (so that the snapped MLP is a finite table)."""
    logits = mlp_logits(jnp.clip(x_BTMR, 0.0, float(num_max)), params["w1"], params["b1"], params["w2"], params["b2"])
    return relax(logits, mode, tau, key, axis=-1)
