"""The unrolled threefry lowering: same random numbers as JAX's own CPU lowering, without its loops."""

import json
import os
import subprocess
import sys

import jax
import numpy as np
import pytest

from tpjax.jax_cpu import unroll_threefry


# The known answers and the same-draws check hold with or without the lowering; only the test that it is
# installed needs a JAX version it was checked on.
needs_lowering = pytest.mark.skipif(
    jax.default_backend() != "cpu" or not unroll_threefry(),
    reason=f"the lowering is only installed on CPU, for the JAX versions it was checked on (here {jax.__version__})",
)


_CPU = {**os.environ, "JAX_PLATFORMS": "cpu"}
_DRAWS = """
import json, jax, jax.numpy as jnp
k = jax.random.key(7)
a, b = jax.random.split(k)
out = {
    "bits": jax.random.bits(jax.random.fold_in(k, 3), (5, 3)).tolist(),
    "normal": jax.random.normal(a, (4, 9)).tolist(),
    "perm": jax.random.permutation(b, 50).tolist(),
    "split": jax.random.key_data(jax.random.split(b, 4)).tolist(),
}
print(json.dumps(out))
"""


def test_known_answers_of_threefry_2x32():
    """Random123's known-answer vectors for Threefry-2x32 with 20 rounds, through the installed lowering."""
    from jax.extend.random import threefry_2x32

    cases = [
        ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
        ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
        ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
    ]
    fn = jax.jit(threefry_2x32)
    for key, count, expected in cases:
        got = fn(np.uint32(key), np.uint32(count))
        assert [int(v) for v in got] == list(expected)


_LOWERED = """
import jax
{}
print(jax.jit(lambda k: jax.random.bits(k, (8,))).lower(jax.random.key(0)).as_text())
"""


@needs_lowering
def test_importing_the_model_installs_the_lowering():
    def lowered(prelude: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _LOWERED.format(prelude)], capture_output=True, text=True, check=True, env=_CPU
        ).stdout

    assert "while" in lowered("")  # JAX's own CPU lowering: the rolled loop
    text = lowered("import tpjax.model")
    assert "while" not in text


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="compares two CPU processes")
def test_same_draws_as_jax_without_the_lowering():
    """A fresh interpreter that never imports tpjax (JAX's rolled CPU loop) draws exactly the same numbers."""
    fresh = subprocess.run([sys.executable, "-c", _DRAWS], capture_output=True, text=True, check=True, env=_CPU)
    reference = json.loads(fresh.stdout)
    namespace: dict = {}
    here = _DRAWS.replace("print(json.dumps(out))", "")
    exec(here, namespace)  # noqa: S102  (the same program, in this process)
    for name, values in namespace["out"].items():
        np.testing.assert_array_equal(np.asarray(values), np.asarray(reference[name]), err_msg=name)
