"""The three relaxations of a categorical choice, selected by the `mode` argument to `apply`.

'gumbel' (training): a soft Gumbel-softmax sample at temperature tau; 'softmax': the plain softmax at
tau; 'argmax' ("snapped"): the exact one-hot of the argmax, ties to the first index.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

MODES = ("gumbel", "softmax", "argmax")


def gumbel(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
    """Standard Gumbel noise from 16-bit uniforms: two draws per threefry word.

    Threefry dominates the cost of noise on CPU and 16 bits are plenty for exploration noise (the
    largest draw is about 11, the smallest about -2.4).
    """
    n = math.prod(shape)
    bits = jax.random.bits(key, ((n + 1) // 2,), jnp.uint32)
    halves = jnp.concatenate([bits >> 16, bits & 0xFFFF])[:n]
    u = (halves.astype(jnp.float32) + 0.5) * (1.0 / 65536.0)
    return (-jnp.log(-jnp.log(u))).reshape(shape).astype(dtype)


def relax(logits: jax.Array, mode: str, tau: jax.Array | float, key: jax.Array | None, axis: int = -1) -> jax.Array:
    """Relaxed one-hot choice along `axis`."""
    if mode == "argmax":
        idx = jnp.argmax(logits, axis=axis)
        return jax.nn.one_hot(idx, logits.shape[axis], axis=axis, dtype=logits.dtype)
    if mode == "gumbel":
        if key is None:
            raise ValueError("mode='gumbel' needs a PRNG key")
        logits = logits + gumbel(key, logits.shape, logits.dtype)
    elif mode != "softmax":
        raise ValueError(f"unknown relaxation mode {mode!r}; use one of {MODES}")
    return jax.nn.softmax(logits / tau, axis=axis)
