"""Interleaved A/B timing of the training epoch at git revisions (or the working tree).

  python benchmarks/compare_revisions.py HEAD~1 WORKTREE [--config=configs/sort.py] [--seeds=5] [--rounds=6]

Each revision runs in its own worker process, from `git archive` of that revision (WORKTREE: this checkout);
the parent asks the workers for one epoch at a time, in alternating order, so that every revision sees the
same machine load. On a shared machine only figures from one run can be compared: the median of several
rounds, in ms per training step, wall and CPU (all threads), plus page faults per step (XLA allocates its
temporary buffer afresh for every epoch call, and first-touch page faults are a visible part of a step).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def extract(revision: str, into: Path) -> Path:
    """The source tree of a revision: this checkout for WORKTREE, else `git archive` unpacked."""
    if revision == "WORKTREE":
        return REPO
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "tpjax", "configs"], check=True,
                             capture_output=True).stdout
    target = into / revision.replace("/", "_").replace("~", "_").replace("^", "_")
    target.mkdir(parents=True)
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(target, filter="data")
    return target


def worker(tree: str, config: str, n_seeds: int, steps: int) -> None:
    """Builds one revision's epoch function, then runs one epoch per line read on stdin."""
    sys.path.insert(0, tree)
    import jax.numpy as jnp
    import optax
    from ml_collections import config_flags  # noqa: F401  (config files import it)

    from tpjax import tasks
    from tpjax.model.build import build_model
    from tpjax.train import step
    from tpjax.train.loop import vmapped_seeds

    namespace: dict = {}
    exec(compile(Path(tree, config).read_text(), config, "exec"), namespace)
    c = namespace["get_config"]()
    dataset = tasks.make_dataset(c)
    model = build_model(c, dataset)
    train = dataset.splits["train"]
    n = train.inputs.shape[0] if steps <= 0 else min(train.inputs.shape[0], steps * c.batch_size)
    n_batches = -(-n // c.batch_size)
    total = c.n_epochs * -(-train.inputs.shape[0] // c.batch_size)
    tx = optax.adam(c.lr)
    schedule = lambda s: step.tau_at(s, total, c.gumbel.tau_start, c.gumbel.tau_end)  # noqa: E731
    states = step.init_states(vmapped_seeds(list(range(n_seeds))), model, tx, jnp.asarray(train.inputs[:2]))
    epoch_fn = step.make_epoch_fn(model.apply, tx, schedule, c.batch_size)
    x, y = jnp.asarray(train.inputs[:n]), jnp.asarray(train.targets[:n])
    states, loss = epoch_fn(states, x, y, jnp.int32(0))
    loss.block_until_ready()
    print(json.dumps({"ready": True, "source": str(Path(step.__file__).parent.parent)}), flush=True)
    for epoch, _ in enumerate(sys.stdin, start=1):
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        wall, cpu = time.perf_counter(), time.process_time()
        states, loss = epoch_fn(states, x, y, jnp.int32(epoch))
        loss.block_until_ready()
        print(json.dumps({
            "wall_ms": 1000 * (time.perf_counter() - wall) / n_batches,
            "cpu_ms": 1000 * (time.process_time() - cpu) / n_batches,
            "faults": (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / n_batches,
        }), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", help="git revisions, or WORKTREE for this checkout")
    parser.add_argument("--config", default="configs/sort.py", help="config file, relative to the repository")
    parser.add_argument("--seeds", type=int, default=5, help="seeds trained side by side")
    parser.add_argument("--rounds", type=int, default=6, help="timed epochs per revision")
    parser.add_argument("--steps", type=int, default=0, help="steps per epoch (0: the whole training split)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.config, args.seeds, args.steps)
        return
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for rev in args.revisions:
            tree = extract(rev, Path(tmp))
            cmd = [sys.executable, __file__, "--worker", str(tree), "--config", args.config, "--seeds",
                   str(args.seeds), "--steps", str(args.steps), rev]
            procs[rev] = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                          env={**os.environ, "PYTHONPATH": str(tree)})
        for rev, proc in procs.items():
            ready = json.loads(proc.stdout.readline())
            print(f"# {rev}: compiled, running {ready['source']}", flush=True)
        results: dict[str, list[dict]] = {rev: [] for rev in procs}
        order = list(procs)
        for r in range(args.rounds):
            for rev in order if r % 2 == 0 else order[::-1]:
                procs[rev].stdin.write("run\n")
                procs[rev].stdin.flush()
                results[rev].append(json.loads(procs[rev].stdout.readline()))
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    print("| revision | wall ms / step | CPU ms / step | page faults / step |")
    print("|---|---:|---:|---:|")
    for rev, rows in results.items():
        med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
        print(f"| {rev} | {med['wall_ms']:.1f} | {med['cpu_ms']:.1f} | {med['faults']:.0f} |")


if __name__ == "__main__":
    main()
