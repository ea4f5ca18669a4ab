"""The three relaxations of a categorical choice, selected by the `mode` argument to `apply`.

'gumbel' (training): a soft Gumbel-softmax sample at temperature tau; 'softmax': the plain softmax at
tau; 'argmax' ("snapped"): the exact one-hot of the argmax, ties to the first index.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

MODES = ("gumbel", "softmax", "argmax")


def _rotate_left(x: jax.Array, r: int) -> jax.Array:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def threefry2x32(k0: jax.Array, k1: jax.Array, x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The Threefry-2x32 block (20 rounds), bit-identical to jax's threefry2x32 primitive.

    Written out unrolled because JAX lowers the primitive on CPU as a rolled 5-step while loop (unless
    tpjax.jax_cpu has installed the unrolled rule), which stores the whole state between steps and makes
    noise about 5x slower.
    """
    ks = (k0, k1, k0 ^ k1 ^ np.uint32(0x1BD11BDA))
    rotations = ((13, 15, 26, 6), (17, 29, 16, 24))
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for i in range(5):
        for r in rotations[i % 2]:
            x0 = x0 + x1
            x1 = _rotate_left(x1, r) ^ x0
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def random_bits(key: jax.Array, n: int) -> jax.Array:
    """n uint32 words, equal to jax.random.bits(key, (n,)) (threefry, partitionable counters)."""
    k = jax.random.key_data(key)
    counter = jax.lax.iota(jnp.uint32, n)
    hi, lo = threefry2x32(k[..., 0], k[..., 1], jnp.zeros_like(counter), counter)
    return hi ^ lo


def gumbel(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
    """Standard Gumbel noise from 16-bit uniforms: two draws per threefry word.

    Threefry dominates the cost of noise on CPU and 16 bits are plenty for exploration noise (the
    largest draw is about 11.8, the smallest about -2.5). The barrier keeps XLA from hashing twice
    (once per half); the halves come from a broadcast shift, not a concatenation, which XLA:CPU
    would emit as an unvectorized select.
    """
    n = math.prod(shape)
    words = jax.lax.optimization_barrier(random_bits(key, (n + 1) // 2))
    halves = (words[None] >> jnp.array([16, 0], jnp.uint32)[:, None]) & np.uint32(0xFFFF)
    u = (halves.astype(jnp.float32) + 0.5) * (1.0 / 65536.0)
    return (-jnp.log(-jnp.log(u))).reshape(-1)[:n].reshape(shape).astype(dtype)


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
