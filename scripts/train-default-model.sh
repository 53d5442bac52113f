#!/bin/bash
# train-default-model.sh — how the default model in resources/models/default.lectern is made.
#
# Training data: the 6,232 real French lines of ../shared/data/train, the real pages of
# ../shared/data/real except the held-out ones below, and synthetic lines rendered by
# `lectern-cli synth` (training fonts only). Validation: pages whose writers training never
# sees — copiste wikitexte_0182 and imp_wikitexte_0231, poilus AN_0242 — plus synthetic lines in
# the validation fonts (measured separately with `lectern-cli eval`).
#
# Usage: scripts/train-default-model.sh WORKDIR [extra lectern-cli train options]
# Runs for hours; interrupt with Ctrl+C and run it again to resume from the checkpoint.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${LECTERN_SHARED_DIR:-$root/../shared}
work=${1:?usage: $0 WORKDIR [train options]}
shift
cli=$root/build/app/lectern-cli
mkdir -p "$work"

real=$shared/data/real
held_out=(
  "$real/copiste/wikitexte_0182.xml"
  "$real/copiste/imp_wikitexte_0231.xml"
  "$real/poilus/TestamentsDePoilus_will_AN_0242-0.xml"
)
train=(--train "$shared/data/train")
for page in "$real"/copiste/*.xml "$real"/poilus/*.xml; do
  skip=
  for h in "${held_out[@]}"; do [ "$page" = "$h" ] && skip=1; done
  [ -z "$skip" ] && train+=(--train "$page")
done
val=()
for h in "${held_out[@]}"; do val+=(--val "$h"); done

# synthetic lines: training fonts for training, the validation fonts kept apart
fonts=$work/fonts
if [ ! -d "$fonts/node_modules" ]; then
  "$root/scripts/fetch-fonts.sh" "$fonts"
fi
if [ ! -f "$work/synth-train/.done" ]; then
  cat "$shared"/data/train/*/*.gt.txt > "$work/fr-text.txt"
  "$cli" synth --out "$work/synth-train" --count 30000 --seed 11 --fonts train \
    --font-dir "$fonts" --text "$work/fr-text.txt"
  touch "$work/synth-train/.done"
fi
if [ ! -f "$work/synth-val/.done" ]; then
  "$cli" synth --out "$work/synth-val" --count 1000 --seed 12 --fonts val --font-dir "$fonts"
  touch "$work/synth-val/.done"
fi
train+=(--train "$work/synth-train")

"$cli" train "${train[@]}" "${val[@]}" --out "$work/main.lectern" \
  --epochs 200 --patience 30 "$@"

# Then the same network with its first two layers twice as wide, widened from the trained one
# (its outputs unchanged at the start), trained on with the distortions: the design's size
# under-fits, the wider one learns about three times as fast.
"$cli" train --init "$work/main.lectern" --arch "h64 t2x2 l4 s4x2x12 l20 s4x1x40 l50" \
  "${train[@]}" "${val[@]}" --out "$work/wide.lectern" --runs 1 --dropout 0 \
  --learning-rate 0.0001 --lr-schedule constant --batch 8 --keep last --epochs 57 --patience 0

# Last, a few epochs on the lines as they are (no distortion) at a low rate: the distortions that
# keep the network general also make up most of its training loss (about 40 per line against 27
# without), and this settling gains a point or two of CER (the default model: 33.0 → 32.0 % on
# the held-out writers in one epoch, two or three no better; the narrow network 36.1 → 34.8 % in
# three).
exec "$cli" train --init "$work/wide.lectern" "${train[@]}" "${val[@]}" \
  --out "$work/default.lectern" --runs 1 --dropout 0 --learning-rate 0.00003 \
  --lr-schedule constant --batch 8 --keep best --no-augment --epochs 3 --patience 0
