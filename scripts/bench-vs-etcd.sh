#!/usr/bin/env bash
# raftkv against etcd on this machine, with the same client and the same requests (issue 16).
#
#   scripts/bench-vs-etcd.sh                 # about 6 minutes: etcd, raftkv, etcd again
#   BENCH_SECONDS=30 OUT=/tmp/b scripts/bench-vs-etcd.sh
#
# Starts a 3-member etcd on loopback (default durability: fsync per acknowledged write), runs the
# points below through `raftkv bench`, stops it; the same with a 3-member raftkv (`raftkv cluster
# start`); then etcd once more, because this machine drifts: each point is compared with the
# better of the two etcd runs. Prints the table (raftkv/etcd ratios) and draws docs/bench.png.
# Every row lands in $OUT/results.csv; servers' logs and bench's progress lines in $OUT too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-2}
out=${OUT:-runs/bench-$(date -u +%Y%m%dT%H%M%SZ)}
plot=${PLOT:-docs/bench.png}
points=("put 1" "put 16" "put 64" "put 256" "get 1" "get 64" "get-serializable 64" "txn 64")

if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing Debian's etcd-server ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  else
    echo "bench: etcd is not installed and cannot be installed here (needs root and apt-get)" >&2
    exit 1
  fi
fi

mkdir -p "$out"
results="$out/results.csv"
rm -f "$results"
bin/raftkv --version >/dev/null # builds the jar once, before any server starts

etcd_pids=()
raftkv_dir="$out/raftkv"
cleanup() {
  stop_etcd
  if [ -f "$raftkv_dir/cluster.properties" ]; then
    bin/raftkv cluster stop --dir "$raftkv_dir" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nothing listens on: bash's /dev/tcp fails to connect to it.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

start_etcd() {
  local dir="$out/etcd-$1" cluster="" i
  local -a client_ports peer_ports
  for i in 1 2 3; do
    client_ports[i]=$(free_port)
    peer_ports[i]=$(free_port)
    cluster+="${cluster:+,}e$i=http://127.0.0.1:${peer_ports[i]}"
  done
  endpoints=""
  for i in 1 2 3; do
    mkdir -p "$dir/e$i"
    etcd --name "e$i" --data-dir "$dir/e$i" \
      --listen-client-urls "http://127.0.0.1:${client_ports[i]}" \
      --advertise-client-urls "http://127.0.0.1:${client_ports[i]}" \
      --listen-peer-urls "http://127.0.0.1:${peer_ports[i]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${peer_ports[i]}" \
      --initial-cluster "$cluster" --initial-cluster-token "bench-$1" \
      --initial-cluster-state new >"$dir/e$i.log" 2>&1 &
    etcd_pids+=($!)
    endpoints+="${endpoints:+,}127.0.0.1:${client_ports[i]}"
  done
  local deadline=$((SECONDS + 60))
  until bin/raftkv endpoint health --endpoints "$endpoints" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "bench: etcd did not become healthy in 60 s; see $dir/*.log" >&2
      exit 1
    fi
    sleep 0.5 # polls health against the deadline above
  done
  server_pids=$(IFS=,; echo "${etcd_pids[*]}")
}

stop_etcd() {
  if [ ${#etcd_pids[@]} -gt 0 ]; then
    kill "${etcd_pids[@]}" 2>/dev/null || true
    wait "${etcd_pids[@]}" 2>/dev/null || true
    etcd_pids=()
  fi
}

start_raftkv() {
  rm -rf "$raftkv_dir"
  bin/raftkv cluster start -n 3 --dir "$raftkv_dir" >"$out/raftkv-start.txt"
  endpoints=$(sed -n 's/^export RAFTKV_ENDPOINTS=//p' "$out/raftkv-start.txt")
  server_pids=$(sed -n 's/^.*\.pid=//p' "$raftkv_dir/cluster.properties" | paste -sd, -)
}

run_points() {
  local store=$1 run=$2 point op clients connections csv
  for point in "${points[@]}"; do
    read -r op clients <<<"$point"
    connections=$((clients >= 64 ? 4 : 1))
    csv=$(bin/raftkv bench --endpoints "$endpoints" --op "$op" --clients "$clients" \
      --connections "$connections" --seconds "$seconds" --warmup "$warmup" --csv \
      --server-pids "$server_pids" 2>>"$out/bench-progress.log")
    if [ ! -f "$results" ]; then
      echo "store,run,$(sed -n 1p <<<"$csv")" >"$results"
    fi
    echo "$store,$run,$(sed -n 2p <<<"$csv")" >>"$results"
    echo "bench: $store run $run: $op × $clients done"
  done
}

start_etcd 1
run_points etcd 1
stop_etcd
start_raftkv
run_points raftkv 1
bin/raftkv cluster stop --dir "$raftkv_dir" >/dev/null
start_etcd 2
run_points etcd 2
stop_etcd

bin/raftkv bench compare "$results" --plot "$plot"
echo "bench: rows in $results"
