"""Seeds sharded over devices: a run on 8 (fake CPU) devices writes the results of the single-device run.

The device count of a JAX process is fixed when it starts, so the sharded runs happen in a subprocess
with XLA_FLAGS=--xla_force_host_platform_device_count=8.
"""

import json
import os
import subprocess
import sys

import jax
import numpy as np
import orbax.checkpoint as ocp
import pytest

from tpjax.config import tiny_config
from tpjax.train import load_run, sharding, train_and_evaluate

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = """
import json, sys
from tpjax.config import tiny_config
from tpjax.train import train_and_evaluate
for n_seeds, workdir in json.loads(sys.argv[1]):
    c = tiny_config("sort")
    c.n_seeds, c.n_epochs = n_seeds, 1
    train_and_evaluate(c, workdir)
"""


def _sharded(runs, n_devices=8):
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={n_devices}", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(runs)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _same_state(one: str, other: str) -> None:
    """Bitwise the same latest checkpoint: parameters, Adam state, step and PRNG keys. The snapped figures of
    results.json and metrics.jsonl can agree where parameters differ in their last bits (the review of the
    eighteenth session saw 12,465 entries differ at the sort config under equal files), and a finished run's
    re-run reads only the parameters."""
    def arrays(workdir: str) -> list[np.ndarray]:
        checkpoints = os.path.join(workdir, "checkpoints")
        step = os.path.join(checkpoints, str(max(int(name) for name in os.listdir(checkpoints) if name.isdigit())))
        items = [ocp.StandardCheckpointer().restore(os.path.join(step, item)) for item in ("params", "train")]
        return [np.asarray(x) for x in jax.tree.leaves(items)]

    a, b = arrays(one), arrays(other)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def _same_files(one: str, other: str) -> None:
    """The same results.json (but for wall time and device) and metrics.jsonl."""
    a, b = (json.load(open(os.path.join(d, "results.json"))) for d in (one, other))
    drop = ("wall_seconds", "device")
    assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
    assert open(os.path.join(one, "metrics.jsonl")).read() == open(os.path.join(other, "metrics.jsonl")).read()


def _same_results(single, sharded, used):
    a, b = (json.load(open(os.path.join(d, "results.json"))) for d in (single, sharded))
    assert b["device"]["count"] == 8 and a["device"]["count"] == 1 and b["device"]["used"] == used
    _same_files(single, sharded)
    _same_state(single, sharded)
    for seed in a["seeds"]:
        program = os.path.join("programs", f"seed_{seed}", "program.py")
        texts = [open(os.path.join(d, program)).read().replace(d, "DIR") for d in (single, sharded)]
        assert texts[0] == texts[1]


@pytest.fixture(scope="module")
def single5(tmp_path_factory) -> str:
    """The tiny sort run of 5 seeds on one device, in this process: what every sharded run below must write."""
    c = tiny_config("sort")
    c.n_seeds, c.n_epochs = 5, 1
    workdir = str(tmp_path_factory.mktemp("single") / "single5")
    train_and_evaluate(c, workdir)
    return workdir


def test_sharded_runs_write_the_single_device_results(tmp_path, single5):
    """5 seeds use 2 of the 8 devices (3 + 2 rows: the padding row is never computed), and the sharded run's
    checkpoint resumes on one device. (3 seeds staying on one device: the slow test below, and the placement
    rules in test_rows_are_spread_at_least_two_to_a_device_and_padded_to_a_multiple.)"""
    workdir = str(tmp_path / "sharded5")
    _sharded([[5, workdir]])
    _same_results(single5, workdir, used=2)
    _resumes_on_one_device(workdir)


def _main(*args: str, timeout: int = 600) -> str:
    """`python -m tpjax.main ARGS` on CPU with the default device count (no XLA_FLAGS); its stderr."""
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"} | {"JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, "-m", "tpjax.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


TINY_CONFIG = 'from tpjax.config import tiny_config\n\n\ndef get_config():\n    return tiny_config("sort")\n'


