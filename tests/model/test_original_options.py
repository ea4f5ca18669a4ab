"""Options that reproduce details of the original code (found in the double_hist investigation).

- model.num_max: numerical MLP inputs are clipped to [0, num_max]. The original never clips;
  num_max = n_ctx ** n_layers is lossless, because a numerical head sums at most n_ctx values of a
  variable bounded by the previous layer's bound, in the relaxed model as well. That is the default
  (num_max = 0) wherever the snapped table stays within 2^20 entries.
- model.embed_gumbel: tokens enter as the original's relaxed one-hot (a Gumbel sample of 20*onehot-10).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tpjax import config as config_lib
from tpjax.model import discrete, mlp
from tpjax.model.transformer_program import ProgramSpec, TransformerProgram, token_embedding


def make_spec(**kw) -> ProgramSpec:
    base = dict(
        vocab_size=8, n_classes=7, n_ctx=8, d_var=8, n_layers=2, n_heads_cat=2, n_heads_num=2,
        n_mlps_cat=1, n_mlps_num=1, d_mlp=16, mlp_vars_in=2, num_max=8, causal=False,
    )
    base.update(kw)
    return ProgramSpec(**base)


def pick(shape, index):
    """Read logits that choose `index` along the last axis (+10 there, -10 elsewhere)."""
    return jnp.asarray(np.where(np.arange(shape[-1]) == index, 10.0, -10.0) * np.ones(shape), jnp.float32)


def counting_params(spec, seed=0):
    """Layer 0 heads count equal tokens; layer 1 heads sum those counts over equal tokens (c * c); the
    layer-1 numerical MLP reads the first layer-1 head twice, so it sees values up to n_ctx ** 2."""
    model = TransformerProgram(spec)
    params = model.init(jax.random.key(seed), jnp.ones((1, spec.n_ctx), jnp.int32))["params"]
    params = jax.tree_util.tree_map(lambda x: x, params)
    d = spec.d_var
    eye_pred = jnp.asarray(np.eye(d) * 20.0 - 10.0, jnp.float32)
    for layer in range(2):
        p = dict(params[f"layer_{layer}"])
        p["num_read_qk"] = pick(p["num_read_qk"].shape, 0)  # q and k read tokens
        p["num_pred"] = jnp.broadcast_to(eye_pred, p["num_pred"].shape)  # match equal tokens
        p["num_read_v"] = pick(p["num_read_v"].shape, 0 if layer == 0 else 1)  # ones, then layer-0 count
        if layer == 1:
            p["mlp_num_read"] = pick(p["mlp_num_read"].shape, 1 + spec.n_heads_num)  # first layer-1 head
            # random biases, so that the MLP is not flat in its input
            p["mlp_num_b1"] = jax.random.normal(jax.random.key(seed + 1), p["mlp_num_b1"].shape)
        params[f"layer_{layer}"] = p
    return model, params


def seven_equal_tokens(spec):
    x = np.zeros((2, spec.n_ctx), np.int32)
    x[:, 0] = 1
    x[0, 1:] = 2  # body: 7 times the same value: counts 7, sums of counts 49
    x[1, 1:4] = [2, 3, 4]  # counts 1: sums 1
    return jnp.asarray(x)


def test_num_max_clips_numerical_mlp_inputs():
    x = jnp.asarray([[[0.0, 3.0, 20.0, 49.0]]])  # (M=1, R=1, N=4)
    params = {
        "w1": jnp.ones((1, 1, 4)), "b1": -jnp.arange(4.0)[None] * 10.0,
        "w2": jnp.eye(4)[None], "b2": jnp.zeros((1, 4)),
    }
    clipped = mlp.numerical_mlps(x, 8, params, "softmax", 1.0, None)
    lossless = mlp.numerical_mlps(x, 512, params, "softmax", 1.0, None)
    unclipped = mlp._relaxed_output(jnp.swapaxes(x, 1, 2), params, "softmax", 1.0, None)
    np.testing.assert_allclose(lossless, unclipped, rtol=1e-6)
    np.testing.assert_allclose(clipped[0, :2], unclipped[0, :2], rtol=1e-6)  # 0 and 3 are below 8
    np.testing.assert_array_equal(clipped[0, 2], clipped[0, 3])  # 20 and 49 both become 8
    assert not np.allclose(clipped[0, 3], unclipped[0, 3])


def with_step_mlp(params):
    """The layer-1 numerical MLP as a step between 8 and 49: its output is value 0 up to an input of 20 (both
    reads 20: 40 in) and value 3 above, so that clipping 49 to 8 changes even the snapped model's choice."""
    p = dict(params["layer_1"])
    p["mlp_num_w1"] = jnp.zeros_like(p["mlp_num_w1"]).at[:, :, 0].set(1.0)
    p["mlp_num_b1"] = jnp.zeros_like(p["mlp_num_b1"]).at[:, 0].set(-40.0)
    p["mlp_num_w2"] = jnp.zeros_like(p["mlp_num_w2"]).at[:, 0, 3].set(1.0)
    p["mlp_num_b2"] = jnp.zeros_like(p["mlp_num_b2"]).at[:, 0].set(0.5)
    return {**params, "layer_1": p}


