#!/usr/bin/env bash
# Starts the chat server for an operator: builds the project and its Karaf distribution (assembly/),
# unpacks it into .run/karaf (re-used on later runs; a new build replaces it but keeps etc/'s chat
# configuration and console users), starts a local Redis unless CHAT_REDIS_ADDRESS names one, and
# runs Karaf in the foreground with feature "chatserver" installed at boot. Ctrl-C stops Karaf.
#
# Needs a JDK 17 and Maven; redis-server is installed with apt-get when missing and run as root
# (scripts/ensure-redis-server.sh).
#
#   ./run.sh              build, then run Karaf as a server (no console; log in .run/karaf/data/log)
#   ./run.sh --console    the same with Karaf's interactive console
#   ./run.sh --no-build   skip the Maven build (the artifacts are already in the local repository)
#
#   CHAT_REDIS_ADDRESS=redis://host:6379 ./run.sh   use that Redis; start none
#
# The server's configuration is .run/karaf/etc/io.github.chatserver.cfg (every key documented there);
# Karaf applies edits to it while running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$ROOT/.run"
KARAF="$RUN/karaf"
REDIS_DIR="$RUN/redis"
REDIS_PIDFILE="$RUN/redis.pid"
REDIS_PORTFILE="$RUN/redis.port"
CFG_NAME=io.github.chatserver.cfg

say() { printf 'run.sh: %s\n' "$*"; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

console=false
build=true
for arg in "$@"; do
  case "$arg" in
    --console) console=true ;;
    --no-build) build=false ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

# Versions come from the parent pom, where they are pinned.
pom_value() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -n 1; }
PROJECT_VERSION=$(pom_value version)
KARAF_VERSION=$(pom_value karaf.version)
[ -n "$PROJECT_VERSION" ] && [ -n "$KARAF_VERSION" ] || die "cannot read the versions from $ROOT/pom.xml"

command -v java >/dev/null || die "java is not on the PATH: install a JDK 17 (apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null || die "mvn is not on the PATH: install Maven (apt-get install maven)"
java_major=$(java -version 2>&1 | sed -n -E '1s/.*version "([0-9]+).*/\1/p')
[ "${java_major:-0}" -ge 17 ] || die "Java ${java_major:-?} found; Java 17 or later is needed"
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  export JAVA_HOME
fi

