#!/usr/bin/env bash
# `deno task test:slurm`: run niimask as a SLURM job array on a real SLURM started on localhost.
#
# 1. Installs Debian's slurm-wlm and munge when absent (needs root and apt).
# 2. Starts munged, slurmctld and slurmd with their own key, config, sockets, ports and
#    state/spool/log directories under a temporary directory (nothing under /etc is used).
# 3. Synthesizes 6 subjects, extracts them once in a single process (the reference), then submits
#    scripts/slurm/niimask_array.sbatch as an array of 3 tasks (`--shard auto`, a shared
#    `--cache`), waits (bounded), and checks every output exists and is byte-identical to the
#    reference. Also checks `niimask status` before/after and on a removed output.
# 4. Stops every daemon it started (trap on EXIT) and removes the temporary directory
#    (kept when NIIMASK_SLURM_KEEP=1).
#
# If something cannot start here, it says why (the tail of the daemon logs) and fails: it never
# passes silently. Ends with one line `N passed, N failed` (counted by .ci/run).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TIMEOUT_S=${NIIMASK_SLURM_TIMEOUT:-300}
N_SUBJECTS=6
N_TASKS=3
PASS=0
FAIL=0
PIDS=()
JOBID=""
T=""

log() { echo "test:slurm: $*"; }

ok() {
  PASS=$((PASS + 1))
  echo "ok   $*"
}
bad() {
  FAIL=$((FAIL + 1))
  echo "FAIL $*"
}

