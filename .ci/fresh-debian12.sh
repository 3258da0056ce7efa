#!/usr/bin/env bash
# fresh-debian12.sh - the project's copy of ../shared/tools/fresh-debian12.sh for .ci/run,
# with one change: the local certificate authorities of this machine's network go into the
# root too (see "update-ca-certificates" below).  What follows is the original's text.
#
# fresh-debian12.sh - the README's two commands on a pristine Debian 12, the way a new user
# meets the project: a debootstrap'd bookworm root (minbase + git, make, ca-certificates: no
# compiler, no Node.js, no -dev packages) gets a clone of the repository's committed HEAD,
# then, as root inside it, `make test` must pass on the FIRST try and `make run` must then
# answer GET /status on port 3284.
#
#   sh ../shared/tools/fresh-debian12.sh [REPO]      (default: the current git repository)
#
# Needs root, debootstrap (installed from Debian when missing), mount, and access to Debian's
# and npm's registries. The base system is made once (~3 minutes) and cached as a tarball
# under $FRESH_CACHE (default /var/cache/fresh-debian12); every run unpacks a pristine copy
# into a temporary folder and removes it afterwards (FRESH_KEEP=1 keeps it for a look).
# Environment: FRESH_TEST (default "make test"), FRESH_RUN (default "make run"),
# FRESH_TIMEOUT (seconds for the test command, default 2400).
# The chroot shares this machine's network and process table: nothing else may listen on
# port 3284 while it runs. Exit status 0 when both commands worked.
set -u
repo=$(cd "${1:-.}" && git rev-parse --show-toplevel) || { echo "fresh: not a git repository" >&2; exit 2; }
cache=${FRESH_CACHE:-/var/cache/fresh-debian12}
test_cmd=${FRESH_TEST:-make test}
run_cmd=${FRESH_RUN:-make run}
limit=${FRESH_TIMEOUT:-2400}
[ "$(id -u)" = 0 ] || { echo "fresh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
mkdir -p "$cache"

if [ ! -s "$cache/base.tar" ]; then
	command -v debootstrap >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >/dev/null 2>&1
	command -v debootstrap >/dev/null 2>&1 || { echo "fresh: cannot install debootstrap" >&2; exit 2; }
	echo "fresh: making the base system (once) in $cache"
	rm -rf "$cache/root"
	debootstrap --variant=minbase --include=git,make,ca-certificates bookworm "$cache/root" \
		http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
		{ echo "fresh: debootstrap failed, see $cache/debootstrap.log" >&2; exit 2; }
	tar -C "$cache/root" -cf "$cache/base.tar.tmp" . && mv "$cache/base.tar.tmp" "$cache/base.tar"
	rm -rf "$cache/root"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/fresh-debian12.XXXXXX")
mounted=""
cleanup() {
	for m in $mounted; do umount -l "$root/$m" 2>/dev/null; done
	for m in $mounted; do mountpoint -q "$root/$m" && { echo "fresh: $root/$m still mounted, left in place" >&2; return; }; done
	[ "${FRESH_KEEP:-0}" = 1 ] && { echo "fresh: kept $root"; return; }
	rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$cache/base.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The root shares this machine's network, and so the certificate authorities that network
# may need: a proxy that inspects HTTPS (as CI's sandbox does) signs with a local CA, which
# the host trusts through /usr/local/share/ca-certificates.  Those go in too, added to
# Debian's bundle by Debian's own update-ca-certificates; nothing else of the host does.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1 ||
		{ echo "fresh: update-ca-certificates failed in the root" >&2; exit 2; }
fi
cat >"$root/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m" || { echo "fresh: cannot bind-mount /$m" >&2; exit 2; }
	mounted="$m $mounted"
done
git clone -q "$repo" "$root/root/project" || { echo "fresh: clone failed" >&2; exit 2; }
# The repository's ../shared, as CI lays it beside the clone (FRESH_SHARED names another).
shared=${FRESH_SHARED:-$repo/../shared}
[ -d "$shared" ] && cp -r "$shared" "$root/root/shared"

in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c "$1"
}
log="$root.test.log"
start=$(date +%s)
echo "fresh: $test_cmd (log: $log)"
in_root "cd /root/project && timeout $limit $test_cmd" >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
tally=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ $rc -ne 0 ]; then
	echo "fresh: FAILED: '$test_cmd' exited $rc after ${secs}s on the first try; last tally: ${tally:-none}"
	echo "fresh: the first errors:"
	grep -m5 -nE 'error|Error|not found|No such|missing|ERR!' "$log" | cut -c1-200
	echo "fresh: the last lines:"
	tail -n 15 "$log"
	exit 1
fi
echo "fresh: '$test_cmd' passed in ${secs}s: $tally"

runlog="$root.run.log"
# GET /status with bash alone: a pristine root has no curl unless the project installed it.
in_root "cd /root/project && setsid timeout 300 $run_cmd >/tmp/run.log 2>&1 & pg=\$!
	get() { exec 3<>/dev/tcp/127.0.0.1/3284 || return 1
		printf 'GET /status HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3
		timeout 5 cat <&3 >/tmp/status.txt; exec 3<&-; grep -q '\"status\"' /tmp/status.txt; }
	ok=1; for i in \$(seq 1 240); do
		if get 2>/dev/null; then ok=0; break; fi
		kill -0 \$pg 2>/dev/null || break; sleep 1; done
	tail -n 1 /tmp/status.txt 2>/dev/null; echo; tail -n 5 /tmp/run.log
	kill -INT -- -\$pg 2>/dev/null; sleep 2; kill -KILL -- -\$pg 2>/dev/null; exit \$ok" >"$runlog" 2>&1
# shellcheck disable=SC2181 # the status of the chroot just above
if [ $? -ne 0 ] || ! grep -q '"status"' "$runlog"; then
	echo "fresh: FAILED: '$run_cmd' served no GET /status on 127.0.0.1:3284 (log: $runlog)"
	tail -n 10 "$runlog"
	exit 1
fi
echo "fresh: '$run_cmd' answered: $(head -n 1 "$runlog" | cut -c1-160)"
echo "fresh: both commands work on a pristine Debian 12"
