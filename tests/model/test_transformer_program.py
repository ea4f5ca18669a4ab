"""Behaviour of the Transformer Program: masks, padding, relaxation modes, snapped == integer model."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tpjax.model import attention, discrete
from tpjax.model.transformer_program import ProgramSpec, TransformerProgram


def make_spec(**kw) -> ProgramSpec:
    base = dict(
        vocab_size=7, n_classes=5, n_ctx=8, d_var=8, n_layers=2, n_heads_cat=2, n_heads_num=2,
        n_mlps_cat=1, n_mlps_num=1, d_mlp=16, mlp_vars_in=2, num_max=8, causal=False,
    )
    base.update(kw)
    return ProgramSpec(**base)


def random_tokens(rng: np.random.Generator, n: int, spec: ProgramSpec, min_len: int = 1) -> np.ndarray:
    """BOS (id 1) then a random body of random length, then padding."""
    x = np.zeros((n, spec.n_ctx), np.int32)
    lengths = rng.integers(min_len, spec.n_ctx + 1, n)
    for i, length in enumerate(lengths):
        x[i, 0] = 1
        x[i, 1:length] = rng.integers(2, spec.vocab_size, length - 1)
    return x


def init(spec: ProgramSpec, seed: int = 0):
    """Random parameters, biases included: zero-initialised biases make an MLP whose hidden units are all
    off output exact ties, which the relaxed modes average and the argmax breaks."""
    model = TransformerProgram(spec)
    params = model.init(jax.random.key(seed), jnp.ones((1, spec.n_ctx), jnp.int32))["params"]
    leaves, tree = jax.tree_util.tree_flatten_with_path(params)
    keys = jax.random.split(jax.random.key(seed + 1000), len(leaves))
    leaves = [
        jax.random.normal(k, x.shape) if "_b" in jax.tree_util.keystr(path) else x
        for k, (path, x) in zip(keys, leaves)
    ]
    return model, jax.tree_util.tree_unflatten(tree, leaves)


def snapped(spec, params, tokens):
    dp = discrete.discretize(params, spec)
    return np.asarray(discrete.run_discrete(dp, jnp.asarray(tokens), spec))


SPECS = [
    make_spec(),
    make_spec(causal=True),
    make_spec(n_layers=3, n_heads_num=0, n_mlps_num=0),
    make_spec(n_layers=1, n_heads_cat=0, n_mlps_cat=0, mlp_vars_in=1),
    make_spec(n_layers=2, n_heads_cat=1, n_heads_num=0, n_mlps_cat=0, n_mlps_num=0, causal=True, n_ctx=10, d_var=10),
    make_spec(d_var=12, n_ctx=6, vocab_size=12, mlp_vars_in=3, num_max=6),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"L{s.n_layers}c{s.n_heads_cat}n{s.n_heads_num}causal{s.causal}")
def test_argmax_mode_equals_integer_snapped_model(spec):
    rng = np.random.default_rng(0)
    for seed in range(4):
        model, params = init(spec, seed)
        tokens = random_tokens(rng, 256, spec)
        logits = model.apply({"params": params}, tokens, mode="argmax")
        valid = tokens != 0
        np.testing.assert_array_equal(np.argmax(logits, -1)[valid], snapped(spec, params, tokens)[valid])


@pytest.mark.parametrize("mode", ["softmax", "argmax"])
def test_causal_model_never_reads_the_future(mode):
    spec = make_spec(causal=True, n_layers=3)
    model, params = init(spec)
    rng = np.random.default_rng(1)
    tokens = random_tokens(rng, 64, spec, min_len=spec.n_ctx)
    # Jitted: every cut has the same shapes, so one compilation each instead of eager dispatch per primitive.
    relaxed = jax.jit(lambda x: model.apply({"params": params}, x, mode=mode, tau=0.5))
    dp = discrete.discretize(params, spec)
    snap = jax.jit(lambda x: discrete.run_discrete(dp, x, spec))
    for cut in range(1, spec.n_ctx):
        changed = tokens.copy()
        changed[:, cut:] = rng.integers(2, spec.vocab_size, changed[:, cut:].shape)
        np.testing.assert_allclose(relaxed(tokens)[:, :cut], relaxed(changed)[:, :cut], rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(snap(tokens)[:, :cut], snap(changed)[:, :cut])


@pytest.mark.parametrize("causal", [False, True])
def test_padding_never_changes_an_output(causal):
    """A sequence gives the same outputs alone, trimmed to its length, and padded in a batch."""
    spec = make_spec(causal=causal, n_layers=3)
    model, params = init(spec)
    # Jitted: one compilation per trimmed length, not one per primitive and length as in eager mode.
    soft = jax.jit(lambda x: model.apply({"params": params}, x, mode="softmax", tau=0.7))
    dp = discrete.discretize(params, spec)
    snap = jax.jit(lambda x: discrete.run_discrete(dp, x, spec))
    tokens = random_tokens(np.random.default_rng(2), 32, spec)
    assert {int((t != 0).sum()) for t in tokens} == set(range(1, spec.n_ctx + 1))  # every length, full ones too
    full_soft, full_snap = soft(tokens), snap(tokens)
    np.testing.assert_array_equal(full_snap, snapped(spec, params, tokens))
    for i in range(tokens.shape[0]):
        n = int((tokens[i] != 0).sum())
        trimmed = tokens[i : i + 1, :n]
        np.testing.assert_allclose(soft(trimmed)[0], full_soft[i, :n], rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(snap(trimmed)[0], full_snap[i, :n])


def test_softmax_mode_approaches_argmax_at_low_temperature():
    # Causal, so that no two matching keys sit at the same distance (a tie the relaxed modes average).
    spec = make_spec(n_layers=2, causal=True)
    model, params = init(spec, seed=3)
    tokens = random_tokens(np.random.default_rng(3), 256, spec)
    valid = tokens != 0
    hard = np.argmax(model.apply({"params": params}, tokens, mode="argmax"), -1)
    soft = np.argmax(model.apply({"params": params}, tokens, mode="softmax", tau=1e-4), -1)
    assert np.mean(hard[valid] == soft[valid]) == 1.0
    warm = np.argmax(model.apply({"params": params}, tokens, mode="softmax", tau=3.0), -1)
    assert np.mean(hard[valid] == warm[valid]) < np.mean(hard[valid] == soft[valid])


def test_gumbel_mode_is_random_and_keyed():
    spec = make_spec()
    model, params = init(spec)
    tokens = random_tokens(np.random.default_rng(4), 16, spec)
    a = model.apply({"params": params}, tokens, mode="gumbel", tau=1.0, rng=jax.random.key(0))
    b = model.apply({"params": params}, tokens, mode="gumbel", tau=1.0, rng=jax.random.key(0))
    c = model.apply({"params": params}, tokens, mode="gumbel", tau=1.0, rng=jax.random.key(1))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    with pytest.raises(ValueError, match="needs a PRNG key"):
        model.apply({"params": params}, tokens, mode="gumbel", tau=1.0)


@pytest.mark.parametrize("embed_gumbel", [False, True])
def test_gumbel_mode_draws_noise_for_every_relaxed_choice_from_a_key_of_its_own(monkeypatch, embed_gumbel):
    """DESIGN section 2: in training every relaxed choice is a Gumbel-softmax sample. Per layer these are ten:
    the categorical heads' reads (q, k, v), predicates and attention; the numerical heads' q/k reads, value
    reads and predicates; the categorical MLPs' reads and outputs; the numerical MLPs' reads and outputs (and
    the token embedding, with embed_gumbel). Each must get mode 'gumbel' and noise independent of the others'."""
    from tpjax.model import mlp, relax, transformer_program

    calls = []

    def recording_relax(logits, mode, tau, key, axis=-1):
        calls.append((mode, None if key is None else tuple(np.ravel(jax.random.key_data(key)).tolist())))
        return relax.relax(logits, mode, tau, key, axis)

    spec = make_spec(n_layers=2, embed_gumbel=embed_gumbel)
    model, params = init(spec)
    for module in (transformer_program, attention, mlp):
        monkeypatch.setattr(module, "relax", recording_relax)
    model.apply({"params": params}, random_tokens(np.random.default_rng(5), 4, spec), mode="gumbel", tau=1.0,
                rng=jax.random.key(0))
    assert len(calls) == 10 * spec.n_layers + embed_gumbel
    assert {mode for mode, _ in calls} == {"gumbel"}
    keys = [key for _, key in calls]
    assert None not in keys and len(set(keys)) == len(keys)


