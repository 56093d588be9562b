#!/usr/bin/env bats
# contrib/completion/bash/berth: what it offers for commands, flags (read from `berth CMD
# --help`) and container names (from the private berthd), with bash-completion's helpers loaded
# and without them.

load cli_helpers

SCRIPT=$REPO/contrib/completion/bash/berth
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

setup_file() { cli_setup_file; }
teardown_file() { cli_teardown_file; }
teardown() { cli_teardown; }

# offers LINE: the completions for LINE with the cursor at its end, one a line, as bash would
# ask for them: COMP_LINE/COMP_POINT and COMP_WORDS split at blanks. WITH_BC=1 loads
# bash-completion first. `berth` on the line is $BERTH (through PATH).
offers() {
  PATH=$(dirname "$BERTH"):$PATH bash --norc --noprofile -c '
    if [ -n "${WITH_BC:-}" ]; then
      . "$3" || exit 1
      declare -F _get_comp_words_by_ref >/dev/null || exit 1
    fi
    . "$1" || exit 1
    complete -p berth | grep -q "_berth" || exit 1
    line=$2
    COMP_LINE=$line COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _berth berth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}"' _ "$SCRIPT" "$1" "$BASH_COMPLETION"
}

# has WORD: WORD is one of the lines of $output.
has() {
  grep -qxF -- "$1" <<<"$output" || {
    echo "'$1' not offered; got: $(tr '\n' ' ' <<<"$output")" >&2
    return 1
  }
}

# lacks WORD: WORD is not one of the lines of $output.
lacks() {
  if grep -qxF -- "$1" <<<"$output"; then
    echo "'$1' offered; got: $(tr '\n' ' ' <<<"$output")" >&2
    return 1
  fi
}

checks() {
  run offers "berth ru"
  [ "$status" -eq 0 ]
  [ "$output" = run ]
  run offers "berth run --nam"
  [ "$output" = --name ]
  run offers "berth container st"
  [ "$(tr '\n' ' ' <<<"$output")" = "start stats stop " ]
  run offers "berth volume "
  has create
  has rm
  run offers "berth run --restart "
  has unless-stopped
  run offers "berth stop "
  has "$up"
  lacks "$down"
  run offers "berth stop -t 5 ${up:0:6}"
  has "$up"
  run offers "berth start "
  has "$down"
  lacks "$up"
  run offers "berth rm "
  has "$up"
  has "$down"
  run offers "berth run busybox:"
  [ "$output" = latest ]
  run offers "berth volume rm "
  has "$vol"
}

@test "completion with bash-completion's helpers" {
  [ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed (apt-get install bash-completion)"
  up=$(cname up) down=$(cname down) vol=$(cname vol)
  b run -d --name "$up" busybox sleep 100 >/dev/null
  b create --name "$down" busybox true >/dev/null
  b volume create "$vol" >/dev/null
  WITH_BC=1 checks
}

@test "completion without bash-completion" {
  up=$(cname up) down=$(cname down) vol=$(cname vol)
  b run -d --name "$up" busybox sleep 100 >/dev/null
  b create --name "$down" busybox true >/dev/null
  b volume create "$vol" >/dev/null
  checks
}
