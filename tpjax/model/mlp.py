"""The MLPs of the Transformer Program: each reads a few variables and writes one categorical variable.

Layout is MLP-major (M first, then tokens), so both layers are batched GEMMs over long rows.
Axis letters: M MLP, N token (batch x position), I input unit, J hidden unit, D output value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from tpjax.model.relax import relax


def mlp_logits(x_MNI: jax.Array, w1_MIJ: jax.Array, b1_MJ: jax.Array, w2_MJD: jax.Array, b2_MD: jax.Array) -> jax.Array:
    """log_softmax of a one-hidden-layer ReLU MLP, all MLPs of a layer batched along M."""
    h_MNJ = jax.nn.relu(jnp.einsum("mni,mij->mnj", x_MNI, w1_MIJ) + b1_MJ[:, None])
    return jax.nn.log_softmax(jnp.einsum("mnj,mjd->mnd", h_MNJ, w2_MJD) + b2_MD[:, None], axis=-1)


def categorical_mlps(x_MNRD: jax.Array, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over categorical inputs (one-hot values concatenated); returns (M, N, D)."""
    m, n, r, d = x_MNRD.shape
    logits = mlp_logits(x_MNRD.reshape(m, n, r * d), params["w1"], params["b1"], params["w2"], params["b2"])
    return relax(logits, mode, tau, key, axis=-1)


def numerical_mlps(x_MNR: jax.Array, num_max: int, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over numerical inputs clipped to [0, num_max] (so that the snapped MLP is a finite table)."""
    logits = mlp_logits(jnp.clip(x_MNR, 0.0, float(num_max)), params["w1"], params["b1"], params["w2"], params["b2"])
    return relax(logits, mode, tau, key, axis=-1)