show_logs() {
  [ -n "$T" ] && [ -d "$T/log" ] || return 0
  local f
  for f in "$T"/log/*; do
    [ -s "$f" ] || continue
    # slurmctld.out/slurmd.out repeat their .log files
    case "$f" in *.out) [ -s "${f%.out}.log" ] && continue ;; esac
    echo "----- tail of $f"
    tail -n 25 "$f"
  done
  for f in "$T"/joblogs/*; do
    [ -s "$f" ] || continue
    echo "----- tail of $f"
    tail -n 25 "$f"
  done
}

# Fatal: say why, show logs, count one failure, exit non-zero (the EXIT trap cleans up).
die() {
  echo "test:slurm: FAILED: $*"
  show_logs
  FAIL=$((FAIL + 1))
  echo "${PASS} passed, ${FAIL} failed"
  exit 1
}

cleanup() {
  local rc=$?
  if [ -n "$JOBID" ] && [ -n "$T" ] && [ -f "$T/slurm.conf" ]; then
    SLURM_CONF="$T/slurm.conf" scancel "$JOBID" >/dev/null 2>&1 || true
  fi
  local pid i
  # Stop in reverse order of start: slurmd, slurmctld, munged.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop on TERM: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$T" ] && [ -d "$T" ]; then
    if [ "${NIIMASK_SLURM_KEEP:-0}" = 1 ]; then
      log "kept $T"
    else
      rm -rf "$T"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 0. can it run here? -----------------------------------------------------------------------
# `deno task test` ends with this test. It needs root (apt-get install, slurmd as SlurmUser=root):
# on a developer's machine without root it is skipped, saying why; on CI (CI=true) it must run.
skip() {
  echo "test:slurm: SKIPPED: $*"
  echo "${PASS} passed, ${FAIL} failed, 1 skipped"
  exit 0
}
if [ "${NIIMASK_SKIP_SLURM:-0}" = 1 ]; then
  skip "NIIMASK_SKIP_SLURM=1"
fi
if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
  skip "not root: this test installs slurm-wlm/munge and runs slurmd as root (run it as root, e.g. sudo -E deno task test:slurm)"
fi

# ---- 1. packages ------------------------------------------------------------------------------
need_install=0
for bin in slurmctld slurmd sbatch squeue munged munge; do
  command -v "$bin" >/dev/null 2>&1 || need_install=1
done
if [ "$need_install" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    die "slurm-wlm/munge are not installed and installing them needs root (apt-get install -y slurm-wlm munge)"
  fi
  log "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -q && apt-get install -y -q slurm-wlm munge; } >/tmp/niimask-slurm-apt.log 2>&1; then
    tail -n 20 /tmp/niimask-slurm-apt.log
    die "apt-get install slurm-wlm munge failed (log above)"
  fi
fi
if [ "$(id -u)" != 0 ]; then
  die "this test runs slurmd as root (SlurmUser=root) and must run as root"
fi
log "$(slurmctld -V 2>&1 | head -n 1), $(munged -V 2>&1 | head -n 1)"

# ---- 2. daemons -------------------------------------------------------------------------------
T=$(mktemp -d /tmp/niimask-slurm.XXXXXX) || die "mktemp failed"
chmod 711 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/joblogs" "$T/data" "$T/ref" "$T/out" "$T/work"
chmod 700 "$T/munge" "$T/state" "$T/spool"

port_free() {
  if command -v ss >/dev/null 2>&1; then
    ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
CTLD_PORT=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 30000))
  if port_free "$p" && port_free "$((p + 1))"; then
    CTLD_PORT=$p
    break
  fi
done
[ -n "$CTLD_PORT" ] || die "no free TCP port pair found for slurmctld/slurmd"
SLURMD_PORT=$((CTLD_PORT + 1))

if command -v mungekey >/dev/null 2>&1; then
  mungekey --create --keyfile="$T/munge/munge.key" >"$T/log/mungekey.log" 2>&1 ||
    die "mungekey --create failed"
else
  dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none || die "cannot write a munge key"
fi
chmod 400 "$T/munge/munge.key"
MUNGE_SOCKET="$T/munge/munge.socket"

munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$T/munge/munge.key" \
  --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" \
  --log-file="$T/log/munged.log" >"$T/log/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
  [ -S "$MUNGE_SOCKET" ] && break
  kill -0 "${PIDS[0]}" 2>/dev/null || break
  sleep 0.1
done
if ! munge -n -S "$MUNGE_SOCKET" 2>"$T/log/munge-check.err" |
  unmunge -S "$MUNGE_SOCKET" >"$T/log/unmunge-check.out" 2>>"$T/log/munge-check.err"; then
  die "munged does not encode/decode credentials on $MUNGE_SOCKET"
fi
ok "munged started and round-trips a credential"

HOST=$(hostname -s)
MEM_MB=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
cat >"$T/slurm.conf" <<EOF
# Minimal single-node SLURM for niimask's test (generated by scripts/slurm_localhost_test.sh)
ClusterName=niimasktest
SlurmctldHost=${HOST}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${MUNGE_SOCKET}
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
StateSaveLocation=${T}/state
SlurmdSpoolDir=${T}/spool
SlurmctldPidFile=${T}/slurmctld.pid
SlurmdPidFile=${T}/slurmd.pid
SlurmctldLogFile=${T}/log/slurmctld.log
SlurmdLogFile=${T}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MailProg=/bin/true
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=2 RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=niimask Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$T/slurm.conf"

slurmctld -D -i -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -N "$HOST" -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
PIDS+=($!)

state=""
for _ in $(seq 1 60); do
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "a daemon exited during start-up (pid $pid)"
  done
  state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null | head -n 1)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || die "the node did not become idle within 30 s (sinfo state: '${state:-none}')"
ok "slurmctld and slurmd started; node ${HOST} idle (ports ${CTLD_PORT}/${SLURMD_PORT}, $(sinfo -h -o '%c CPUs, %m MB'))"

# ---- 3. data and the single-process reference --------------------------------------------------
DENO=$(command -v deno) || die "deno not found on PATH"
NIIMASK="$DENO run --allow-read --allow-write --allow-env --allow-ffi --cached-only $ROOT/cli.ts"
[ -f "$ROOT/cli.ts" ] || die "cli.ts is missing (the niimask command line)"
# Fill Deno's module cache once, so the array tasks do not all resolve modules at the same time.
"$DENO" cache --quiet "$ROOT/cli.ts" "$ROOT/scripts/slurm/make_demo_data.ts" >"$T/log/deno-cache.log" 2>&1 ||
  die "deno cache cli.ts failed: $(tail -n 5 "$T/log/deno-cache.log")"

"$DENO" run --allow-read --allow-write --cached-only "$ROOT/scripts/slurm/make_demo_data.ts" \
  "$T/data" "$N_SUBJECTS" >"$T/data/images.txt" 2>"$T/log/make_demo_data.err" ||
  die "synthesizing the subjects failed: $(tail -n 5 "$T/log/make_demo_data.err")"
mapfile -t IMGS <"$T/data/images.txt"
[ "${#IMGS[@]}" -eq "$N_SUBJECTS" ] || die "expected $N_SUBJECTS images, got ${#IMGS[@]}"

EXTRA_ARGS="--labels $T/data/labels.tsv --confounds $T/data/confounds/{subject}_desc-confounds_timeseries.tsv --detrend --standardize zscore_sample --t-r 2"
# shellcheck disable=SC2086 # NIIMASK and EXTRA_ARGS are split on purpose
(cd "$T/work" && $NIIMASK extract --maps "$T/data/maps.nii.gz" --out "$T/ref" $EXTRA_ARGS "${IMGS[@]}") \
  >"$T/log/reference.out" 2>&1 ||
  die "the single-process reference run failed: $(tail -n 15 "$T/log/reference.out")"
n_ref=$(find "$T/ref" -name '*_timeseries.tsv' | wc -l)
[ "$n_ref" -eq "$N_SUBJECTS" ] || die "the reference run wrote $n_ref TSVs, expected $N_SUBJECTS"
ok "single-process reference run: $n_ref subjects"

# status before the array job: everything missing, exit status 1
# shellcheck disable=SC2086
$NIIMASK status --out "$T/out" "${IMGS[@]}" >"$T/log/status-before.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^0 done, ${N_SUBJECTS} missing, 0 failed (of ${N_SUBJECTS})$" "$T/log/status-before.out"; then
  ok "niimask status before the job: all ${N_SUBJECTS} missing"
else
  bad "niimask status before the job (exit $rc): $(tail -n 3 "$T/log/status-before.out")"
fi

# ---- 4. the array job -------------------------------------------------------------------------
printf '%s\n' "${IMGS[@]}" >"$T/data/all.txt"
# submit_array N_TASKS IMG_LIST: submit the sbatch template as an array, set JOBID.
# Settings travel in the environment (sbatch's default --export=ALL), so values may hold commas.
submit_array() {
  JOBID=$(NIIMASK="$NIIMASK" MAPS="$T/data/maps.nii.gz" OUT="$T/out" CACHE="$T/cache" \
    IMG_LIST="$2" EXTRA_ARGS="$EXTRA_ARGS --verbose=2" \
    sbatch --parsable --array=0-$(($1 - 1)) --chdir="$T/work" \
    --output="$T/joblogs/task_%A_%a.out" --time=00:10:00 --mem=2G \
    "$ROOT/scripts/slurm/niimask_array.sbatch" 2>"$T/log/sbatch.err") ||
    die "sbatch failed: $(cat "$T/log/sbatch.err")"
  JOBID=${JOBID%%;*}
  log "submitted array job $JOBID ($1 tasks); waiting up to ${TIMEOUT_S}s"
}
# wait_job: wait (bounded) until JOBID has left the queue.
wait_job() {
  local start
  start=$(date +%s)
  while squeue -h -j "$JOBID" 2>/dev/null | grep -q .; do
    if [ $(($(date +%s) - start)) -ge "$TIMEOUT_S" ]; then
      squeue -j "$JOBID"
      die "array job $JOBID did not finish within ${TIMEOUT_S}s"
    fi
    sleep 1
  done
  log "array job $JOBID finished after $(($(date +%s) - start))s"
}

submit_array "$N_TASKS" "$T/data/all.txt"
wait_job
FIRST_JOB=$JOBID

n_logs=$(find "$T/joblogs" -name "task_${JOBID}_*.out" | wc -l)
if [ "$n_logs" -eq "$N_TASKS" ]; then
  ok "all ${N_TASKS} array tasks ran (one log each)"
else
  bad "expected ${N_TASKS} task logs, found $n_logs"
fi
# Each task reports its shard in its log; every shard 1..N appears once.
shards_ok=1
for i in $(seq 1 "$N_TASKS"); do
  c=$(cat "$T"/joblogs/task_"${JOBID}"_*.out | grep -c "shard ${i}/${N_TASKS}" || true)
  [ "$c" -ge 1 ] || shards_ok=0
done
if [ "$shards_ok" = 1 ]; then ok "tasks processed shards 1..${N_TASKS} of ${N_TASKS}"; else bad "not every shard i/${N_TASKS} appears in the task logs"; fi

# ---- 5. outputs equal the single-process run, byte for byte -----------------------------------
n_out=$(find "$T/out" -maxdepth 1 -name '*_timeseries.tsv' | wc -l)
if [ "$n_out" -eq "$N_SUBJECTS" ]; then ok "array job wrote ${n_out} TSVs"; else bad "array job wrote ${n_out} TSVs, expected ${N_SUBJECTS}"; fi
identical=0
for ref in "$T"/ref/*_timeseries.tsv "$T"/ref/*_timeseries.json; do
  name=$(basename "$ref")
  if cmp -s "$ref" "$T/out/$name"; then
    identical=$((identical + 1))
  else
    bad "$name differs from the single-process run (or is missing)"
    diff <(head -c 2000 "$ref") <(head -c 2000 "$T/out/$name" 2>/dev/null) | head -n 6
  fi
done
[ "$identical" -eq $((2 * N_SUBJECTS)) ] &&
  ok "all $((2 * N_SUBJECTS)) outputs (TSV + JSON) are byte-identical to the single-process run"
leftovers=$(find "$T/out" -maxdepth 1 -type f ! -name '*_timeseries.tsv' ! -name '*_timeseries.json' \
  ! -name dataset_description.json | wc -l)
if cmp -s "$T/ref/dataset_description.json" "$T/out/dataset_description.json"; then
  ok "dataset_description.json written once, identical to the single-process run's"
else
  bad "dataset_description.json missing or different from the single-process run's"
fi
if [ "$leftovers" -eq 0 ]; then ok "no temporary or failure files left in the output directory"; else bad "unexpected files in the output directory: $(ls "$T/out")"; fi

n_cache=$(find "$T/cache" -type f 2>/dev/null | wc -l)
n_tmp=$(find "$T/cache" -type f -name '*tmp*' 2>/dev/null | wc -l)
if [ "$n_cache" -ge 1 ] && [ "$n_tmp" -eq 0 ]; then
  ok "shared cache holds ${n_cache} complete entr$([ "$n_cache" = 1 ] && echo y || echo ies), no temporary files"
else
  bad "shared cache: ${n_cache} files, ${n_tmp} temporary ($(find "$T/cache" -type f 2>/dev/null | head -n 5 | tr '\n' ' '))"
fi

# With 2 CPUs and 1 CPU per task, the third task starts after another one finished: it must
# reuse the maps resampled by an earlier task (the masker logs cache hits at --verbose=2).
n_hit=$(cat "$T"/joblogs/task_"${JOBID}"_*.out | grep -c "cache hit" || true)
n_stored=$(cat "$T"/joblogs/task_"${JOBID}"_*.out | grep -c "cache stored" || true)
if [ "$n_hit" -ge 1 ] && [ "$n_stored" -ge 1 ]; then
  ok "tasks shared the fitted maps: ${n_stored} stored, ${n_hit} reused from the cache"
else
  bad "expected the cache to be written and reused (stored ${n_stored}, hits ${n_hit})"
fi

# ---- 6. status after, and after losing one output ---------------------------------------------
# shellcheck disable=SC2086
$NIIMASK status --out "$T/out" "${IMGS[@]}" >"$T/log/status-after.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^${N_SUBJECTS} done, 0 missing, 0 failed" "$T/log/status-after.out"; then
  ok "niimask status after the job: all ${N_SUBJECTS} done"
else
  bad "niimask status after the job (exit $rc): $(tail -n 3 "$T/log/status-after.out")"
fi
lost=$(basename "${IMGS[2]}")
lost=${lost%_bold.nii.gz}
rm -f "$T/out/${lost}_timeseries.tsv"
# shellcheck disable=SC2086
todo=$($NIIMASK status --out "$T/out" --list todo "${IMGS[@]}" 2>"$T/log/status-todo.err")
if [ "$todo" = "${IMGS[2]}" ]; then
  ok "niimask status --list todo names exactly the subject whose output was removed"
else
  bad "niimask status --list todo printed '$todo', expected '${IMGS[2]}'"
fi

# ---- 7. resubmit what is left, plus a corrupt subject: one task succeeds, one fails -----------
BAD_IMG="$T/data/sub-99_task-rest_bold.nii.gz"
head -c 20000 "${IMGS[0]}" >"$BAD_IMG" # truncated gzip
cp "$T/data/confounds/$(basename "${IMGS[0]%_bold.nii.gz}")_desc-confounds_timeseries.tsv" \
  "$T/data/confounds/sub-99_task-rest_desc-confounds_timeseries.tsv"
printf '%s\n%s\n' "$todo" "$BAD_IMG" >"$T/data/todo.txt"
submit_array 2 "$T/data/todo.txt"
wait_job
if cmp -s "$T/ref/${lost}_timeseries.tsv" "$T/out/${lost}_timeseries.tsv"; then
  ok "resubmitted subject ${lost} rewritten, byte-identical to the single-process run"
else
  bad "resubmitted subject ${lost}: output missing or different"
fi
job_states=$(scontrol -o show job "$JOBID" 2>/dev/null | grep -o 'JobState=[A-Z]* .*ExitCode=[0-9:]*' |
  sed -E 's/JobState=([A-Z]+) .*ExitCode=([0-9:]+)/\1 \2/' | sort | tr '\n' ' ')
if [ "$job_states" = "COMPLETED 0:0 FAILED 1:0 " ]; then
  ok "SLURM shows the task with the corrupt subject FAILED (exit 1), the other COMPLETED"
else
  bad "unexpected task states of job $JOBID: '$job_states'"
fi
record="$T/out/sub-99_task-rest_timeseries.failed.json"
if [ -f "$record" ] && grep -q "\"slurmJobId\": \"" "$record" && grep -q '"shard": "2/2"' "$record"; then
  ok "failure record written with the SLURM job id and the shard"
else
  bad "failure record $record missing or incomplete: $(cat "$record" 2>/dev/null | head -c 400)"
fi
# shellcheck disable=SC2086
$NIIMASK status --out "$T/out" "${IMGS[@]}" "$BAD_IMG" >"$T/log/status-final.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^${N_SUBJECTS} done, 0 missing, 1 failed" "$T/log/status-final.out" &&
  grep -q "^failed	sub-99_task-rest	" "$T/log/status-final.out"; then
  ok "niimask status reports ${N_SUBJECTS} done and the corrupt subject failed, with its error"
else
  bad "niimask status after the resubmission (exit $rc): $(cat "$T/log/status-final.out")"
fi

echo "test:slurm: real SLURM $(sinfo -V 2>/dev/null) on ${HOST}: array jobs ${FIRST_JOB} (${N_TASKS} tasks, ${N_SUBJECTS} subjects) and ${JOBID} (resubmission)"
echo "${PASS} passed, ${FAIL} failed"
[ "$FAIL" -eq 0 ]
