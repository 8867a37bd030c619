#!/bin/bash
# completion.sh — the bash completion (generated from the option and view
# tables by src/gen-completion) as a user meets it: bash-completion loaded,
# `complete -p fleetdeck` registered, and what <TAB> offers after
# `fleetdeck --w`, `--view `, `--theme `, `--format `, `-c `, `--replay `
# and `-` (through the function `complete -p` names, as bash calls it); every
# option of `fleetdeck --help` is offered, and every value offered is one the
# program accepts.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin completion 30
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || lab_skip "needs bash-completion ($BC; Debian package bash-completion)"
COMP=$TOP_BUILDDIR/completion/fleetdeck
[ -r "$COMP" ] || { printf 'FAIL: %s not built (run make)\n' "$COMP"; exit 1; }

# tab WORD...: what <TAB> offers for the command line "WORD..." (the last
# word is the one being completed), one per line, sorted: the function that
# `complete -p fleetdeck` registered, called the way bash calls it.
tab() {
	bash -c '
		. "$1" >/dev/null 2>&1
		. "$2"
		shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
		fn=$(complete -p fleetdeck | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		"${fn:-missing-completion-function}" fleetdeck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BC" "$COMP" "$@" | sed '/^$/d' | sort
}

reg=$(bash -c '. "$1" >/dev/null 2>&1; . "$2"; complete -p fleetdeck' _ "$BC" "$COMP" 2>&1)
if [ "$reg" = 'complete -F _fleetdeck fleetdeck' ]; then
	ok "complete -p fleetdeck: $reg"
else
	bad "complete -p fleetdeck: complete -F _fleetdeck fleetdeck" "got: $reg"
fi

got=$(tab fleetdeck --w)
if [ "$got" = "--wall" ]; then ok "fleetdeck --w<TAB> → --wall"; else bad "fleetdeck --w<TAB> → --wall" "got: $got"; fi

# Every option --help lists is offered after '-', and nothing else.
help_opts=$("$FLEETDECK" --help | grep -oE '^ +(-[A-Za-z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' | sort)
offered=$(tab fleetdeck - | grep -- '^--')
if [ -n "$help_opts" ] && [ "$help_opts" = "$offered" ]; then
	ok "every option of --help is offered after '-' ($(echo "$help_opts" | wc -l) options)"
else
	bad "every option of --help is offered after '-'" "help: $(echo $help_opts)" "offered: $(echo $offered)"
fi

# --view: exactly the views the program accepts.
views=$(tab fleetdeck --view '')
n=0 refused=
for v in $views; do
	n=$((n + 1))
	"$FLEETDECK" --view "$v" --validate -c /dev/null >/dev/null 2>&1 || refused="$refused $v"
done
if [ "$n" -ge 8 ] && [ -z "$refused" ] && printf '%s\n' "$views" | grep -qx topology; then
	ok "--view <TAB> offers the $n views, each accepted by fleetdeck"
else
	bad "--view <TAB> offers the views fleetdeck accepts" "offered: $(echo $views)" "refused:$refused"
fi
check "--view nosuch is refused (the acceptance check can fail)" \
	test "$("$FLEETDECK" --view nosuch --validate -c /dev/null >/dev/null 2>&1; echo $?)" = 2

# --format: the names the program takes.
fmts=$(tab fleetdeck --format '')
refused=
for f in $fmts; do
	"$FLEETDECK" --once --format "$f" -c /dev/null >/dev/null 2>&1 || refused="$refused $f"
done
if printf '%s\n' "$fmts" | grep -qx openmetrics && [ -z "$refused" ]; then
	ok "--format <TAB> offers $(echo $fmts), each accepted"
else
	bad "--format <TAB> offers the formats fleetdeck accepts" "offered: $(echo $fmts)" "refused:$refused"
fi

# --theme: the shipped themes ($FLEETDECK_DATADIR, as the program looks) and
# the user's own ($XDG_DATA_HOME/fleetdeck/themes).
mkdir -p "$XDG_DATA_HOME/fleetdeck/themes"
printf 'ok = magenta\n' >"$XDG_DATA_HOME/fleetdeck/themes/mine"
themes=$(tab fleetdeck --theme '')
want=$(printf '%s\n' default high-contrast light mine mono)
if [ "$themes" = "$want" ]; then
	ok "--theme <TAB> offers the shipped themes and the user's own"
else
	bad "--theme <TAB> offers the shipped themes and the user's own" "got: $(echo $themes)" "want: $(echo $want)"
fi
got=$(tab fleetdeck --theme h)
if [ "$got" = high-contrast ]; then ok "--theme h<TAB> → high-contrast"; else bad "--theme h<TAB> → high-contrast" "got: $got"; fi

# -c: fleet files and directories, not any file.
mkdir -p "$T/fleets/sub"
: >"$T/fleets/prod.fleet"; : >"$T/fleets/lab.conf"; : >"$T/fleets/notes.txt"
got=$(cd "$T/fleets" && tab fleetdeck -c '')
want=$(printf '%s\n' lab.conf prod.fleet sub)
if [ "$got" = "$want" ]; then
	ok "-c <TAB> offers *.fleet, *.conf and directories"
else
	bad "-c <TAB> offers *.fleet, *.conf and directories" "got: $(echo $got)" "want: $(echo $want)"
fi
got=$(cd "$T/fleets" && tab fleetdeck --config p)
if [ "$got" = prod.fleet ]; then ok "--config p<TAB> → prod.fleet"; else bad "--config p<TAB> → prod.fleet" "got: $got"; fi

# Any other FILE (--record, --replay): every path, not only fleet files.
got=$(cd "$T/fleets" && tab fleetdeck --replay '')
want=$(printf '%s\n' lab.conf notes.txt prod.fleet sub)
if [ "$got" = "$want" ]; then
	ok "--replay <TAB> offers every file"
else
	bad "--replay <TAB> offers every file" "got: $(echo $got)" "want: $(echo $want)"
fi

# A free-text value (a duration) completes to nothing, not to options.
got=$(tab fleetdeck --interval '')
if [ -z "$got" ]; then ok "--interval <TAB> offers nothing"; else bad "--interval <TAB> offers nothing" "got: $(echo $got)"; fi

lab_finish
