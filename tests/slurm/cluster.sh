#!/usr/bin/env bash
# A one-node Slurm cluster for the sweep test, all of it inside DIR: a munge key and munged on a
# private socket, a generated slurm.conf, slurmctld and slurmd on free ports.
#   cluster.sh start DIR   start it (prints SLURM_CONF=DIR/slurm.conf); exits non-zero saying why
#   cluster.sh stop DIR    stop every daemon it started
# Needs root (slurmd runs jobs as their users) and Debian's slurm-wlm and munge (.ci/deps).
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?a folder}")
stop() {
  for pid in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 1
}
if [ "$cmd" = stop ]; then
  if [ "$(id -u)" -ne 0 ] && sudo -n true 2>/dev/null; then
    exec sudo -n "$0" stop "$dir"
  fi
  stop
  exit 0
fi
for tool in munged mungekey slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "no $tool: install slurm-wlm and munge (.ci/deps does)" >&2; exit 1; }
done
if [ "$(id -u)" -ne 0 ]; then
  # slurmd starts jobs as their users, so it runs as root: through sudo where that needs no password.
  if sudo -n true 2>/dev/null; then
    exec sudo -n "$0" "$cmd" "$dir"
  fi
  echo "slurmd must run as root to start jobs; this user is $(id -un) and sudo asks for a password" >&2
  exit 1
fi
mkdir -p "$dir"/state "$dir"/spool "$dir"/munge
chmod 700 "$dir"/munge
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 || mungekey -c -k "$dir/munge/munge.key" -f
chmod 600 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
# Two ports unlikely to be taken (bash only: no python on a bare machine).
ctl_port=$((20000 + RANDOM % 20000))
node_port=$((ctl_port + 1))
cat > "$dir/slurm.conf" <<CONF
ClusterName=hx-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket
SlurmctldPort=$ctl_port
SlurmdPort=$node_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || { echo "slurmctld did not start: $(tail -3 "$dir/slurmctld.log" 2>/dev/null)" >&2; stop; exit 1; }
slurmd -f "$SLURM_CONF" -N "$host" || { echo "slurmd did not start: $(tail -3 "$dir/slurmd.log" 2>/dev/null)" >&2; stop; exit 1; }
# Wait until the node takes jobs.
for _ in $(seq 1 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "the node did not come up: $(sinfo 2>&1 | tail -2); slurmd log: $(tail -3 "$dir/slurmd.log" 2>/dev/null)" >&2
stop
exit 1
