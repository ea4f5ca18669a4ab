#!/usr/bin/env bash
# Runs the jobs of a job file side by side on this machine, N at a time: typically many small tpjax
# trainings sharing one GPU on a machine with a hard time limit.
#
#   launch/batch.sh [--jobs=N] [--deadline=SECONDS [--min-left=SECONDS]] [--dry-run] JOBFILE
#
# JOBFILE holds one job a line, `NAME COMMAND...`; blank lines and lines starting with `#` are skipped. NAME
# ([A-Za-z0-9_.-]+, unique in the file) names the log, $LOG_DIR/NAME.log (default LOG_DIR: runs/batch), where
# the job's stdout and stderr go; COMMAND runs as `bash -c COMMAND` in this directory. Jobs start in file
# order, at most N at a time (default 4). $LOG_DIR/events.txt gets `start NAME t=T` and
# `end NAME rc=RC t=T took=D` appended (T: whole seconds since the batch started, D: the job's seconds).
#
# Every job gets XLA_PYTHON_CLIENT_PREALLOCATE=false unless the caller set it: by default a JAX process takes
# 75% of the GPU's memory when it starts, so a second one on the same GPU would run out; with false each
# takes what it needs.
#
# --deadline=S (seconds from the batch's start): no job starts after it (`skip NAME t=T` in events.txt),
# and a job that starts runs under `timeout` with the seconds left, so that it gets SIGTERM at the deadline
# (rc 124; SIGKILL 20 s later if it is still running, rc 137). --min-left=M: no job starts with fewer than M
# seconds left, where it could not finish and would only slow the others. tpjax sweeps, and runs given a
# --workdir, resume from their last checkpoint when run again, so a stopped job loses only its epochs since
# then. Without --deadline nothing is limited. Stopping the batch itself (Ctrl-C, SIGTERM) stops its jobs.
#
# Prints each command before starting it (`+ ...`) and a table of the jobs at the end. Exits 0 only if every
# job ran and exited 0, 1 otherwise, 2 on bad arguments or a bad job file (before anything runs).
# --dry-run checks the job file and prints the commands, and runs and writes nothing.
set -euo pipefail

usage() {
  echo "usage: $0 [--jobs=N] [--deadline=SECONDS [--min-left=SECONDS]] [--dry-run] JOBFILE" >&2
  echo "  runs each line 'NAME COMMAND...' of JOBFILE as 'bash -c COMMAND', N at a time (default 4)" >&2
  exit 2
}

if ((BASH_VERSINFO[0] < 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] < 1))); then
  echo "error: $0 needs bash >= 5.1 (for wait -n -p); this is $BASH_VERSION" >&2
  exit 2
fi

n_jobs=4
deadline=""
min_left=0
dry_run=0
jobfile=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs=*) n_jobs=${1#*=}; [[ "$n_jobs" =~ ^[1-9][0-9]*$ ]] || usage ;;
    --deadline=*) deadline=${1#*=}; [[ "$deadline" =~ ^[1-9][0-9]*$ ]] || usage ;;
    --min-left=*) min_left=${1#*=}; [[ "$min_left" =~ ^[0-9]+$ ]] || usage ;;
    --dry-run) dry_run=1 ;;
    -*) usage ;;
    *) [[ -z "$jobfile" ]] || usage; jobfile=$1 ;;
  esac
  shift
done
if [[ -z "$jobfile" || ("$min_left" -gt 0 && -z "$deadline") ]]; then
  usage
fi
if [[ ! -f "$jobfile" || ! -r "$jobfile" ]]; then
  echo "error: cannot read job file $jobfile" >&2
  exit 2
fi
log_dir=${LOG_DIR:-runs/batch}
prealloc=${XLA_PYTHON_CLIENT_PREALLOCATE:-false}