def test_main_splits_the_seeds_over_two_cpu_devices_by_default(tmp_path, single5):
    """`python -m tpjax.main` on CPU: 5 seeds on 2 devices (--cpu_devices default), single-device numbers."""
    config = tmp_path / "tiny.py"
    config.write_text(TINY_CONFIG)
    workdir = str(tmp_path / "main5")
    assert "rows 3+2 on 2 device(s)" in _main(f"--config={config}", "--config.n_seeds=5", "--config.n_epochs=1",
                                              f"--workdir={workdir}")
    device = json.load(open(os.path.join(workdir, "results.json")))["device"]
    assert device["count"] == 2 and device["used"] == 2
    _same_files(single5, workdir)
    _same_state(single5, workdir)


@pytest.mark.slow
@pytest.mark.parametrize("n_seeds, used", [(16, 8), (3, 1)], ids=["all 8 devices", "3 seeds on one device"])
def test_more_and_fewer_seeds_on_eight_devices_write_the_single_device_results(tmp_path, n_seeds, used):
    """With XLA's default flags on both sides. (Up to the seventeenth session both sides ran with XLA:CPU's
    YNNPACK fusions off: with them on, 16 seeds on 8 devices differed in the 4th-6th digit on an Intel Xeon;
    the training step now compiles with only YNNPACK's dot fusions, tpjax.train.step.compiler_options.)"""
    single, workdir = str(tmp_path / f"single{n_seeds}"), str(tmp_path / f"sharded{n_seeds}")
    _sharded([[n_seeds, single]], n_devices=1)
    _sharded([[n_seeds, workdir]])
    _same_results(single, workdir, used)


def _resumes_on_one_device(workdir):
    """The sharded run's checkpoint has the single-device layout (no padding row): a re-run here re-reads it."""
    assert all(x.shape[0] == 5 for x in jax.tree.leaves(load_run(workdir).params))
    before = json.load(open(os.path.join(workdir, "results.json")))
    os.remove(os.path.join(workdir, "results.json"))
    c = tiny_config("sort")
    c.n_seeds, c.n_epochs = 5, 1
    again = train_and_evaluate(c, workdir)
    assert {k: v for k, v in again.items() if k != "device"} == {k: v for k, v in before.items() if k != "device"}


@pytest.mark.parametrize(
    "rows, n_devices, used, padded",
    [(2, 8, 1, 2), (3, 8, 1, 3), (5, 8, 2, 6), (16, 8, 8, 16), (17, 8, 6, 18), (9, 4, 3, 9), (18, 8, 6, 18),
     (1000, 8, 8, 1000), (7, 1, 1, 7)],
)
def test_rows_are_spread_at_least_two_to_a_device_and_padded_to_a_multiple(rows, n_devices, used, padded):
    assert sharding.devices_used(rows, n_devices) == used
    assert sharding.padded_rows(rows, used) == padded
    assert sharding.padded_rows(rows, used) // used >= min(2, rows)
    assert min(sharding.local_rows(rows, padded, used)) >= min(2, rows)
    assert padded - rows < padded // used  # no device holds padding only


def test_padding_repeats_the_last_row():
    x = np.arange(6).reshape(3, 2)
    np.testing.assert_array_equal(sharding.pad_rows(x, 5), [[0, 1], [2, 3], [4, 5], [4, 5], [4, 5]])
    assert sharding.pad_rows(x, 3) is x


DONATE = """
import jax, numpy as np
from tpjax.train import sharding
mesh = jax.sharding.Mesh(np.array(jax.local_devices()), (sharding.AXIS,))
fn = sharding.per_device(jax.jit(lambda x, k: x + k, donate_argnums=0), mesh)
x = sharding.SeedSharding(mesh, 16, 16).place(np.arange(16, dtype=np.float32))
for _ in range(20):
    x = fn(x, 1.0)
np.testing.assert_array_equal(np.asarray(x), np.arange(16) + 20.0)
"""


def test_per_device_takes_every_shard_before_a_donating_call_deletes_it():
    """A donating function on an array sharded over 8 devices: no device finds its rows already deleted."""
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=8", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", DONATE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_devices_compute_only_their_real_rows_and_never_fewer_than_two():
    assert sharding.local_rows(5, 6, 2) == [3, 2]
    assert sharding.local_rows(6, 6, 2) == [3, 3]
    assert sharding.local_rows(10, 12, 4) == [3, 3, 3, 2]  # one real row: computed beside a padding row
    assert sharding.local_rows(16, 16, 8) == [2] * 8


