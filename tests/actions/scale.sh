#!/bin/sh
# scale.sh list DIR | set DIR N — a stand-in for `terraform apply -var
# runners=N`: keeps exactly N real runner processes (a `sleep` started under
# the name fdrunner-<DIR's hash>-K, so pgrep finds them) and lists them.
set -u
cmd=$1 dir=$2
mkdir -p "$dir" || exit 1
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
case $cmd in
list)
	for f in "$dir"/runner-*.pid; do
		alive "$f" || continue
		n=${f##*/}; n=${n%.pid}
		echo "$n idle"
	done
	;;
set)
	want=$3
	case $want in ''|*[!0-9]*) echo "scale.sh: not a count: $want" >&2; exit 2 ;; esac
	k=1
	while [ "$k" -le "$want" ]; do
		f=$dir/runner-$k.pid
		if ! alive "$f"; then
			ln -sf "$(command -v sleep)" "$dir/fdrunner-$k"
			setsid "$dir/fdrunner-$k" 3600 </dev/null >/dev/null 2>&1 &
			echo $! >"$f"
		fi
		k=$((k + 1))
	done
	for f in "$dir"/runner-*.pid; do
		[ -f "$f" ] || continue
		n=${f##*/runner-}; n=${n%.pid}
		if [ "$n" -gt "$want" ]; then
			alive "$f" && kill "$(cat "$f")"
			rm -f "$f"
		fi
	done
	;;
*)
	echo "usage: scale.sh list DIR | set DIR N" >&2; exit 2 ;;
esac