# Read and check the whole file first, so that a typo on line 40 stops the batch before line 1 runs.
names=()
declare -A command_of line_of
name_re='^[A-Za-z0-9_.-]+$'
n=0
while IFS= read -r line || [[ -n "$line" ]]; do
  n=$((n + 1))
  line=${line%$'\r'}  # a file saved with Windows line ends
  if [[ "$line" =~ ^[[:space:]]*(#|$) ]]; then
    continue
  fi
  [[ "$line" =~ ^[[:space:]]*([^[:space:]]+)[[:space:]]*(.*)$ ]]
  name=${BASH_REMATCH[1]}
  command=${BASH_REMATCH[2]}
  if [[ ! "$name" =~ $name_re ]]; then
    echo "error: $jobfile line $n: bad job name '$name' (letters, digits, _ . - only)" >&2
    exit 2
  fi
  if [[ -n "${line_of[$name]:-}" ]]; then
    echo "error: $jobfile line $n: duplicate job name '$name' (first on line ${line_of[$name]})" >&2
    exit 2
  fi
  if [[ -z "${command//[[:space:]]/}" ]]; then
    echo "error: $jobfile line $n: job '$name' has no command" >&2
    exit 2
  fi
  names+=("$name")
  line_of[$name]=$n
  command_of[$name]=$command
done <"$jobfile"
if [[ ${#names[@]} -eq 0 ]]; then
  echo "no jobs in $jobfile" >&2
  exit 0
fi

show() {  # the command about to run, quoted so that it can be pasted back
  printf '+'
  printf ' %q' "$@"
}

# The job's full command line; $1: its name, $2: the seconds it may run ("" for no limit).
job_command() {
  cmd=(env "XLA_PYTHON_CLIENT_PREALLOCATE=$prealloc")
  if [[ -n "$2" ]]; then
    cmd+=(timeout --signal=TERM --kill-after=20 "$2")
  fi
  cmd+=(bash -c "${command_of[$1]}")
}

if ((dry_run)); then
  for name in "${names[@]}"; do
    job_command "$name" "$deadline"  # as if it started now
    show "${cmd[@]}"
    printf ' > %q 2>&1 &\n' "$log_dir/$name.log"
  done
  exit 0
fi

mkdir -p "$log_dir"
events="$log_dir/events.txt"
# Times in microseconds ($EPOCHREALTIME without its point): $SECONDS is off by up to a second.
batch_start=${EPOCHREALTIME/[.,]/}
elapsed_us() {  # since the batch started
  echo $((${EPOCHREALTIME/[.,]/} - batch_start))
}

declare -A job_of_pid start_of rc_of took_of
running=0

# Stopped from outside, the batch stops its jobs too: under `timeout` each runs in a process group of its
# own, which a Ctrl-C at the terminal would not reach; `timeout` passes the SIGTERM on to its command.
# shellcheck disable=SC2329  # invoked by the trap below
stop_jobs() {
  trap - INT TERM
  if ((${#job_of_pid[@]})); then
    kill -TERM "${!job_of_pid[@]}" 2>/dev/null || true
    wait || true
  fi
  echo "batch stopped; its running jobs were sent SIGTERM" >&2
  exit 130
}
trap stop_jobs INT TERM

# Waits for the next job to end and records it.
reap() {
  local pid="" rc=0 name t
  wait -n -p pid || rc=$?
  name=${job_of_pid[$pid]}
  t=$(($(elapsed_us) / 1000000))
  rc_of[$name]=$rc
  took_of[$name]=$((t - ${start_of[$name]}))
  echo "end $name rc=$rc t=$t took=${took_of[$name]}" >>"$events"
  unset "job_of_pid[$pid]"
  running=$((running - 1))
}

for name in "${names[@]}"; do
  while ((running >= n_jobs)); do
    reap
  done
  now=$(elapsed_us)
  t=$((now / 1000000))
  limit=""
  if [[ -n "$deadline" ]]; then
    left=$((deadline * 1000000 - now))
    if ((left < 1000 || left < min_left * 1000000)); then  # (`timeout 0.000` would mean no limit)
      echo "skip $name t=$t" >>"$events"
      continue
    fi
    limit=$(printf '%d.%03d' $((left / 1000000)) $((left / 1000 % 1000)))  # to the millisecond
  fi
  job_command "$name" "$limit"
  log="$log_dir/$name.log"
  show "${cmd[@]}"
  printf ' > %q 2>&1 &\n' "$log"
  "${cmd[@]}" >"$log" 2>&1 &
  job_of_pid[$!]=$name
  start_of[$name]=$t
  echo "start $name t=$t" >>"$events"
  running=$((running + 1))
done
while ((running > 0)); do
  reap
done

# One line a job: name, exit status (124, 137: stopped at the deadline) or "not run", seconds.
width=4
for name in "${names[@]}"; do
  if ((${#name} > width)); then
    width=${#name}
  fi
done
failed=0
printf '%-*s  %-7s  %s\n' "$width" job rc seconds
for name in "${names[@]}"; do
  if [[ -n "${rc_of[$name]:-}" ]]; then
    printf '%-*s  %-7s  %s\n' "$width" "$name" "${rc_of[$name]}" "${took_of[$name]}"
    if [[ "${rc_of[$name]}" != 0 ]]; then
      failed=1
    fi
  else
    printf '%-*s  %-7s  %s\n' "$width" "$name" "not run" -
    failed=1
  fi
done
if ((failed)); then
  echo "some jobs failed or did not run; see their logs and events.txt in $log_dir" >&2
fi
exit "$failed"
