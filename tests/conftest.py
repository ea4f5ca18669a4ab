"""Suite-wide set-up: one XLA compilation cache for the test session, shared by every test and the processes
tests start.

Most of the suite's time is XLA compiling small models, often the same program in several tests (and in the
`python -m tpjax.main` subprocesses of the end-to-end tests). JAX's persistent cache keys an executable by the
program, its compile options, the XLA flags, the devices and the jax version, so a hit is the executable a fresh
compile gives. The cache is a temporary folder made for the session and removed after it, so every run starts
cold, as CI does; xdist workers and subprocesses find it through the environment. A JAX_COMPILATION_CACHE_DIR
set by the caller is used as it is and kept.
"""

import os
import shutil
import tempfile

import jax
import pytest

_MADE_HERE = "_tpjax_compilation_cache"


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="tpjax-test-xla-cache-")
        setattr(config, _MADE_HERE, os.environ["JAX_COMPILATION_CACHE_DIR"])
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"
    jax.config.update("jax_compilation_cache_dir", os.environ["JAX_COMPILATION_CACHE_DIR"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


def pytest_unconfigure(config: pytest.Config) -> None:
    made = getattr(config, _MADE_HERE, None)
    if made:
        shutil.rmtree(made, ignore_errors=True)
        del os.environ["JAX_COMPILATION_CACHE_DIR"]
