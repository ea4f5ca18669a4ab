"""DESIGN section 4: the interpreter, the emitted module and the snapped model agree on every token.

Random configs, random parameters (some predicates forced into the shapes the simplifier rewrites:
"key == query + c", constants, rows that never match) and random inputs with many ties. Zero
mismatches is the only pass.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpjax.model import discrete
from tpjax.model.transformer_program import ProgramSpec, TransformerProgram
from tpjax.program import emit, extract, interpret

_counter = itertools.count()


@st.composite
def specs(draw) -> ProgramSpec:
    n_ctx = draw(st.integers(2, 10))
    vocab = draw(st.integers(3, 10))
    heads = draw(st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(any))
    return ProgramSpec(
        vocab_size=vocab,
        n_classes=draw(st.integers(2, 6)),
        n_ctx=n_ctx,
        d_var=max(vocab, n_ctx) + draw(st.integers(0, 4)),
        n_layers=draw(st.integers(1, 4)),
        n_heads_cat=heads[0],
        n_heads_num=heads[1],
        n_mlps_cat=draw(st.integers(0, 2)),
        n_mlps_num=draw(st.integers(0, 2)),
        d_mlp=8,
        mlp_vars_in=draw(st.integers(1, 3)),
        num_max=draw(st.sampled_from([n_ctx, max(1, n_ctx // 2), 2 * n_ctx, n_ctx**2])),
        causal=draw(st.booleans()),
    )


@functools.lru_cache(maxsize=None)
def _snapped_fns(spec: ProgramSpec):
    """Parameter shapes (traced, not compiled: compiling the model's init costs a minute), snap, run."""
    shapes = jax.eval_shape(TransformerProgram(spec).init, jax.random.key(0), jnp.ones((1, spec.n_ctx), jnp.int32))
    snap = jax.jit(jax.vmap(lambda p: discrete.discretize(p, spec)))
    run = jax.jit(jax.vmap(lambda dp, x: discrete.run_discrete(dp, x, spec), in_axes=(0, None)))
    return shapes["params"], snap, run


def random_params(shapes, rng: np.random.Generator, n_models: int) -> dict:
    """Standard normal draws (N(0, 1) makes every read, predicate and MLP choice a random one)."""
    return jax.tree_util.tree_map(lambda s: rng.standard_normal((n_models,) + s.shape).astype(np.float32), shapes)


def _shape_predicates(params: dict, rng: np.random.Generator) -> dict:
    """Overwrite some predicate tables with shifts, constants or shifts with an exception: every form is exercised."""
    for layer in params.values():
        for name in ("cat_pred", "num_pred"):
            if name not in layer:
                continue
            s, h, d, _ = layer[name].shape
            for i, j in itertools.product(range(s), range(h)):
                form = rng.integers(0, 5)
                if form in (1, 3):
                    layer[name][i, j] = 10.0 * np.eye(d, k=int(rng.integers(-2, 3)))
                elif form == 2:
                    layer[name][i, j] = 0.0
                    layer[name][i, j, :, rng.integers(0, d)] = 10.0
                if form == 3:  # a rule with an exception
                    layer[name][i, j, rng.integers(0, d)] = 10.0 * np.eye(d)[rng.integers(0, d)]
    return params


def random_inputs(rng: np.random.Generator, spec: ProgramSpec, n: int) -> np.ndarray:
    """`<s>` then real tokens (few distinct values, so attention ties are common), padded with 0."""
    n_values = int(rng.integers(1, spec.vocab_size - 1))
    tokens = rng.integers(2, 2 + n_values, size=(n, spec.n_ctx))
    tokens[:, 0] = 1
    lengths = rng.integers(1, spec.n_ctx + 1, size=n)
    tokens[np.arange(spec.n_ctx)[None, :] >= lengths[:, None]] = 0
    return tokens.astype(np.int32)


def load_module(directory) -> object:
    spec = importlib.util.spec_from_file_location(f"emitted_{next(_counter)}", directory / "program.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_agreement(spec: ProgramSpec, seed: int, n_models: int, n_inputs: int, tmp_path) -> None:
    """Asserts zero mismatching tokens over n_models random models x n_inputs inputs."""
    shapes, snap, run = _snapped_fns(spec)
    rng = np.random.default_rng(seed)
    params = _shape_predicates(random_params(shapes, rng, n_models), rng)
    snapped = snap(params)
    tokens = random_inputs(rng, spec, n_inputs)
    want_S = np.asarray(run(snapped, jnp.asarray(tokens)))
    real = tokens != 0
    vocab = ("<pad>", "<s>") + tuple(f"t{i}" for i in range(2, spec.vocab_size))
    labels = tuple(f"c{i}" for i in range(spec.n_classes))
    for s in range(n_models):
        dp = jax.tree_util.tree_map(lambda x: np.asarray(x[s]), snapped)
        program = extract.extract(dp, spec, vocab, labels, {"task": "random", "seed": s})
        from_ir = interpret.run_ids(program, tokens)
        out = tmp_path / f"model_{seed}_{s}"
        emit.write(program, str(out))
        emitted = np.asarray(program.classifier.classes)[load_module(out).predict(tokens.astype(np.int64))]
        for name, got in (("interpreter", from_ir), ("emitted module", emitted)):
            bad = np.argwhere((got != want_S[s]) & real)
            assert bad.size == 0, (
                f"{name} differs from the snapped model on {len(bad)} tokens, first at input "
                f"{tokens[bad[0][0]].tolist()} position {bad[0][1]} ({spec}, model {s})"
            )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs(), seed=st.integers(0, 2**16))
def test_program_equals_snapped_model(spec, seed, tmp_path_factory):
    # 12 configs x 16 models x 64 inputs: 12,288 (model, input) pairs.
    check_agreement(spec, seed, 16, 64, tmp_path_factory.mktemp("p"))


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs(), seed=st.integers(0, 2**16))
def test_program_equals_snapped_model_many(spec, seed, tmp_path_factory):
    # 50 configs x 32 models x 64 inputs: 102,400 (model, input) pairs.
    check_agreement(spec, seed, 32, 64, tmp_path_factory.mktemp("p"))
