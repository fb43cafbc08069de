#!/bin/sh
# demo.sh BIN DEMO_DIR — accord's main job, end to end.
#
# Part 1 is the release pipeline on accord: four stage repositories (ci,
# qa, staging, prod) made with "accord stage", targets promoted from stage
# to stage with "accord promote" (prod signing 2 of 3 through pending/),
# served on loopback by "BIN/accord-fixtures -serve-dir", a client's
# lookups refusing what a stage did not promote and accepting what every
# stage did, and a key rotation the client follows. Part 2 builds the fixture demo world (four repositories signed
# in code, with faults) with BIN/accord-fixtures, serves it on loopback,
# and runs BIN/accord against it with a fresh trust directory under
# DEMO_DIR. Each step says what it shows; the demo fails
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

STAGE_FIFO=$DEMO/.stage-server-stdin
STAGE_READY=$DEMO/.stage-server-ready
STAGE_PID=

# stop_stage_server stops the static server of part 1, as stop_server
# stops the fixture server.
stop_stage_server() {
	if [ -n "$STAGE_PID" ]; then
		exec 4>&-
		kill "$STAGE_PID" 2>/dev/null || true
		wait "$STAGE_PID" 2>/dev/null || true
		STAGE_PID=
	fi
	rm -f "$STAGE_FIFO"
}

# wait_ready FILE PID LOG WHAT waits until the server PID has written FILE
# (its base URL), at most 2 minutes; if it stops first, it shows its LOG.
wait_ready() {
	tries=0
	while [ ! -f "$1" ]; do
		if ! kill -0 "$2" 2>/dev/null; then
			echo "demo: $4 stopped:" >&2
			cat "$3" >&2
			exit 1
		fi
		tries=$((tries + 1))
		if [ "$tries" -gt 120 ]; then
			echo "demo: $4 did not start within 2 minutes" >&2
			exit 1
		fi
		sleep 1
	done
}

trap 'status=$?; stop_stage_server; stop_server; exit $status' EXIT
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

# ---------------------------------------------------------------------------
# Part 1: the release pipeline, run on accord. Each stage (ci, qa, staging,
# prod) publishes its own TUF repository with "accord stage"; each later
# stage promotes with "accord promote", which signs only what the stages
# before it verifiably agreed on. A client then requires all four.
# ---------------------------------------------------------------------------
rm -rf "$DEMO/stages" "$DEMO/holders" "$DEMO/www" "$DEMO/artifacts" "$DEMO/pipeline-trust" \
	"$DEMO/client-trust" "$DEMO/pipeline-map.json" "$DEMO/client-map.json" "$STAGE_FIFO" "$STAGE_READY"

# pin_line prints the "pin NAME FILE --sha256 HEX" that the last
# "accord stage init" printed for clients.
pin_line() {
	sed -n 's/^ *accord \(pin .*\)$/\1/p' "$LAST"
}

step "Each stage creates its own repository: keys, root 1, empty targets (prod's targets need 2 of 3 keys)"
for s in ci qa staging; do
	expect 0 stage init "stages/$s" --name "$s"
	pin_line >"stages/$s.pin"
	if [ "$s" = ci ]; then
		CI_TARGETS_ID=$(sed -n 's/^ *targets key *\([0-9a-f]*\)$/\1/p' "$LAST")
	fi
done
expect 0 stage init stages/prod --name prod --targets-keys 3 --targets-threshold 2
pin_line >stages/prod.pin

step "prod's three targets keys go to the three people who hold them (root and targets keys belong offline)"
for holder in alice bob carol; do
	mkdir -p "holders/$holder"
	chmod 700 "holders/$holder"
	set -- stages/prod/keys/targets-*.pem
	mv "$1" "holders/$holder/"
	echo "holders/$holder/$(basename "$1")"
done
ALICE_KEY=$(echo holders/alice/targets-*.pem)
BOB_KEY=$(echo holders/bob/targets-*.pem)

