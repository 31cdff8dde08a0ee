#!/usr/bin/env bash
# Measures the chat server as it is deployed (docs/benchmarks.md, "Measured as deployed"): the
# distribution started by ./run.sh in a private run directory, the bare Go relay beside it, and the
# load from separate processes: the shared gobench and the project's own generator (bench). Every
# shape runs interleaved Karaf, relay, Karaf, relay, ...; one JSON per run and summary.md (a table
# per shape, the commands, the date) go to bench-results/deployed-<date>/.
#
#   scripts/bench-deployed.sh                      build, then every shape, 3 runs, 10 s each after 5 s
#   scripts/bench-deployed.sh --no-build           use the distribution and bench jar already built
#   scripts/bench-deployed.sh --shapes pingpong,open20k --runs 5 --seconds 20 --warmup 10
#   scripts/bench-deployed.sh --set ioThreads=1    one more key for the instance's .cfg
#   scripts/bench-deployed.sh --help               every option
#
# Needs: a JDK 17 and Maven (the build), redis-server and redis-benchmark (run.sh installs
# redis-server when missing and root), Go (Debian's golang-go, installed with apt-get when missing
# and root) to build the shared tools in ../shared/bench-tools (another place: CHAT_BENCH_TOOLS=DIR).
# Ctrl-C stops everything it started (Karaf, its Redis, the relay, the generator), by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${CHAT_BENCH_TOOLS:-$ROOT/../shared/bench-tools}
BIN="$ROOT/bench-results/tools"
BENCH_JAR="$ROOT/bench/target/chatserver-bench.jar"
MAIN=io.github.chatserver.bench.deployed.DeployedBench

say() { printf 'bench-deployed.sh: %s\n' "$*"; }
die() { printf 'bench-deployed.sh: error: %s\n' "$*" >&2; exit 1; }

build=true
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=false ;;
    -h|--help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
      if [ -f "$BENCH_JAR" ]; then echo; java -cp "$BENCH_JAR" "$MAIN" --help; fi
      exit 0 ;;
    *) args+=("$a") ;;
  esac
done

command -v java >/dev/null || die "java is not on the PATH: install a JDK 17 (apt-get install openjdk-17-jdk-headless)"

# 1. The shared Go tools: gobench (a load generator) and relaylimit (the bare relay).
[ -d "$TOOLS/gobench" ] && [ -d "$TOOLS/relaylimit" ] \
  || die "the shared benchmark tools are not at $TOOLS (expected gobench/ and relaylimit/ there, beside the repository as ../shared/bench-tools); set CHAT_BENCH_TOOLS=DIR to use another copy"
if ! command -v go >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "Installing Debian's Go (apt-get install golang-go)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null \
      || die "apt-get install golang-go failed"
  else
    die "go is not on the PATH: install Debian's Go (apt-get install golang-go)"
  fi
fi
go_version=$(go env GOVERSION | sed 's/^go//')
newer() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" != "$2" ]; } # $1 > $2
mkdir -p "$BIN"
for tool in gobench relaylimit; do
  wanted=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$TOOLS/$tool/go.mod")
  if [ -n "$wanted" ] && newer "$wanted" "$go_version"; then
    die "$TOOLS/$tool/go.mod needs Go $wanted; this machine's Go is $go_version"
  fi
  say "Building $tool with Go $go_version into ${BIN#"$ROOT"/}"
  (cd "$TOOLS/$tool" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$BIN/$tool" .) || die "building $tool failed (see above)"
done

# 2. The distribution (for run.sh) and the project's generator.
if $build; then
  command -v mvn >/dev/null || die "mvn is not on the PATH: install Maven (apt-get install maven), or pass --no-build"
  say "Building the project: mvn -B -q install -DskipTests (in $ROOT)"
  (cd "$ROOT" && mvn -B -q install -DskipTests) || die "the build failed (see above)"
fi
[ -f "$BENCH_JAR" ] || die "no $BENCH_JAR: run without --no-build"
ls "$ROOT"/assembly/target/chatserver-assembly-*.tar.gz >/dev/null 2>&1 \
  || die "no distribution in assembly/target: run without --no-build"

# 3. A run directory of its own (CHAT_RUN_DIR of run.sh), removed at the end. Whatever is still
#    running from it then (the harness was killed) is stopped by its pidfile.
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-deployed.XXXXXX")
harness=

# Stops process $1 (SIGTERM, SIGKILL after $2 s) if it is still the one the pidfile meant: its
# command name contains $3.
stop_pid() {
  local pid=$1 grace=$2 name=$3 i
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  grep -q "$name" "/proc/$pid/cmdline" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  trap '' INT TERM HUP
  if [ -n "$harness" ] && kill -0 "$harness" 2>/dev/null; then
    kill -TERM "$harness" 2>/dev/null || true # its shutdown hook stops the generator, relay, Karaf, Redis
    for ((i = 0; i < 750; i++)); do kill -0 "$harness" 2>/dev/null || break; sleep 0.2; done
  fi
  local f
  stop_pid "$(cat "$RUN_DIR/relaylimit.pid" 2>/dev/null)" 10 relaylimit
  for f in "$RUN_DIR"/karaf*/karaf.pid; do
    [ -f "$f" ] && stop_pid "$(cat "$f")" 60 karaf
  done
  stop_pid "$(cat "$RUN_DIR/redis.pid" 2>/dev/null)" 20 redis
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# 4. The runs. In the background, so that a signal reaches the trap at once.
java -cp "$BENCH_JAR" "$MAIN" --root "$ROOT" --run-dir "$RUN_DIR" --out "$ROOT/bench-results" \
  --gobench "$BIN/gobench" --relaylimit "$BIN/relaylimit" --bench-jar "$BENCH_JAR" \
  --command "scripts/bench-deployed.sh $*" "${args[@]}" &
harness=$!
status=0
wait "$harness" || status=$?
harness=
exit "$status"