def test_unknown_mode_is_rejected():
    spec = make_spec()
    model, params = init(spec)
    with pytest.raises(ValueError, match="unknown relaxation mode"):
        model.apply({"params": params}, random_tokens(np.random.default_rng(0), 2, spec), mode="hard")


def test_padding_class_is_never_predicted():
    spec = make_spec()
    model, params = init(spec)
    params = jax.tree_util.tree_map(lambda x: x, params)
    params["classifier_cat"] = params["classifier_cat"].at[..., 0].set(100.0)
    tokens = random_tokens(np.random.default_rng(5), 64, spec)
    assert (snapped(spec, params, tokens) != 0).all()
    assert (np.argmax(model.apply({"params": params}, tokens, mode="argmax"), -1) != 0).all()


@pytest.mark.parametrize("n_ctx", [3, 8, 17, 52])
def test_bias_and_priority_pick_the_same_key(n_ctx):
    """For every query and every set of matching keys, the float bias and the integer order agree.

    An argmax over a set picks the set's first key in the order (higher score, then lower index, as argmax
    breaks ties), so equal orders over all keys mean the same pick for every one of the 2^n_ctx sets; at
    n_ctx 8 the sets are also enumerated."""
    bias = attention.relative_position_bias(n_ctx)
    prio = attention.selection_priority(n_ctx)
    keys = np.arange(n_ctx)
    for q in range(n_ctx):
        assert len(set(prio[q].tolist())) == n_ctx  # a strict order: no tie left to the argmax
        np.testing.assert_array_equal(np.lexsort((keys, -bias[q])), np.argsort(-prio[q]), err_msg=f"query {q}")
    if n_ctx == 8:
        for q, bits in itertools.product(range(n_ctx), range(1, 2**n_ctx)):
            match = (bits >> keys) & 1 == 1
            by_bias = np.argmax(np.where(match, bias[q], -np.inf))
            assert by_bias == np.argmax(np.where(match, prio[q], np.iinfo(np.int32).min)), (q, match)


