"""JAX's threefry hash lowered unrolled on CPU, with the rule JAX itself uses on GPU and TPU.

On CPU, JAX emits threefry2x32 as a rolled five-step loop, so every key split, fold_in and draw in a
program becomes a while loop of its own, which XLA:CPU compiles slowly: initialising the sort config's
seeds (some fifty draws and splits each) took 15 s to compile, 7 s unrolled. The hash is integer
arithmetic, so every random number stays bitwise the same (tests/test_jax_cpu.py checks Random123's
known answers and JAX's own draws). Only JAX versions whose internals this was checked against are
patched; elsewhere nothing changes but the compile time.
"""

from __future__ import annotations

# JAX versions [lo, hi) whose private threefry module this was checked against (0.10.2).
CHECKED = ((0, 6), (0, 11))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


def unroll_threefry() -> bool:
    """Registers JAX's unrolled threefry lowering for CPU; False (and nothing changed) on other JAX versions."""
    import jax

    if not CHECKED[0] <= _version(jax.__version__) < CHECKED[1]:
        return False
    try:
        from jax._src.interpreters import mlir
        from jax._src.random import threefry2x32 as threefry

        primitive, rule = threefry.threefry2x32_p, threefry._threefry2x32_lowering_rule
    except (ImportError, AttributeError):
        return False
    mlir.register_lowering(primitive, rule, platform="cpu", inline=False)
    return True
