"""tpjax: Learning Transformer Programs in JAX/Flax."""
