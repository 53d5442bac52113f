#!/bin/sh
# fetch-fonts.sh — installs the cursive Google Fonts that `lectern-cli synth` renders with.
#
# The npm registry carries them as @fontsource/<name> packages of WOFF/WOFF2 files, one per
# Unicode subset. fontconfig reads WOFF, but Pango 1.50 (Debian 12) refuses .woff/.woff2 files
# (HarfBuzz gets no glyphs from them), so the Latin subset of each is converted to TrueType with
# woff2_decompress (Debian package woff2). Usage: scripts/fetch-fonts.sh DIR (e.g. build/fonts);
# then pass `--font-dir DIR` to `lectern-cli synth`, which searches DIR recursively for .ttf/.otf.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1

# Connected scripts first: they look most like real cursive.
fonts="
  alex-brush allura bad-script cedarville-cursive cookie great-vibes herr-von-muellerhoff
  homemade-apple italianno marck-script monsieur-la-doulaise mr-de-haviland ms-madi
  parisienne pinyon-script sacramento satisfy tangerine
  caveat covered-by-your-grace handlee indie-flower kalam reenie-beanie rock-salt
  schoolbell shadows-into-light sue-ellen-francisco the-girl-next-door
"

packages=
for font in $fonts; do
  packages="$packages @fontsource/$font"
done

mkdir -p "$dir"
# --no-save/--no-package-lock: DIR is a font folder, not a project.
# shellcheck disable=SC2086
npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund $packages

if ! command -v woff2_decompress >/dev/null; then
  echo "$0: woff2_decompress not found (apt-get install woff2)" >&2
  exit 1
fi
# Latin only: the other subsets (latin-ext, cyrillic, greek, vietnamese) are not drawn.
n=0
for woff2 in "$dir"/node_modules/@fontsource/*/files/*-latin-[0-9]*-*.woff2; do
  ttf=${woff2%.woff2}.ttf
  if [ ! -s "$ttf" ]; then
    woff2_decompress "$woff2" >/dev/null
  fi
  n=$((n + 1))
done
echo "$n Latin font files as TrueType in $dir/node_modules/@fontsource"
