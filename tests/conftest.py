"""Suite-wide set-up: one XLA compilation cache for the test session, shared by every test and the processes
tests start; and the `same_parameters` fixture, which compares two runs' trained parameters.

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
from collections.abc import Callable

import jax
import numpy as np
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


def _same_parameters(one: str, rows_one: list[int], other: str, rows_other: list[int]) -> None:
    """Bitwise the same trained parameters in those seed rows of two workdirs' latest checkpoints."""
    from tpjax.train import load_run

    pairs = zip(jax.tree.leaves(load_run(one).params), jax.tree.leaves(load_run(other).params), strict=True)
    for a, b in pairs:
        np.testing.assert_array_equal(np.asarray(a)[rows_one], np.asarray(b)[rows_other])


@pytest.fixture
def same_parameters() -> Callable[[str, list[int], str, list[int]], None]:
    """Compares trained parameters row by row: the snapped figures of results.json can hide last bits."""
    return _same_parameters
