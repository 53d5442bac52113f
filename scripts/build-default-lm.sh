#!/bin/sh
# build-default-lm.sh — builds resources/models/default.lm, the character language model that
# ships with the default recognition model, from Debian's text packages:
#   bible-kjv (the `bible` program and bible-kjv-text), fortunes, fortunes-de,
#   manpages-fr, manpages-de (rendered to text with groff), wfrench, wngerman, wamerican,
# and the transcriptions of the training lines in ../shared/data/train (their markup removed).
# Packages that are missing are skipped with a note. Each language's running text is capped
# (FR_CHARS, EN_CHARS, DE_CHARS) so that the model does not become an English model that knows a
# few French words; French gets the most because Lectern's users and its real test pages are
# mostly French. The caps and the order keep the file near 5 MB for little loss: perplexity per
# character on the French training transcriptions, measured while they were left out, was 11.06
# for Debian's texts alone (4.98 MB, 3.2 M characters), 11.2 for 14 M characters of everything
# installed at order 5 (11 MB), 10.8 at order 6 (27 MB), 11.4 at order 4 (2.3 MB); the man pages
# are far from old letters, whatever their amount. With the training transcriptions in it
# (TRAIN_COPIES=1), the held-out pages' lines read with it go from 35.5 % to 34.0 % CER; two or
# three copies are no better (34.6 %, 34.3 %).
#
# Usage: scripts/build-default-lm.sh [LECTERN_CLI [OUT]]
#   LECTERN_CLI  the lectern-cli to build with (default: build/app/lectern-cli)
#   OUT          the model file (default: resources/models/default.lm)
# Environment: ORDER (default 5), FR_CHARS (default 1500000), EN_CHARS, DE_CHARS (default
# 550000 each), WORDS_PER_LIST (default 18000; every n-th word of each list, so that the words
# taken are spread over the alphabet),
# TRAIN_TEXT (default ../shared/data/train beside the project; empty for none) and TRAIN_COPIES
# (default 1: how many times its transcriptions are counted),
# KEEP_TEXT=1 keeps the collected text in the work folder (printed at the end).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$here/build/app/lectern-cli}
out=${2:-$here/resources/models/default.lm}
order=${ORDER:-5}
fr_chars=${FR_CHARS:-1500000}
en_chars=${EN_CHARS:-550000}
de_chars=${DE_CHARS:-550000}
words=${WORDS_PER_LIST:-18000}
train=${TRAIN_TEXT-$here/../shared/data/train}
train_copies=${TRAIN_COPIES:-1}

if [ ! -x "$cli" ]; then
  echo "build-default-lm.sh: $cli is not an executable lectern-cli; build first or name it" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-lm-XXXXXX")
if [ "${KEEP_TEXT:-0}" != 1 ]; then
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/text"

# valid UTF-8 only (a few fortunes are not), carriage returns gone
clean_utf8 () {
  iconv -f UTF-8 -t UTF-8 -c | tr -d '\r'
}

# the text of fortune files: "%" lines separate the fortunes (a blank line starts a new stream)
fortune_text () {
  for f in "$@"; do
    case "$f" in
      *.dat|*.u8|*/art|*/ascii-art|*/asciiart) continue ;;
    esac
    [ -f "$f" ] || continue
    sed 's/^%$//' "$f"
  done
}

# man pages rendered as plain text, without hyphenation, headers or overstriking
man_text () {
  lang=$1
  find "/usr/share/man/$lang" -name '*.gz' -type f 2>/dev/null | LC_ALL=C sort | while read -r page; do
    zcat "$page" 2>/dev/null \
      | groff -k -mandoc -Tutf8 -rHY=0 -rLL=200n -P-cbou 2>/dev/null \
      | sed -e 's/^[[:space:]]*//' \
      || true
  done
}

# the first $1 characters of the input (cut on a line boundary)
take_chars () {
  LC_ALL=C.UTF-8 awk -v max="$1" '{ n += length($0) + 1; if (n > max) exit; print }'
}


have () { command -v "$1" >/dev/null 2>&1; }

if have bible; then
  # one verse per line, each its own stream (a blank line after it)
  bible -f Gen1:1-Rev22:21 2>/dev/null | sed -e 's/^[^ ]* //' -e 'G' > "$work/en-bible.txt" || true
else
  echo "note: bible-kjv is not installed; no Bible text" >&2
  : > "$work/en-bible.txt"
fi
fortune_text /usr/share/games/fortunes/* | clean_utf8 > "$work/en-fortunes.txt"
# half of the English from each source, half of the German too
take_chars $(( en_chars / 2 )) < "$work/en-fortunes.txt" > "$work/text/en-fortunes.txt"
take_chars $(( en_chars / 2 )) < "$work/en-bible.txt" > "$work/text/en-bible.txt"

fortune_text /usr/share/games/fortunes/de/* | clean_utf8 > "$work/de-fortunes.txt"
if have groff; then
  man_text de | clean_utf8 | take_chars $(( de_chars / 2 )) > "$work/text/de-man.txt"
  man_text fr | clean_utf8 | take_chars "$fr_chars" > "$work/text/fr-man.txt"
else
  echo "note: groff is not installed; no man pages" >&2
  : > "$work/text/de-man.txt"
  : > "$work/text/fr-man.txt"
fi
take_chars $(( de_chars / 2 )) < "$work/de-fortunes.txt" > "$work/text/de-fortunes.txt"

for list in american-english french ngerman; do
  f=/usr/share/dict/$list
  if [ -f "$f" ]; then
    n=$(wc -l < "$f")
    step=$(( n / words + 1 ))
    # one word per line: each word is its own stream, so no word is glued to its neighbour
    clean_utf8 < "$f" | awk -v step="$step" 'NR % step == 0 { print; print "" }' > "$work/text/words-$list.txt"
  else
    echo "note: $f is missing" >&2
  fi
done

wc -m "$work"/text/*.txt >&2
mkdir -p "$(dirname "$out")"
# the training lines' transcriptions (markup removed), TRAIN_COPIES times: the closest text
# there is to what Lectern reads (never the held-out pages, which are not in that folder)
set --
if [ -n "$train" ] && [ -d "$train" ]; then
  i=0
  while [ "$i" -lt "$train_copies" ]; do
    set -- "$@" --transcriptions "$train"
    i=$((i + 1))
  done
else
  echo "note: no training transcriptions at '$train'; Debian's texts alone" >&2
fi
"$cli" lm --order "$order" --out "$out" "$work/text" "$@"
if [ "${KEEP_TEXT:-0}" = 1 ]; then
  echo "text kept in $work/text" >&2
fi