def test_select_closest_rule():
    """Nearest match, the earlier one on equal distance, self only when it is the only match."""
    prio = attention.selection_priority(7)
    pick = lambda q, keys: max(keys, key=lambda k: prio[q, k])  # noqa: E731
    assert pick(3, [1, 5]) == 1  # equal distance: earlier
    assert pick(3, [3, 4]) == 4  # self loses to any other match
    assert pick(3, [3]) == 3
    assert pick(3, [0, 6]) == 0
    assert pick(3, [0, 5]) == 5  # nearer wins over earlier
    for q, k1, k2 in itertools.product(range(7), repeat=3):
        if k1 != k2 and q not in (k1, k2) and abs(q - k1) < abs(q - k2):
            assert pick(q, [k1, k2]) == k1


def test_bos_default_when_nothing_matches():
    """A categorical head whose predicate matches no key copies position 0 (BOS)."""
    spec = make_spec(n_layers=1, n_heads_cat=1, n_heads_num=0, n_mlps_cat=0, n_mlps_num=0)
    _, params = init(spec)
    dp = discrete.discretize(params, spec)
    dp["layers"][0]["cat_read"] = jnp.array([[1], [0], [0]], jnp.int32)  # query positions, key tokens, value tokens
    dp["layers"][0]["cat_pred"] = jnp.full((1, spec.d_var), spec.d_var - 1, jnp.int32)  # asks for an absent token
    tokens = random_tokens(np.random.default_rng(6), 8, spec)
    x_cat, _ = discrete.run_layers(dp, jnp.asarray(tokens), spec)
    head = np.asarray(x_cat[:, :, 2])
    valid = tokens != 0
    assert (head[valid] == 1).all()  # the BOS token id


def test_initial_parameters_are_flax_normal_draws(monkeypatch):
    """The compile-time barrier in `normal` changes no initial value (under jit, vmapped, as training inits)."""
    from flax import linen as nn

    from tpjax.model import transformer_program

    spec = make_spec()
    keys = jax.random.split(jax.random.key(3), 2)

    def init_all():
        model = TransformerProgram(spec)
        fn = jax.jit(jax.vmap(lambda k: model.init(k, jnp.ones((2, spec.n_ctx), jnp.int32))["params"]))
        return fn(keys)

    ours = init_all()
    monkeypatch.setattr(transformer_program, "normal", lambda std: nn.initializers.normal(stddev=std))
    plain = init_all()
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(plain)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("cat_heads", [0, 2], ids=["numerical heads only", "categorical heads too"])
def test_inputs_longer_than_the_context_are_refused_by_every_model(cat_heads):
    """Past n_ctx there is no position embedding; a gather there would quietly read the last row instead."""
    from tpjax.model.standard import StandardSpec, StandardTransformer

    spec = make_spec(n_heads_cat=cat_heads, n_mlps_cat=int(cat_heads > 0), mlp_vars_in=1)
    model, params = init(spec)
    too_long = jnp.ones((2, spec.n_ctx + 2), jnp.int32)
    message = f"inputs of length {spec.n_ctx + 2} are longer than the model's context length {spec.n_ctx}"
    with pytest.raises(ValueError, match=message):
        model.apply({"params": params}, too_long, mode="argmax")
    with pytest.raises(ValueError, match=message):
        discrete.run_discrete(discrete.discretize(params, spec), too_long, spec)
    standard = StandardTransformer(
        StandardSpec(vocab_size=7, n_classes=5, n_ctx=spec.n_ctx, n_layers=1, d_model=8, n_heads=2, d_ff=8, causal=False)
    )
    standard_params = standard.init(jax.random.key(0), jnp.ones((1, spec.n_ctx), jnp.int32))["params"]
    with pytest.raises(ValueError, match=message):
        standard.apply({"params": standard_params}, too_long)
    assert standard.apply({"params": standard_params}, too_long[:, : spec.n_ctx]).shape == (2, spec.n_ctx, 5)
