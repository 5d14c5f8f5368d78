#!/usr/bin/env bash
# The ml100k comparison of docs/features.md: SINGER trained with text features computed by
# Singer.Recommendation.Features (all-MiniLM-L6-v2 on the movie titles) against SINGER trained with the supplied
# text_feat.npy; genre_feat.npy is the second modality in both. Same configuration and seed; the two runs go one
# after the other (about 7 minutes each on a 2-core machine with OMP_NUM_THREADS=1).
#
#   benchmarks/features-ml100k.sh [ml100k folder] [work folder]
#
# Prints the titles-per-second of the encoder and both runs' test Recall@20, and the relative difference.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
data=$(realpath "${1:-../shared/data/ml100k}")
work=${2:-$(mktemp -d -t singer-features-ml100k-XXXX)}
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build benchmarks/Singer.Recommendation.Features.Experiments -c Release -nologo -v q -o "$work/features-bin"
dotnet build benchmarks/Singer.Recommendation.Experiments -c Release -nologo -v q -o "$work/exp-bin"

# text_feat.npy from the titles; ml100k.inter and genre_feat.npy are links to the originals.
dotnet "$work/features-bin/Singer.Recommendation.Features.Experiments.dll" ml100k-text --data "$data" --out "$work/ml100k-minilm"

config="singer cap=256 ls=0 lsem=2 k=20 tau=0.1 eps=0.2 l2=1e-3 seed=999"
for run in supplied minilm; do
  folder=$data; [ "$run" = minilm ] && folder="$work/ml100k-minilm"
  rm -f "$work/$run.jsonl"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 dotnet "$work/exp-bin/Singer.Recommendation.Experiments.dll" train --data "$folder" $config \
    --out "$work/$run.jsonl" > "$work/$run.log"
  echo "$run: $(cat "$work/$run.jsonl")"
done

recall() { sed -E 's/.*"TestRecall20":([0-9.eE-]+).*/\1/' "$work/$1.jsonl"; }
awk -v s="$(recall supplied)" -v m="$(recall minilm)" 'BEGIN {
  printf "test Recall@20: supplied text_feat.npy %.4f, MiniLM titles %.4f, relative difference %+.2f%%\n", s, m, 100 * (m - s) / s }'
echo "logs and results in $work"
