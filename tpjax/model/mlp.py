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


def categorical_mlps(x_MRND: jax.Array, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over categorical inputs (one-hot values concatenated); returns (M, N, D)."""
    m, r, n, d = x_MRND.shape
    w1_MRDJ = params["w1"].reshape(m, r, d, -1)
    pre_MNJ = jnp.einsum("mrnd,mrdj->mnj", x_MRND, w1_MRDJ) + params["b1"][:, None]
    return relax(_head(pre_MNJ, params), mode, tau, key, axis=-1)


def numerical_mlps(x_MRN: jax.Array, num_max: int, params: dict, mode: str, tau, key) -> jax.Array:
    """MLPs over numerical inputs clipped to [0, num_max] (so that the snapped MLP is a finite table).

    """
    x_MRN = jnp.clip(x_MRN, 0.0, float(num_max))
    pre_MNJ = jnp.einsum("mrn,mrj->mnj", x_MRN, params["w1"]) + params["b1"][:, None]
    return relax(_head(pre_MNJ, params), mode, tau, key, axis=-1)


def _head(pre_MNJ: jax.Array, params: dict) -> jax.Array:
    h_MNJ = jax.nn.relu(pre_MNJ)
    return jax.nn.log_softmax(jnp.einsum("mnj,mjd->mnd", h_MNJ, params["w2"]) + params["b2"][:, None], axis=-1)