# True when something accepts TCP connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to $2 seconds for 127.0.0.1:$1 to accept connections.
await_port() {
  local deadline=$((SECONDS + $2))
  until listening "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Sets key $2 to $3 in the .cfg file $1 (replacing the key's line, or appending one).
cfg_set() {
  local file=$1 key=$2 value=$3
  if grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$file"; then
    sed -i -E "s|^([[:space:]]*$key[[:space:]]*=[[:space:]]*).*|\1$value|" "$file"
  else
    printf '%s = %s\n' "$key" "$value" >> "$file"
  fi
}

# 1. Build
if $build; then
  say "Building the project: mvn -B -q install -DskipTests (in $ROOT)"
  (cd "$ROOT" && mvn -B -q install -DskipTests) || die "the build failed (see above)"
else
  say "Skipping the build (--no-build): using the artifacts already in the local Maven repository"
fi

# 2. The distribution (assembly/): Karaf with chatserver as a boot feature, console on localhost
DIST="$ROOT/assembly/target/chatserver-assembly-$PROJECT_VERSION.tar.gz"
[ -f "$DIST" ] || die "no distribution at ${DIST#"$ROOT"/}: run without --no-build"
mkdir -p "$RUN"
if [ ! -d "$KARAF" ] || [ "$DIST" -nt "$KARAF/.unpacked" ]; then
  # A new build replaces the distribution; the operator's configuration and console users stay.
  kept="$RUN/kept-etc"
  rm -rf "$kept" && mkdir -p "$kept"
  for f in "$CFG_NAME" users.properties; do
    [ -f "$KARAF/etc/$f" ] && cp "$KARAF/etc/$f" "$kept/"
  done
  say "Unpacking the distribution ${DIST#"$ROOT"/} into ${KARAF#"$ROOT"/}"
  rm -rf "$KARAF" "$RUN/chatserver-assembly-$PROJECT_VERSION"
  tar -xzf "$DIST" -C "$RUN"
  mv "$RUN/chatserver-assembly-$PROJECT_VERSION" "$KARAF"
  cp "$kept"/* "$KARAF/etc/" 2>/dev/null || true
  rm -rf "$kept"
  touch "$KARAF/.unpacked"
else
  say "Re-using the distribution in ${KARAF#"$ROOT"/}"
fi

# A console user with a random password, made on first start: no default password is left in place.
USERS="$KARAF/etc/users.properties"
if ! grep -Eq '^[[:space:]]*chatadmin[[:space:]]*=' "$USERS"; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
  printf 'chatadmin = %s,_g_:admingroup\n' "$password" >> "$USERS"
  umask 077
  printf '%s\n' "$password" > "$RUN/console-password"
  say "Created console user 'chatadmin'; its password is in ${RUN#"$ROOT"/}/console-password (Karaf hashes it at start)"
  say "  console: ssh -p 8101 chatadmin@127.0.0.1   or   $KARAF/bin/client -u chatadmin"
fi

CFG="$KARAF/etc/$CFG_NAME"
if [ ! -f "$CFG" ]; then
  say "Installing the default configuration as ${CFG#"$ROOT"/}"
  cp "$ROOT/features/src/main/cfg/$CFG_NAME" "$CFG"
fi

# 3. Redis
if [ -n "${CHAT_REDIS_ADDRESS:-}" ]; then
  redis_address=$CHAT_REDIS_ADDRESS
  say "Using Redis at $redis_address (CHAT_REDIS_ADDRESS); starting none"
else
  if [ -s "$REDIS_PIDFILE" ] && [ -s "$REDIS_PORTFILE" ] \
      && grep -q redis-server "/proc/$(cat "$REDIS_PIDFILE")/comm" 2>/dev/null; then
    redis_port=$(cat "$REDIS_PORTFILE")
    say "Re-using the Redis started by an earlier run (pid $(cat "$REDIS_PIDFILE"), port $redis_port)"
  else
    # shellcheck source=scripts/ensure-redis-server.sh
    . "$ROOT/scripts/ensure-redis-server.sh"
    ensure_redis_server || die "no redis-server; or set CHAT_REDIS_ADDRESS=redis://host:port to use a running Redis"
    redis_port=6379
    while listening "$redis_port"; do
      redis_port=$((redis_port + 1))
      [ "$redis_port" -le 6479 ] || die "no free port for Redis in 6379-6479"
    done
    [ "$redis_port" -eq 6379 ] || say "Port 6379 is taken; Redis gets port $redis_port"
    mkdir -p "$REDIS_DIR"
    say "Starting redis-server on 127.0.0.1:$redis_port (data in ${REDIS_DIR#"$ROOT"/}, pid in ${REDIS_PIDFILE#"$ROOT"/})"
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes \
      --pidfile "$REDIS_PIDFILE" --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --appendonly yes
    echo "$redis_port" > "$REDIS_PORTFILE"
    await_port "$redis_port" 20 || die "redis-server did not listen on port $redis_port; see $REDIS_DIR/redis.log"
  fi
  redis_address="redis://127.0.0.1:$redis_port"
  say "Redis keeps running after Karaf stops; stop it with: kill \$(cat ${REDIS_PIDFILE#"$ROOT"/})"
fi
say "Setting redisAddress = $redis_address in ${CFG#"$ROOT"/}"
cfg_set "$CFG" redisAddress "$redis_address"

# 4. Karaf, in the foreground
port=$(sed -n -E 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' "$CFG" | tail -n 1)
say "Starting Karaf $KARAF_VERSION; the chat server listens on port ${port:-8989} (log: ${KARAF#"$ROOT"/}/data/log/chatserver.log)"
cd "$KARAF"
if $console; then
  exec bin/karaf
else
  say "Ctrl-C stops it"
  exec bin/karaf server
fi
