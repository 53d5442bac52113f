#!/bin/sh
# finetune-eval.sh — measures what fine-tuning does for one hand: splits a PAGE XML or ALTO page into a
# training half (its first lines in document order) and a test half (the rest), evaluates the
# base model on the test half, fine-tunes it on the training half with `lectern-cli train --init`
# (its fine-tuning defaults: 4 runs, each holding out its own tenth of the training half, their
# weights averaged), and evaluates the new model on the test half (and, with `--runs 1`, the last
# epoch's weights too: the same unless `--keep best`).
#
#   scripts/finetune-eval.sh PAGE.xml BASE.lectern [extra train options…]
#
# Needs python3 (for the split) and a built lectern-cli (LECTERN_CLI, default build/app/lectern-cli).
set -eu
page=$1; base=$2; shift 2
cli=${LECTERN_CLI:-build/app/lectern-cli}
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-finetune.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 - "$page" "$work" <<'PY'
import os, sys, xml.etree.ElementTree as ET
page, work = sys.argv[1], sys.argv[2]
def halves(keep_first):
    tree = ET.parse(page)
    root = tree.getroot()
    ns = root.tag.split('}')[0].strip('{')
    ET.register_namespace('', ns)
    lines = [l for l in root.iter('{%s}TextLine' % ns)]
    cut = len(lines) // 2
    drop = lines[cut:] if keep_first else lines[:cut]
    parents = {c: p for p in root.iter() for c in p}
    for l in drop:
        parents[l].remove(l)
    page_el = root.find('.//{%s}Page' % ns)
    if page_el is not None and page_el.get('imageFilename'):
        img = page_el.get('imageFilename')          # PAGE XML
    else:
        img = root.find('.//{%s}fileName' % ns).text.strip()   # ALTO
    src = os.path.join(os.path.dirname(os.path.abspath(page)), img)
    if not os.path.exists(os.path.join(work, img)):
        os.symlink(src, os.path.join(work, img))
    tree.write(os.path.join(work, 'train.xml' if keep_first else 'test.xml'),
               xml_declaration=True, encoding='UTF-8')
    return cut if keep_first else len(lines) - cut
print("split: %d training lines, %d test lines" % (halves(True), halves(False)))
PY
echo "== base model on the test half"
"$cli" eval --model "$base" "$work/test.xml"
start=$(date +%s)
"$cli" train --init "$base" --train "$work/train.xml" --out "$work/tuned.lectern" "$@" 2>&1 \
  | grep --line-buffered -E "^(run [0-9]+/[0-9]+, )?epoch [0-9]+: loss|training lines|holds out|^Run |^The mean|^Fine-tuning|Stopp|not improved" || true
end=$(date +%s)
echo "== fine-tuned model on the test half (training took $((end - start)) s)"
"$cli" eval --model "$work/tuned.lectern" "$work/test.xml"
# the weights of the last epoch (the trainer's checkpoint): the kept ones unless --keep best
if [ -f "$work/tuned.lectern.ckpt" ]; then
  echo "== the last epoch's model on the test half"
  "$cli" eval --model "$work/tuned.lectern.ckpt" "$work/test.xml"
fi
if [ -n "${KEEP_MODEL:-}" ]; then cp "$work/tuned.lectern" "$KEEP_MODEL"; fi
