#!/usr/bin/env bats
# Hostile layers: every tar of tests/lib/mkimage.py's KINDS tries to write outside the layer
# directory. Each must be refused with a message, write nothing outside, and leave no layer,
# blob or temp dir behind.

load image_helpers

hostile() {
  local kind=$1
  rm -rf /tmp/berth-hostile-abs
  python3 "$MKIMAGE" hostile "$WORK/$kind.tar" "$kind"
  echo canary >"$WORK/canary"
  run bi import "$WORK/$kind.tar" "evil:$kind"
  [ "$status" -ne 0 ]
  [[ $output == *"import"* ]]
  [ "$(cat "$WORK/canary")" = canary ]
  [ ! -e "$WORK/evil" ]
  [ ! -e "$DATA/evil" ]
  [ ! -e /evil ]
  [ ! -e /tmp/berth-hostile-abs ]
  # Nothing new anywhere beside the data root.
  [ -z "$(find "$WORK" -mindepth 1 -newer "$WORK/canary")" ]
  run bi images -q
  [ -z "$output" ]
  [ -z "$(ls -A "$DATA/layers")" ]
  [ -z "$(ls "$DATA/blobs/sha256")" ]
}

@test "hostile layer: ../evil" { hostile dotdot; }
@test "hostile layer: a/../../evil" { hostile dotdot-inner; }
@test "hostile layer: absolute path" { hostile absolute; }
@test "hostile layer: path through a symlink to /" { hostile through-symlink; }
@test "hostile layer: path through a symlink to .." { hostile through-relative-symlink; }
@test "hostile layer: symlink climbing out" { hostile symlink-breakout; }
@test "hostile layer: hardlink to ../../etc/passwd" { hostile hardlink-dotdot; }
@test "hostile layer: hardlink to /etc/passwd" { hostile hardlink-absolute; }
@test "hostile layer: hardlink to a missing file" { hostile hardlink-missing; }
@test "hostile layer: hardlink through a symlink" { hostile hardlink-through-symlink; }
@test "hostile layer: whiteout of .." { hostile whiteout-dotdot; }
