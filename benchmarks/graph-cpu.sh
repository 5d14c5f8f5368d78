#!/usr/bin/env bash
# Reproduces the CPU figures of docs/benchmarks.md ("Results on the development machine (CPU)"):
# interleaved kNN ratios at d = 384 and 4,096, the BenchmarkDotNet SimilarityBenchmarks for N = 2,000 and 10,000,
# and the 10k…100k scaling run. About 25 minutes on an idle 2-core machine; results go to $OUT (default ./bench-out).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${OUT:-$PWD/bench-out}"
mkdir -p "$OUT"
./build.sh setup
dotnet build benchmarks/Singer.Recommendation.Benchmarks -c Release --artifacts-path "$OUT/art" -nologo -v q
B="$OUT/art/bin/Singer.Recommendation.Benchmarks/release/Singer.Recommendation.Benchmarks.dll"
export OMP_WAIT_POLICY=PASSIVE
step() { echo "== $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg): $*"; "$@"; }
step dotnet "$B" knn-ratios --sizes 2000,10000,20000 --dims 384 --repeat 7 --output "$OUT/ratios-384.md"
step dotnet "$B" knn-ratios --sizes 2000,10000 --dims 4096 --repeat 5 --output "$OUT/ratios-4096.md"
step env SINGER_BENCH_N=2000,10000 dotnet "$B" --filter '*Similarity*' --inProcess --artifacts "$OUT/bdn"
step dotnet "$B" scaling --sizes 10000,20000,40000,60000,80000,100000 --mm --output "$OUT/scaling.md"
echo "Results: $OUT/ratios-384.md $OUT/ratios-4096.md $OUT/bdn/results/*-report-github.md $OUT/scaling.md"
