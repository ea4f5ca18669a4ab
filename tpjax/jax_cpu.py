"""JAX's threefry hash lowered unrolled on CPU, as JAX lowers it on every other backend.

On CPU, JAX emits threefry2x32 as a rolled five-step loop, so every key split, fold_in and draw in a
program becomes a while loop of its own, which XLA:CPU compiles slowly: initialising the sort config's
seeds (some fifty draws and splits each) took 15 s to compile, 7 s unrolled. The hash is integer
arithmetic, so every random number stays bitwise the same (tests/test_jax_cpu.py).
"""

from __future__ import annotations


def unroll_threefry() -> bool:
    """Registers JAX's own unrolled threefry lowering for CPU; False where this JAX lacks it (nothing changes)."""
    try:
        from jax._src.interpreters import mlir
        from jax._src.random import threefry2x32 as threefry

        primitive, rule = threefry.threefry2x32_p, threefry._threefry2x32_lowering_rule
    except (ImportError, AttributeError):
        return False
    mlir.register_lowering(primitive, rule, platform="cpu")
    return True
