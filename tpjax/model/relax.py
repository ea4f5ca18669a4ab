"""The three relaxations of a categorical choice, selected by the `mode` argument to `apply`.

'gumbel' (training): a soft Gumbel-softmax sample at temperature tau; 'softmax': the plain softmax at
tau; 'argmax' ("snapped"): the exact one-hot of the argmax, ties to the first index.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

MODES = ("gumbel", "softmax", "argmax")


def relax(logits: jax.Array, mode: str, tau: jax.Array | float, key: jax.Array | None, axis: int = -1) -> jax.Array:
    """Relaxed one-hot choice along `axis`."""
    if mode == "argmax":
        idx = jnp.argmax(logits, axis=axis)
        return jax.nn.one_hot(idx, logits.shape[axis], axis=axis, dtype=logits.dtype)
    if mode == "gumbel":
        if key is None:
            raise ValueError("mode='gumbel' needs a PRNG key")
        logits = logits + jax.random.gumbel(key, logits.shape, logits.dtype)
    elif mode != "softmax":
        raise ValueError(f"unknown relaxation mode {mode!r}; use one of {MODES}")
    return jax.nn.softmax(logits / tau, axis=axis)