SKIP_PADDING = """
import jax, numpy as np
from tpjax.train import sharding
placement = sharding.seed_sharding(5)
assert placement.mesh.size == 2 and placement.padded == 6
seen = []
def fn(x, k):
    seen.append(x.shape)
    return x * 10 + k
out = sharding.per_device_of(jax.jit(fn), placement)(placement.place(np.arange(5, dtype=np.float32)), 1.0)
np.testing.assert_array_equal(np.asarray(out), [1, 11, 21, 31, 41, 41])
assert sorted(seen) == [(2,), (3,)], seen
"""


def test_a_device_skips_its_padding_rows():
    """5 rows on 2 devices: one computes 3 rows, the other 2, and the padding row copies the last output."""
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, "-c", SKIP_PADDING], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.slow
def test_the_readme_sort_run_on_two_cpu_devices_gives_the_single_device_numbers(tmp_path):
    """The README's run (sort paper config, 5 seeds, `--cpu_devices` default 2) against one device, 2 epochs.

    The tiny config is too small to show some effects of the model's size (3 CPU devices at the paper configs: the
    tests below); this checks the default at full size over the whole data."""
    sharded, single = str(tmp_path / "two"), str(tmp_path / "one")
    run = ("--config=configs/sort.py", "--config.n_epochs=2", "--config.eval_every=1")
    assert "rows 3+2 on 2 device(s)" in _main(*run, f"--workdir={sharded}", timeout=900)
    assert "rows 5 on 1 device(s)" in _main(*run, "--cpu_devices=1", f"--workdir={single}", timeout=900)
    _same_files(single, sharded)
    _same_state(single, sharded)


def _on_devices(tmp_path, config: str, *counts: int) -> list[str]:
    """Workdirs of 6 seeds trained on each number of CPU devices (3: 2 + 2 + 2), one epoch of two batches."""
    run = (f"--config=configs/{config}", "--config.data.size=1000", "--config.n_epochs=1", "--config.n_seeds=6")
    rows = {1: "6", 2: "3+3", 3: "2+2+2"}
    workdirs = []
    for n in counts:
        workdirs.append(str(tmp_path / f"devices{n}"))
        assert f"rows {rows[n]} on {n} device(s)" in _main(*run, f"--cpu_devices={n}", f"--workdir={workdirs[-1]}",
                                                         timeout=900)
        assert json.load(open(os.path.join(workdirs[-1], "results.json")))["device"]["used"] == n
    return workdirs


@pytest.mark.slow
@pytest.mark.parametrize("task", ["sort", "most_freq", "dyck1", "dyck2"])
def test_three_cpu_devices_give_the_single_device_numbers_at_paper_configs(tmp_path, task):
    """Bitwise, parameters included, at full model size. Up to the seventeenth session a process of 3 or more CPU
    devices trained the sort config to other last bits (XLA:CPU's YNNPACK fusions); Transformer Programs now
    compile with only YNNPACK's dot fusions (tpjax.train.step.compiler_options)."""
    one, three = _on_devices(tmp_path, f"{task}.py", 1, 3)
    _same_state(one, three)
    _same_files(one, three)


@pytest.mark.slow
def test_the_standard_model_trains_alike_on_one_two_and_three_cpu_devices(tmp_path):
    """The standard model: bitwise the same on 1 and 2 CPU devices; on 3 the same parameters and accuracies, but
    evaluation losses may differ in float32's last bit (eighteenth session: 7 of the 18, by about 1e-7 relative;
    XLA:CPU, not YNNPACK, whose fusions this model compiles without, and not Eigen's threads)."""
    one, two, three = _on_devices(tmp_path, "standard.py:sort", 1, 2, 3)
    _same_state(one, two)
    _same_files(one, two)
    _same_state(one, three)
    rows = [[json.loads(line) for line in open(os.path.join(d, "metrics.jsonl"))] for d in (one, three)]
    assert [{k: v for k, v in r.items() if k != "loss"} for r in rows[0]] == \
        [{k: v for k, v in r.items() if k != "loss"} for r in rows[1]]
    np.testing.assert_allclose([r["loss"] for r in rows[1]], [r["loss"] for r in rows[0]], rtol=1e-6, atol=0)
