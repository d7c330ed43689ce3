#!/usr/bin/env bash
# local_cluster.sh - a throw-away single-node Slurm cluster on localhost, for
# the tests: munged and slurmctld + slurmd as root, everything (key, sockets,
# state, logs, slurm.conf) in one temporary directory.  Source it, then:
#
#   cluster_start DIR     start the daemons; exports SLURM_CONF
#   cluster_stop          stop them (safe to call twice; use it in a trap)
#
# No cgroups: proctrack/linuxproc and task/none, so it runs in containers and
# VMs without a delegated cgroup tree.  Ports are picked free at start, so two
# test runs on one machine do not meet.
set -u

_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cluster_start() {
  CLUSTER_DIR=$1
  local d=$CLUSTER_DIR
  mkdir -p "$d/state" "$d/spool" "$d/munge"
  chmod 700 "$d/munge"
  head -c 1024 /dev/urandom > "$d/munge/munge.key"
  chmod 400 "$d/munge/munge.key"
  /usr/sbin/munged --force --socket="$d/munge/munge.sock" --key-file="$d/munge/munge.key" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
    --seed-file="$d/munge/munged.seed" || return 1
  local cport dport cpus mem
  cport=$(_free_port); dport=$(_free_port)
  while [[ $dport == "$cport" ]]; do dport=$(_free_port); done
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
  cat > "$d/slurm.conf" <<CONF
ClusterName=dcsitetest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=dcsnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=dcsite Nodes=dcsnode Default=YES MaxTime=30 State=UP
CONF
  export SLURM_CONF=$d/slurm.conf
  /usr/sbin/slurmctld -f "$d/slurm.conf" -i || return 1
  /usr/sbin/slurmd -f "$d/slurm.conf" -N dcsnode || return 1
  # wait until the node is idle (up to 60 s)
  local i state
  for i in $(seq 1 120); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1)
    [[ $state == idle ]] && return 0
    sleep 0.5
  done
  echo "local_cluster: node did not come up (state '${state:-none}')" >&2
  return 1
}

_stop_pidfile() {
  local f=$1 pid i
  [[ -s $f ]] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  return 0
}

cluster_stop() {
  [[ -n ${CLUSTER_DIR:-} ]] || return 0
  _stop_pidfile "$CLUSTER_DIR/slurmd.pid"
  _stop_pidfile "$CLUSTER_DIR/slurmctld.pid"
  _stop_pidfile "$CLUSTER_DIR/munge/munged.pid"
  CLUSTER_DIR=
}