@pytest.mark.parametrize("mode", ["softmax", "argmax"])
def test_num_max_reaches_the_model_when_counts_are_summed(mode):
    tokens = seven_equal_tokens(make_spec())
    out = {}
    for num_max in (8, 64):
        spec = make_spec(num_max=num_max)
        model, params = counting_params(spec)
        params = with_step_mlp(params)
        out[num_max] = np.asarray(model.apply({"params": params}, tokens, mode=mode, tau=1.0))
        if mode == "argmax":  # the integer model agrees with the float snapped model at any num_max
            dp = discrete.discretize(params, spec)
            np.testing.assert_array_equal(
                np.asarray(discrete.run_discrete(dp, tokens, spec))[tokens != 0],
                out[num_max].argmax(-1)[tokens != 0],
            )
    # the second example never exceeds 8: identical; the first feeds 49 to the layer-1 numerical MLP
    np.testing.assert_allclose(out[8][1], out[64][1], rtol=1e-6)
    assert not np.allclose(out[8][0, 1:], out[64][0, 1:])


def test_embed_gumbel_default_is_exact_one_hot():
    spec = make_spec()
    toks = jnp.asarray([0, 1, 2, 7])
    for mode in ("gumbel", "softmax", "argmax"):
        e = token_embedding(toks, spec, mode, 3.0, jax.random.key(0))
        np.testing.assert_array_equal(e, jax.nn.one_hot(toks, spec.d_var))


def test_embed_gumbel_is_a_relaxed_one_hot_shared_by_the_batch():
    spec = make_spec(embed_gumbel=True)
    toks = jnp.asarray([2, 5, 2, 5, 7])
    e = np.asarray(token_embedding(toks, spec, "gumbel", 3.0, jax.random.key(0)))
    assert not np.array_equal(e, np.asarray(jax.nn.one_hot(toks, spec.d_var)))
    np.testing.assert_allclose(e.sum(-1), 1.0, rtol=1e-5)
    assert np.all(e[np.arange(5), np.asarray(toks)] > 0.9)  # logits +-10 at tau 3: about 0.99
    np.testing.assert_array_equal(e[0], e[2])  # one sample per forward pass, shared by equal tokens
    e2 = np.asarray(token_embedding(toks, spec, "gumbel", 3.0, jax.random.key(1)))
    assert not np.array_equal(e, e2)  # fresh noise per key (per step)
    soft = np.asarray(token_embedding(toks, spec, "softmax", 3.0, None))
    np.testing.assert_allclose(soft[0, 2], 1.0 / (1.0 + 7.0 * np.exp(-20.0 / 3.0)), rtol=1e-5)
    np.testing.assert_array_equal(token_embedding(toks, spec, "argmax", 3.0, None), jax.nn.one_hot(toks, spec.d_var))
    # negligible once the temperature is low
    cold = np.asarray(token_embedding(toks, spec, "gumbel", 0.5, jax.random.key(0)))
    np.testing.assert_allclose(cold, jax.nn.one_hot(toks, spec.d_var), atol=1e-6)


def test_embed_gumbel_changes_training_forward_but_not_the_snapped_model():
    base, on = make_spec(), make_spec(embed_gumbel=True)
    model = TransformerProgram(base)
    rng = np.random.default_rng(0)
    tokens = np.zeros((16, 8), np.int32)
    tokens[:, 0] = 1
    tokens[:, 1:] = rng.integers(2, 8, (16, 7))
    tokens = jnp.asarray(tokens)
    params = model.init(jax.random.key(0), tokens)["params"]
    key = jax.random.key(3)
    a = model.apply({"params": params}, tokens, mode="gumbel", tau=3.0, rng=key)
    b = TransformerProgram(on).apply({"params": params}, tokens, mode="gumbel", tau=3.0, rng=key)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(
        model.apply({"params": params}, tokens, mode="argmax"),
        TransformerProgram(on).apply({"params": params}, tokens, mode="argmax"),
    )


def test_config_embed_gumbel_default_and_validation():
    c = config_lib.base_config()
    assert c.model.embed_gumbel is False
    c.task = "double_hist"
    config_lib.validate(c)
    c.model.embed_gumbel = True
    config_lib.validate(c)
    with pytest.raises(TypeError):  # ConfigDict keeps the field a bool
        c.model.embed_gumbel = 1


def test_default_num_max_does_not_clip_where_the_table_fits():
    from tpjax.model.build import NUM_TABLE_ENTRIES, default_num_max

    assert default_num_max(8, 3, 2) == 8**3  # the RASP tasks at length 8: no clip at all
    assert default_num_max(8, 1, 2) == 8
    capped = default_num_max(16, 3, 2)  # Dyck: 4096 would need a table of 4097**2 entries
    assert capped < 16**3 and (capped + 1) ** 2 <= NUM_TABLE_ENTRIES < (capped + 2) ** 2
    for inputs in (1, 3, 4):
        capped = default_num_max(81, 4, inputs)
        assert (capped + 1) ** inputs <= NUM_TABLE_ENTRIES < (capped + 2) ** inputs


def test_numerical_tables_are_the_same_whatever_the_chunk(monkeypatch):
    spec = make_spec(num_max=64)
    params = TransformerProgram(spec).init(jax.random.PRNGKey(3), jnp.ones((2, spec.n_ctx), jnp.int32))["params"]
    whole = discrete.discretize(params, spec)
    monkeypatch.setattr(discrete, "TABLE_CHUNK", 7)  # many chunks, the last one padded
    chunked = discrete.discretize(params, spec)
    for a, b in zip(whole["layers"], chunked["layers"]):
        assert a["mlp_num_table"].shape == b["mlp_num_table"].shape
        np.testing.assert_array_equal(np.asarray(a["mlp_num_table"]), np.asarray(b["mlp_num_table"]))
    sizes = [layer["mlp_num_table"].shape[1] for layer in whole["layers"]]
    assert sizes == [(min(64, spec.n_ctx ** (l + 1)) + 1) ** 2 for l in range(spec.n_layers)]
