#!/usr/bin/env bash
# Reproduces docs/results.md on ../shared/data/ml100k (or $DATA): LightGCN parity and SINGER with three seeds,
# the hyper-parameter search, the ablations, the cold-start table and the speed table. Every run appends a JSON line
# to $OUT/*.jsonl and is skipped when it is already there, so the script can be stopped and resumed.
#
#   benchmarks/results.sh [all|headline|search|ablation|coldstart|speed]      (default: all)
#
# On 2 cores a SINGER run takes 4-12 minutes (1 thread per run, two runs side by side), LightGCN 2-6 minutes; the
# whole script about 4-6 hours (the search alone has 32 runs). OMP_NUM_THREADS=1 keeps runs side by side fair.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA="${DATA:-$(cd .. && pwd)/shared/data/ml100k}"
OUT="${OUT:-$PWD/results-out}"
what="${1:-all}"
[ -f "$DATA/ml100k.inter" ] || { echo "No ml100k data at $DATA (set DATA=<MMRec folder>)." >&2; exit 2; }
mkdir -p "$OUT"
./build.sh setup
dotnet build benchmarks/Singer.Recommendation.Experiments -c Release -o "$OUT/bin" -nologo -v q
E=(dotnet "$OUT/bin/Singer.Recommendation.Experiments.dll")
CHOSEN="cap=256 ls=0 lsem=2 k=20 tau=0.1 eps=0.2 l2=1e-3"   # the configuration chosen by validation (docs/results.md)

headline() {
  for s in 999 1 2; do
    OMP_NUM_THREADS=1 "${E[@]}" train --data "$DATA" lightgcn seed=$s --out "$OUT/headline.jsonl" &
    OMP_NUM_THREADS=1 "${E[@]}" train --data "$DATA" singer $CHOSEN seed=$s --out "$OUT/headline.jsonl"
    wait
  done
}
search()    { OMP_NUM_THREADS=1 "${E[@]}" search --data "$DATA" --grid benchmarks/Singer.Recommendation.Experiments/grids/ml100k-search.txt --out "$OUT/search.jsonl"; }
ablation()  { OMP_NUM_THREADS=1 "${E[@]}" ablation --data "$DATA" $CHOSEN --out "$OUT/ablation.jsonl"; }
coldstart() { OMP_NUM_THREADS=1 "${E[@]}" coldstart --data "$DATA" $CHOSEN | tee "$OUT/coldstart.md"; }
speed()     { "${E[@]}" speed --data "$DATA" $CHOSEN --epochs 10 | tee "$OUT/speed.md"; }

case "$what" in
  all) headline; search; ablation; coldstart; speed ;;
  headline|search|ablation|coldstart|speed) "$what" ;;
  *) echo "usage: $0 [all|headline|search|ablation|coldstart|speed]" >&2; exit 2 ;;
esac
echo "Results in $OUT"
