#!/bin/sh
# demo.sh BIN DEMO_DIR — accord's main job, end to end.
#
# It builds the demo world (four signed TUF repositories, ci, qa, staging
# and prod, the stages of a release pipeline) with BIN/accord-fixtures,
# serves it on loopback, and runs BIN/accord against it with a fresh trust
# directory under DEMO_DIR. Each step says what it shows; the demo fails
# when a step does not behave as it says, refusals included. The server is
# stopped on exit, also on failure.
set -eu

if [ "$#" -ne 2 ]; then
	echo "usage: demo.sh BIN DEMO_DIR" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
mkdir -p "$2"
DEMO=$(cd "$2" && pwd)
# The demo runs in DEMO_DIR, so that the paths it shows are short.
cd "$DEMO"
WORLD=world
OUT=out
FIFO=$DEMO/.server-stdin
LAST=$DEMO/.last-output
SERVER_PID=

# A previous run's state goes; the world is rebuilt by accord-fixtures.
rm -rf "$DEMO/trust" "$DEMO/offline-trust" "$DEMO/mirror" "$OUT" "$FIFO" "$LAST" "$WORLD/ready"
mkdir -p "$OUT"
unset ACCORD_GROUPS XDG_DATA_HOME || true
ACCORD_HOME=$DEMO/trust
export ACCORD_HOME

# stop_server closes the server's standard input (it stops at end of
# file), sends it SIGTERM in case it did not, and waits for it.
stop_server() {
	if [ -n "$SERVER_PID" ]; then
		exec 3>&-
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
	rm -f "$FIFO"
}
trap 'status=$?; stop_server; exit $status' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step prints a step's one-line explanation.
step() {
	printf '\n== %s\n' "$*"
}

# expect CODE ARGS... runs accord ARGS, shows the command and its output
# (stdout and stderr), and fails the demo unless it exits with CODE.
expect() {
	want=$1
	shift
	printf '$ accord %s\n' "$*"
	set +e
	"$BIN/accord" "$@" >"$LAST" 2>&1
	got=$?
	set -e
	sed 's/^/  /' "$LAST"
	if [ "$got" -ne "$want" ]; then
		echo "demo: 'accord $*' exited with status $got, expected $want" >&2
		exit 1
	fi
}

# mentions PATTERN fails the demo unless the last command's output matches
# the extended regular expression PATTERN.
mentions() {
	if ! grep -Eq -- "$1" "$LAST"; then
		echo "demo: the last command's output does not mention /$1/" >&2
		exit 1
	fi
}

step "Build four signed TUF repositories (ci, qa, staging, prod) and serve them on loopback"
mkfifo "$FIFO"
"$BIN/accord-fixtures" -out "$WORLD" -serve <"$FIFO" >"$DEMO/server.log" 2>&1 &
SERVER_PID=$!
exec 3>"$FIFO"
tries=0
while [ ! -f "$WORLD/ready" ]; do
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "demo: accord-fixtures stopped:" >&2
		cat "$DEMO/server.log" >&2
		exit 1
	fi
	tries=$((tries + 1))
	if [ "$tries" -gt 120 ]; then
		echo "demo: accord-fixtures did not start serving within 2 minutes" >&2
		exit 1
	fi
	sleep 1
done
echo "serving on $(cat "$WORLD/ready")"

step "The map file: library/* needs both ci and qa (terminating); everything else needs prod"
expect 0 init --map "$WORLD/map.json"
expect 0 map check

step "Pin each repository's root of trust (each stage signs under its own keys)"
for repo in ci qa staging prod; do
	expect 0 pin "$repo" "$WORLD/roots/$repo.root.json"
done

step "nginx passed ci and qa: verified when the groups ci and qa are required"
expect 0 lookup library/nginx 1.27 --groups=ci,qa
mentions '^status +verified$'

step "... but it never reached staging: refused when staging is required too, naming staging"
expect 1 lookup library/nginx:1.27 --groups=ci,qa,staging
mentions '^status +no_consensus$'
mentions 'no consensus: .*group.*"staging"'

step "alpine: qa signed other bytes than ci, so the hashes disagree and it is refused, both hashes shown"
expect 1 lookup library/alpine:3.20
mentions 'no consensus'
mentions 'ci signed sha256:[0-9a-f]{64}'
mentions 'qa signed sha256:[0-9a-f]{64}'

step "The pipeline matrix: every target, each repository's answer and the consensus"
expect 0 list
mentions '^library/ubuntu:24\.04 .* verified \(ci, qa\)$'
mentions '^library/alpine:3\.20 .* no_consensus$'

step "Download ubuntu from the repositories that agree (length and hashes checked, written atomically), then verify it"
expect 0 download library/ubuntu:24.04 -o "$OUT/ubuntu.img"
expect 0 verify "$OUT/ubuntu.img" library/ubuntu:24.04
mentions 'matches library/ubuntu:24\.04'

