"""Models: the Transformer Program (relaxed and snapped) and a standard Transformer baseline."""

from tpjax.jax_cpu import unroll_threefry

unroll_threefry()
