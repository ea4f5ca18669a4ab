#!/usr/bin/env bash
# Trains the seeds of one run in pieces, one piece after the other, then joins them (python -m tpjax.merge)
# into the files of the single run of all those seeds: for a run longer than one sitting, such as a Dyck
# standard baseline on a 2-core CPU (about 1.8 h per two seeds).
#
#   launch/pieces.sh [--dry-run] OUT N_SEEDS PIECE --config=configs/standard.py:dyck1 [MAIN FLAGS...]
#
# Seeds 0 .. N_SEEDS-1 (FIRST_SEED=s shifts them) go in pieces of PIECE seeds (a lone seed left at the end
# joins the piece before it: alone it would train beside a dropped companion, costing a piece of two), piece a..b trained by
# `python -m tpjax.main MAIN FLAGS --config.seed=a --config.n_seeds=<b-a+1> --workdir=OUT-pieces/a-b`, then
# `python -m tpjax.merge --out=OUT --n_seeds=N_SEEDS OUT-pieces/...`. A seed's numbers do not depend on the seeds beside it, so
# OUT holds what one run of all the seeds would. Re-running the same command skips finished pieces, resumes a
# killed one from its latest checkpoint (add --config.checkpoint_every=5 to lose less) and merges only once;
# a finished piece or OUT is skipped, and a started piece resumed, only if it was trained with the same flags
# (tpjax.main --check_workdir, run even under --dry-run: it reads only), else the script stops with the field
# that differs.
# With one piece, tpjax.main writes OUT directly. PYTHON picks the interpreter (default: python). MIXED_HOSTS=1
# merges with --mixed_hosts: pieces trained on different host CPUs (one session's machine after another's) join,
# and results.json records it (python -m tpjax.merge --help).
set -euo pipefail

usage() {
  echo "usage: $0 [--dry-run] OUT N_SEEDS PIECE --config=CONFIG [MAIN FLAGS...]" >&2
  echo "  trains seeds FIRST_SEED .. FIRST_SEED+N_SEEDS-1 in pieces of PIECE into OUT-pieces/, then merges them into OUT" >&2
  exit 2
}

dry_run=0
if [[ ${1:-} == --dry-run ]]; then
  dry_run=1
  shift
fi
if [[ $# -lt 4 || ! "$2" =~ ^[1-9][0-9]*$ || ! "$3" =~ ^[1-9][0-9]*$ || "$4" != --config=* ]]; then
  usage
fi
out=${1%/}
n_seeds=$2
piece=$3
shift 3
first=${FIRST_SEED:-0}
if [[ ! "$first" =~ ^[0-9]+$ ]]; then
  usage
fi
python=${PYTHON:-python}
mixed_hosts=${MIXED_HOSTS:-0}
if [[ "$mixed_hosts" != [01] ]]; then
  echo "error: MIXED_HOSTS must be 0 or 1, got '$mixed_hosts'" >&2
  exit 2
fi

run() {  # prints the command, quoted so that it can be pasted back, then runs it unless --dry-run
  printf '+'
  printf ' %q' "$@"
  echo
  if ((!dry_run)); then
    "$@"
  fi
}

same_flags() {  # WORKDIR FIRST_SEED N_SEEDS: stops the script unless the run in WORKDIR has these flags
  "$python" -m tpjax.main "${main_flags[@]}" "--config.seed=$2" "--config.n_seeds=$3" "--workdir=$1" \
    --check_workdir > /dev/null
}

main_flags=("$@")
if [[ -f "$out/results.json" ]]; then
  same_flags "$out" "$first" "$n_seeds"
  echo "$out/results.json exists: nothing to do"
  exit 0
fi
last=$((first + n_seeds - 1))
if ((n_seeds <= piece || (piece > 1 && n_seeds == piece + 1))); then
  run "$python" -m tpjax.main "$@" "--config.seed=$first" "--config.n_seeds=$n_seeds" "--workdir=$out"
  exit 0
fi

pieces=()
for ((a = first; a <= last; a = b + 1)); do
  b=$((a + piece - 1 < last ? a + piece - 1 : last))
  if ((piece > 1 && b + 1 == last)); then
    b=$last  # the lone last seed joins this piece
  fi
  workdir="$out-pieces/$a-$b"
  pieces+=("$workdir")
  if [[ -f "$workdir/config.json" ]]; then  # a started or finished piece: only under its own flags
    same_flags "$workdir" "$a" "$((b - a + 1))"
  fi
  if [[ -f "$workdir/results.json" ]]; then
    echo "$workdir: finished earlier, skipped"
    continue
  fi
  run "$python" -m tpjax.main "$@" "--config.seed=$a" "--config.n_seeds=$((b - a + 1))" "--workdir=$workdir"
done
merge_flags=("--out=$out" "--n_seeds=$n_seeds")
if [[ $mixed_hosts == 1 ]]; then
  merge_flags+=(--mixed_hosts)
fi
run "$python" -m tpjax.merge "${merge_flags[@]}" "${pieces[@]}"
