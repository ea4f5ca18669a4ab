#!/usr/bin/env bash
# Runs every shard of a tpjax sweep on this machine, N at a time, then writes the summaries once.
#
#   launch/local_sweep.sh N_SHARDS N_PARALLEL --config=configs/sweeps/paper.py --task=sort [SWEEP FLAGS...]
#
# Shard i runs `python -m tpjax.experiments.sweep SWEEP_FLAGS --shard=i/N_SHARDS`, its output in
# $LOG_DIR/shard-i-of-N_SHARDS.log (default LOG_DIR: runs/sweeps/logs). Re-running the same command
# skips finished points and resumes killed ones. PYTHON picks the interpreter (default: python).
# Exits non-zero if any shard or the summary failed.
set -euo pipefail

usage() {
  echo "usage: $0 N_SHARDS N_PARALLEL --config=configs/sweeps/<name>.py --task=<task>[,<task>...] [SWEEP FLAGS...]" >&2
  echo "  runs shards 0/N_SHARDS .. N_SHARDS-1/N_SHARDS of the sweep, N_PARALLEL at a time, then --aggregate_only" >&2
  exit 2
}

if [[ $# -lt 3 || ! "$1" =~ ^[1-9][0-9]*$ || ! "$2" =~ ^[1-9][0-9]*$ ]]; then
  usage
fi
n_shards=$1
n_parallel=$2
shift 2
python=${PYTHON:-python}
log_dir=${LOG_DIR:-runs/sweeps/logs}
mkdir -p "$log_dir"

show() {  # the command about to run, quoted so that it can be pasted back
  printf '+'
  printf ' %q' "$@"
}

failed=0
running=0
for ((i = 0; i < n_shards; i++)); do
  if ((running >= n_parallel)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
  log="$log_dir/shard-$i-of-$n_shards.log"
  show "$python" -m tpjax.experiments.sweep "$@" "--shard=$i/$n_shards"
  printf ' > %q 2>&1 &\n' "$log"
  "$python" -m tpjax.experiments.sweep "$@" "--shard=$i/$n_shards" >"$log" 2>&1 &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
if ((failed)); then
  echo "some shards failed; see the last lines of their logs in $log_dir" >&2
fi

show "$python" -m tpjax.experiments.sweep "$@" --aggregate_only
echo
"$python" -m tpjax.experiments.sweep "$@" --aggregate_only || failed=1
exit "$failed"