step "Serve each stage's public/ folder as it is, with a static web server on loopback"
mkdir -p www
for s in ci qa staging prod; do
	ln -s "../stages/$s/public" "www/$s"
done
mkfifo "$STAGE_FIFO"
"$BIN/accord-fixtures" -serve-dir www -ready "$STAGE_READY" <"$STAGE_FIFO" >"$DEMO/stage-server.log" 2>&1 &
STAGE_PID=$!
exec 4>"$STAGE_FIFO"
wait_ready "$STAGE_READY" "$STAGE_PID" "$DEMO/stage-server.log" "the static server"
URL=$(cat "$STAGE_READY")
echo "serving www/ on $URL"

# The promoting stages' map: ci decides, --groups adds the stages before.
cat >pipeline-map.json <<JSON
{
  "repositories": {"ci": ["$URL/ci"], "qa": ["$URL/qa"], "staging": ["$URL/staging"], "prod": ["$URL/prod"]},
  "mapping": [{"paths": ["**"], "repositories": ["ci"]}]
}
JSON
# The client's map: every library/* target needs all four stages.
cat >client-map.json <<JSON
{
  "repositories": {"ci": ["$URL/ci"], "qa": ["$URL/qa"], "staging": ["$URL/staging"], "prod": ["$URL/prod"]},
  "mapping": [{"paths": ["library/*"], "repositories": ["ci", "qa", "staging", "prod"], "terminating": true}]
}
JSON

step "The pipeline's trust directory: its map file, and each stage's root pinned with the line stage init printed"
ACCORD_HOME=$DEMO/pipeline-trust
export ACCORD_HOME
expect 0 init --map pipeline-map.json
for s in ci qa staging prod; do
	# shellcheck disable=SC2046
	expect 0 $(cat "stages/$s.pin")
done

step "CI builds app 1.4 and 1.5-rc1 and signs them; the bytes are published too"
mkdir -p artifacts
i=0
while [ "$i" -lt 200 ]; do
	echo "app 1.4 layer $i"
	i=$((i + 1))
done >artifacts/app-1.4.tar
echo "app 1.5-rc1, not yet tested" >artifacts/app-1.5-rc1.tar
expect 0 stage add stages/ci library/app:1.4 --file artifacts/app-1.4.tar
expect 0 stage add stages/ci library/app:1.5-rc1 --file artifacts/app-1.5-rc1.tar

step "QA promotes app 1.4: accord verifies ci's signature, then qa signs the same length and hashes"
expect 0 promote library/app:1.4 --to stages/qa --groups ci
mentions '^added library/app:1\.4 .*, verified by ci$'
mentions '^published targets version 2 of qa$'

step "... but nothing ci did not sign: refused, naming why, and nothing written to stages/qa"
expect 1 promote library/app:1.5 --to stages/qa --groups ci
mentions 'library/app:1\.5: not found'
mentions 'nothing written to stages/qa'

step "Staging promotes app 1.4 once ci and qa agree"
expect 0 promote library/app:1.4 --to stages/staging --groups ci,qa
mentions 'verified by ci, qa$'

step "... and refuses 1.5-rc1, which qa never promoted"
expect 1 promote library/app:1.5-rc1 --to stages/staging --groups ci,qa
mentions 'refused by group repository "qa"'
mentions 'qa does not sign the target'

step "Prod promotes app 1.4 after ci, qa and staging; short of its 2 of 3 keys, the change waits in pending/"
expect 0 promote library/app:1.4 --to stages/prod --groups ci,qa,staging
mentions '^pending targets version 2: 0 of 2 signatures$'
expect 0 stage status stages/prod
mentions '^  \+ library/app:1\.4 '

step "Two of the three key holders sign, each with their own key; then prod publishes"
expect 0 stage sign stages/prod --key "$ALICE_KEY" --yes
mentions '1 of 2 signatures'
expect 0 stage sign stages/prod --key "$BOB_KEY" --yes
mentions '2 of 2 signatures'
expect 0 stage publish stages/prod
mentions '^published targets version 2 of prod$'

