"""The relaxed attention heads' numbers, against values worked out by hand from DESIGN section 2."""

import numpy as np
import pytest

from tpjax.model import attention


def test_relative_position_bias_is_the_originals():
    """Self -2; a key d before the query -(d-1)/(n-1); d after it -(d-1)/(n-2); here n = 5."""
    expected = np.array(
        [
            [-2, 0, -1 / 3, -2 / 3, -1],
            [0, -2, 0, -1 / 3, -2 / 3],
            [-1 / 4, 0, -2, 0, -1 / 3],
            [-2 / 4, -1 / 4, 0, -2, 0],
            [-3 / 4, -2 / 4, -1 / 4, 0, -2],
        ],
        np.float32,
    )
    np.testing.assert_allclose(attention.relative_position_bias(5), expected, rtol=1e-6)


def _one_hot(values, d):
    return np.eye(d, dtype=np.float32)[values]


def _heads(q_values, k_values, v_values, pred, mode="softmax", tau=1.0, mask=None):
    """One head, one example: (Q, D) outputs."""
    n, d = len(q_values), pred.shape[0]
    q = _one_hot(q_values, d)[None, None]
    k = _one_hot(k_values, d)[None, None]
    v = _one_hot(v_values, d)[None, None]
    mask = np.ones((1, n, n), bool) if mask is None else mask[None]
    bias = attention.relative_position_bias(n)
    out = attention.categorical_heads(q, k, v, pred[None], mask, bias, mode, tau, None)
    return np.asarray(out)[0, 0]


def test_categorical_head_softmax_numbers():
    """n = 3, d_var = 2, predicate: query value 0 matches key value 1.

    Query 0 (value 1) matches nothing, so BOS (score 1) takes it all. Queries 1 and 2 (value 0) match keys
    1 and 2, one of them the query itself: logits (0 vs -2) / sqrt(2) share the weight 1 : e^-sqrt(2).
    """
    pred = np.array([[0, 1], [0, 0]], np.float32)
    out = _heads(q_values=[1, 0, 0], k_values=[0, 1, 1], v_values=[0, 1, 0], pred=pred)
    other = 1 / (1 + np.exp(-np.sqrt(2)))  # the matching key that is not the query
    np.testing.assert_allclose(out[0], [1, 0], atol=1e-6)
    np.testing.assert_allclose(out[1], [other, 1 - other], rtol=1e-5)  # key 2 (value 0) wins over self
    np.testing.assert_allclose(out[2], [1 - other, other], rtol=1e-5)  # key 1 (value 1) wins over self


def test_categorical_head_weighs_before_and_after_differently():
    """Query 2 of 5 matches keys 0 and 4 (distance 2 each side): biases -1/4 and -1/3, over sqrt(2)."""
    pred = np.array([[0, 1], [0, 0]], np.float32)
    out = _heads(q_values=[1, 1, 0, 1, 1], k_values=[1, 0, 0, 0, 1], v_values=[0, 1, 1, 1, 1], pred=pred)
    before = 1 / (1 + np.exp(-(1 / 3 - 1 / 4) / np.sqrt(2)))
    np.testing.assert_allclose(out[2], [before, 1 - before], rtol=1e-5)
    hard = _heads(q_values=[1, 1, 0, 1, 1], k_values=[1, 0, 0, 0, 1], v_values=[0, 1, 1, 1, 1], pred=pred, mode="argmax")
    np.testing.assert_array_equal(hard[2], [1, 0])  # the earlier key on equal distance


def test_masked_keys_get_no_weight_and_bos_fills_in():
    """With the only matching key masked (causal: it lies after the query), BOS takes the query."""
    pred = np.array([[0, 1], [0, 0]], np.float32)
    causal = np.tril(np.ones((3, 3), bool))
    out = _heads(q_values=[1, 0, 1], k_values=[0, 0, 1], v_values=[0, 1, 1], pred=pred, mask=causal)
    np.testing.assert_allclose(out[1], [1, 0], atol=1e-6)


@pytest.mark.parametrize("value", [None, [2.0, 0.5, 1.0, 3.0]])
def test_numerical_head_sums_over_matching_valid_keys(value):
    """No softmax and no BOS default: the sum of the value (ones: the count) over matching keys."""
    d = 3
    pred = np.zeros((d, d), np.float32)
    pred[0, 1] = pred[0, 2] = 1  # value 0 matches 1 and 2
    q_values, k_values = [0, 0, 2, 0], [1, 2, 0, 0]
    v = np.ones(4, np.float32) if value is None else np.array(value, np.float32)
    mask = np.ones((1, 4, 4), bool)
    mask[0, 3, 1] = False
    out = attention.numerical_heads(
        _one_hot(q_values, d)[None, None], _one_hot(k_values, d)[None, None], v[None, None], pred[None], mask
    )
    expected = [v[0] + v[1], v[0] + v[1], 0.0, v[0]]
    np.testing.assert_allclose(np.asarray(out)[0, 0], expected, rtol=1e-6)
