#!/usr/bin/env bash
# Benchmark mode of docs/scale-out.md (not a test): the kNN graph (k = 10) of ITEMS × DIM random features, in one run,
#   1. on one machine (KnnSimilarityGraph.Build) with 2 torch threads, the 2 cores of the development machine;
#   2. on 3 silos inside one process (each work item 1 torch thread, 3 at once);
#   3. on 2 silo processes (1 torch thread each) and a client process;
#   4. on one machine again (to bracket the load of other processes).
# Each mode builds twice (the first build includes JIT and first-touch page faults) and prints the graph's hash: equal
# hashes are identical graphs. Silo processes print their peak memory and CPU time when they stop.
#
#   samples/Singer.Cluster/bench.sh [ITEMS] [DIM] [REPEAT]     (defaults 50000 384 2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
items=${1:-50000}; dim=${2:-384}; repeat=${3:-2}
dotnet build -c Release -nologo -v q >/dev/null
dll=bin/Release/net10.0/Singer.Cluster.dll
work=$(mktemp -d "${TMPDIR:-/tmp}/singer-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 10000))
say() { printf '[bench] %s\n' "$*"; }

say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$dll" generate --items "$items" --dim "$dim" --out "$work/features.npy"

OMP_NUM_THREADS=2 dotnet "$dll" bench local --features "$work/features.npy" --repeat "$repeat" | grep -E "RESULT|bench"
OMP_NUM_THREADS=1 dotnet "$dll" bench inproc --silos 3 --base-port "$port" --features "$work/features.npy" --repeat "$repeat" | grep -E "RESULT|bench|work items"

port=$((port + 200))
for i in 0 1; do
  OMP_NUM_THREADS=1 dotnet "$dll" silo --instance "$i" --base-port "$port" > "$work/silo$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for _ in $(seq 1 600); do grep -q "is up" "$work/silo$i.log" && break; sleep 0.1; done
done
OMP_NUM_THREADS=1 dotnet "$dll" bench cluster --silos 2 --base-port "$port" --features "$work/features.npy" --repeat "$repeat" | grep -E "RESULT|bench|work items"
for p in "${pids[@]}"; do kill -TERM "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
for i in 0 1; do say "silo process $i: $(grep -h "stopped" "$work/silo$i.log")"; done

OMP_NUM_THREADS=2 dotnet "$dll" bench local --features "$work/features.npy" --repeat "$repeat" | grep -E "RESULT|bench"
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