step "A client requiring all four stages: its own trust directory, map file and pins"
ACCORD_HOME=$DEMO/client-trust
export ACCORD_HOME
expect 0 init --map client-map.json
for s in ci qa staging prod; do
	# shellcheck disable=SC2046
	expect 0 $(cat "stages/$s.pin")
done

step "app 1.4 went through every stage: verified, the four stages agreeing"
expect 0 lookup library/app:1.4
mentions '^status +verified$'
mentions '^agreed +ci, qa, staging, prod$'

step "app 1.5-rc1 only reached ci: refused, naming the stages that did not sign it"
expect 1 lookup library/app:1.5-rc1
mentions 'no consensus'
mentions 'qa does not sign the target'
mentions 'prod does not sign the target'

step "Download app 1.4 (ci carries the bytes), checked against the length and hashes all four signed"
mkdir -p "$OUT"
expect 0 download library/app:1.4 -o "$OUT/app-1.4.tar"
cmp artifacts/app-1.4.tar "$OUT/app-1.4.tar"
echo "identical to CI's build"

step "ci replaces its targets key (say it leaked): a new root, signed by the old and the new root keys, and the targets signed anew"
CI_OLD_TARGETS_KEY=$(echo stages/ci/keys/targets-*.pem)
expect 0 stage rotate stages/ci --role targets --generate 1 --remove-key "$CI_TARGETS_ID"
mentions '^published root version 2 of ci$'
mentions '^signed anew: targets, snapshot, timestamp$'

step "The client, pinned to ci's root 1, follows the new root; app 1.4 is still verified"
expect 0 lookup library/app:1.4
mentions '^status +verified$'
expect 0 status
mentions '^  root +version 2 '

step "The old targets key no longer signs for ci"
expect 2 stage add stages/ci library/app:1.6 --file artifacts/app-1.5-rc1.tar --key "$CI_OLD_TARGETS_KEY"
mentions 'is not a key of targets'

stop_stage_server
ACCORD_HOME=$DEMO/trust
export ACCORD_HOME

# ---------------------------------------------------------------------------
# Part 2: the demo world of accord-fixtures, four repositories signed in
# code, with the faults a pipeline can show (a target that stopped at one
# stage, two stages that signed different bytes), mirrors and offline use.
# ---------------------------------------------------------------------------
step "Build four signed TUF repositories (ci, qa, staging, prod) and serve them on loopback"
mkfifo "$FIFO"
"$BIN/accord-fixtures" -out "$WORLD" -serve <"$FIFO" >"$DEMO/server.log" 2>&1 &
SERVER_PID=$!
exec 3>"$FIFO"
wait_ready "$WORLD/ready" "$SERVER_PID" "$DEMO/server.log" "accord-fixtures"
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

# accord audit, on the clean world (a block of its own).
step "Audit: each stage signs with keys of its own, so every requirement is worth what it says"
expect 0 audit --refresh --groups ci,qa,staging
mentions '^no findings$'

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
trap 'status=$?; stop_stage_server; stop_server; if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; fi; exit $status' EXIT
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

# accord audit, on a world where ci and qa share a targets key (a block
# of its own: its own world, file:// URLs, and trust directory).
step "Audit a world where ci and qa share a targets key: ci and qa together are worth one key holder, not two"
rm -rf "$DEMO/shared-trust"
ACCORD_HOME=$DEMO/shared-trust
export ACCORD_HOME
"$BIN/accord-fixtures" -out shared-world -shared-key ci,qa
expect 0 init --map shared-world/map.json
for repo in ci qa staging prod; do
	expect 0 pin "$repo" "shared-world/roots/$repo.root.json"
done
expect 1 audit --refresh
mentions 'one key signs for ci as targets .* and qa as targets'
mentions 'effective threshold 1, below the stated 2'

printf '\ndemo: every step behaved as it says\n'