step "A copy with one byte changed does not verify, and accord says which check failed"
cp "$OUT/ubuntu.img" "$OUT/ubuntu-changed.img"
printf 'X' | dd of="$OUT/ubuntu-changed.img" bs=1 seek=100 conv=notrunc 2>/dev/null
expect 1 verify "$OUT/ubuntu-changed.img" library/ubuntu:24.04
mentions 'does not match library/ubuntu:24\.04: sha256 is [0-9a-f]{64}, the consensus is [0-9a-f]{64}'

step "For scripts: one JSON document on stdout (charts/web:1.0 is routed to prod by **)"
expect 0 lookup charts/web:1.0 --json
mentions '"status": "verified"'
mentions '"agreed": \['

step "Write every repository's verified metadata as a mirror, for offline verification elsewhere"
expect 0 mirror mirror

step "Stop the server: from here on nothing is reachable"
stop_server
echo "server stopped"

step "A fresh trust directory, pinned from the same roots, refreshed from the mirror copy"
ACCORD_HOME=$DEMO/offline-trust
export ACCORD_HOME
expect 0 init --map "$WORLD/map.json"
for repo in ci qa staging prod; do
	expect 0 pin "$repo" "$WORLD/roots/$repo.root.json"
done
expect 0 --mirror mirror refresh

step "Offline, from the cached metadata alone: ubuntu is still verified, alpine still refused"
expect 0 --offline lookup library/ubuntu:24.04
mentions '^status +verified$'
expect 1 --offline lookup library/alpine:3.20
mentions 'no consensus'

# --- Pulls: docker pull by digest, and containerd's image verifier --------
step "docker pull by the digest the repositories agree on: accord ref prints IMAGE@sha256:<consensus>"
expect 0 --offline ref ubuntu:24.04
mentions '^ubuntu:24\.04@sha256:[0-9a-f]{64}$'
echo '  (so: docker pull "$(accord ref ubuntu:24.04)")'

step "containerd's image verifier, called as containerd calls it (descriptor on stdin): exit 0 allows the pull"
DIGEST=$("$BIN/accord" --offline ref ubuntu:24.04)
DIGEST=${DIGEST#*@}
SIZE=$("$BIN/accord" --offline --json lookup library/ubuntu:24.04 | sed -n 's/^  "length": \([0-9]*\),$/\1/p')
printf '{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "%s", "size": %s}\n' "$DIGEST" "$SIZE" >"$OUT/descriptor.json"
MT=application/vnd.oci.descriptor.v1+json
expect 0 --offline image-verify -name docker.io/library/ubuntu:24.04 -digest "$DIGEST" -stdin-media-type "$MT" <"$OUT/descriptor.json"
mentions '^allowed: docker\.io/library/ubuntu:24\.04 is target library/ubuntu:24\.04'
step "... and blocks alpine, which ci and qa signed differently: the reason on stdout, exit 1"
expect 1 --offline image-verify -name docker.io/library/alpine:3.20 -digest "$DIGEST" -stdin-media-type "$MT" <"$OUT/descriptor.json"
mentions '^blocked: target "library/alpine:3\.20": no consensus'
# --- end of the pulls block ----------------------------------------------

# --- The admission webhook: accord serve ---------------------------------
step "accord serve on the same trust directory, asked as Kubernetes asks a webhook (--admission mutate)"
SERVE_PID=
trap 'status=$?; stop_server; if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; fi; exit $status' EXIT
"$BIN/accord" --offline serve --listen 127.0.0.1:0 --admission mutate 2>"$DEMO/serve.log" &
SERVE_PID=$!
i=0
until grep -q '^accord: serving on ' "$DEMO/serve.log"; do
	i=$((i + 1))
	if [ "$i" -gt 600 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
		echo "demo: accord serve did not start:" >&2
		cat "$DEMO/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done
SERVE_URL=$(sed -n 's/^accord: serving on //p' "$DEMO/serve.log" | head -n 1)
echo "$ accord --offline serve --listen 127.0.0.1:0 --admission mutate   # $SERVE_URL"
# review WANT IMAGE posts the AdmissionReview of a Pod running IMAGE.
review() {
	printf '$ POST %s/v1/admission  (a Pod running %s)\n' "$SERVE_URL" "$2"
	set +e
	"$BIN/admission-review" "$SERVE_URL/v1/admission" "$2" >"$LAST" 2>&1
	got=$?
	set -e
	sed 's/^/  /' "$LAST"
	if [ "$got" -ne "$1" ]; then
		echo "demo: the review of $2 exited with status $got, expected $1" >&2
		exit 1
	fi
}
review 0 ubuntu:24.04
mentions '^patch: .*"value":"ubuntu:24\.04@sha256:[0-9a-f]{64}"'
step "... a Pod running redis, which only ci signed, is denied with each repository's reason"
review 1 redis:7.4
mentions '^denied: .*redis:7\.4.*no_consensus.*qa: missing'
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
SERVE_PID=
echo "accord serve stopped (SIGTERM: drained, exit 0)"
# --- end of the admission webhook block ------------------------------------

printf '\ndemo: every step behaved as it says\n'
