"""The three relaxations and the Gumbel noise behind the training mode (DESIGN section 2)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tpjax.model import relax

EULER_GAMMA = 0.5772156649


@pytest.mark.parametrize("n", [1, 2, 7, 1000])
def test_random_bits_are_jax_random_bits(n):
    for seed in (0, 1, 12345):
        key = jax.random.fold_in(jax.random.key(seed), 3)
        np.testing.assert_array_equal(relax.random_bits(key, n), jax.random.bits(key, (n,)))


def test_gumbel_noise_has_the_gumbel_distribution():
    """Mean gamma, variance pi^2/6, P(g < 0) = 1/e; the two 16-bit halves of a word are not alike."""
    g = np.asarray(relax.gumbel(jax.random.key(0), (400, 501)), np.float64).ravel()
    assert g.shape == (400 * 501,)
    se = np.pi / np.sqrt(6 * g.size)  # standard error of the mean
    assert abs(g.mean() - EULER_GAMMA) < 5 * se
    assert abs(g.var() - np.pi**2 / 6) < 0.03
    assert abs(np.mean(g < 0) - np.exp(-1)) < 0.005
    assert abs(np.mean(g < 2) - np.exp(-np.exp(-2))) < 0.005
    assert abs(np.corrcoef(g[0:-1:2], g[1::2])[0, 1]) < 0.01
    # Two draws come from each threefry word. If its halves were alike every value would come an even number
    # of times; about half of the 65,536 values (seen about 3 times each) come an odd number of times.
    _, counts = np.unique(g, return_counts=True)
    assert np.mean(counts % 2 == 1) > 0.4
    assert -2.6 < g.min() and g.max() < 11.9


def test_gumbel_noise_depends_on_the_key_only():
    a = relax.gumbel(jax.random.key(1), (3, 5))
    np.testing.assert_array_equal(a, relax.gumbel(jax.random.key(1), (3, 5)))
    assert not np.any(np.asarray(a) == np.asarray(relax.gumbel(jax.random.key(2), (3, 5))))


def _logits(shape=(64, 9), seed=0):
    return jnp.asarray(np.random.default_rng(seed).normal(size=shape).astype(np.float32))


def test_gumbel_mode_is_a_softmax_of_perturbed_logits():
    logits, key = _logits(), jax.random.key(5)
    perturbed = logits + relax.gumbel(key, logits.shape)
    for tau in (0.5, 1.0, 3.0):
        np.testing.assert_allclose(
            relax.relax(logits, "gumbel", tau, key), jax.nn.softmax(perturbed / tau, axis=-1), rtol=1e-6, atol=1e-7
        )
    # At low temperature the sample is the one-hot of the perturbed argmax (up to logit gaps near 1e-3).
    cold = relax.relax(logits, "gumbel", 1e-4, key)
    np.testing.assert_array_equal(jnp.argmax(cold, -1), jnp.argmax(perturbed, -1))
    np.testing.assert_allclose(cold, relax.relax(perturbed, "argmax", 1.0, None), atol=1e-6)


def test_softmax_mode_at_low_temperature_is_argmax():
    logits = _logits(seed=1)
    cold = relax.relax(logits, "softmax", 1e-4, None)
    np.testing.assert_array_equal(jnp.argmax(cold, -1), jnp.argmax(logits, -1))
    np.testing.assert_allclose(cold, relax.relax(logits, "argmax", 1.0, None), atol=1e-6)
    warm = relax.relax(logits, "softmax", 2.0, None)
    np.testing.assert_allclose(warm, jax.nn.softmax(logits / 2.0, axis=-1), rtol=1e-6)
    assert float(jnp.max(warm)) < 1.0


@pytest.mark.parametrize("mode", relax.MODES)
def test_every_mode_gives_a_distribution_along_the_axis(mode):
    logits = _logits((5, 9, 4), seed=2)
    for axis in (0, 1, -1):
        out = relax.relax(logits, mode, 0.7, jax.random.key(0), axis=axis)
        assert out.shape == logits.shape
        np.testing.assert_allclose(jnp.sum(out, axis=axis), 1.0, rtol=1e-5)
        assert float(jnp.min(out)) >= 0.0
    hard = relax.relax(logits, "argmax", 1.0, None, axis=1)
    np.testing.assert_array_equal(jnp.argmax(hard, axis=1), jnp.argmax(logits, axis=1))


def test_argmax_breaks_ties_to_the_first_index():
    logits = jnp.array([[0.0, 2.0, 2.0, 1.0], [3.0, 3.0, 3.0, 3.0]])
    np.testing.assert_array_equal(relax.relax(logits, "argmax", 1.0, None), [[0, 1, 0, 0], [1, 0, 0, 0]])
