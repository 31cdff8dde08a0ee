#!/usr/bin/env bash
# Starts the chat server for an operator: builds the project, unpacks Apache Karaf into .run/karaf
# (re-used on later runs), starts a local Redis unless CHAT_REDIS_ADDRESS names one, and runs Karaf
# in the foreground with feature "chatserver" installed at boot. Ctrl-C stops Karaf.
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
FEATURES_REPO="mvn:io.github.chatserver/chatserver-features/$PROJECT_VERSION/xml/features"

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

# Appends $3 to the comma-separated list property $2 of the Karaf .cfg file $1 (values may span
# lines ending in '\'), unless it is already an element of it.
cfg_list_add() {
  local file=$1 key=$2 value=$3
  if awk -v key="$key" -v value="$value" '
      $0 ~ "^[ \t]*" key "[ \t]*=" { inside = 1; sub(/^[^=]*=/, "") }
      inside { line = $0; more = sub(/\\[ \t]*$/, "", line); list = list "," line; if (!more) inside = 0 }
      END { n = split(list, items, ","); for (i = 1; i <= n; i++) { gsub(/^[ \t]+|[ \t]+$/, "", items[i]); if (items[i] == value) exit 0 } exit 1 }
      ' "$file"; then
    return 0
  fi
  say "Adding $value to $key in ${file#"$ROOT"/}"
  awk -v key="$key" -v value="$value" '
      $0 ~ "^[ \t]*" key "[ \t]*=" { inside = 1 }
      inside && !/\\[ \t]*$/ {
        inside = 0
        if ($0 ~ /=[ \t]*$/) { print $0 " " value } else { print $0 ", \\"; print "    " value }
        next
      }
      { print }
      ' "$file" > "$file.tmp"
  mv "$file.tmp" "$file"
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

# 2. Karaf
mkdir -p "$RUN"
if [ -d "$KARAF" ]; then
  [ -f "$KARAF/lib/boot/org.apache.karaf.main-$KARAF_VERSION.jar" ] \
    || die "$KARAF is not Karaf $KARAF_VERSION: remove it (rm -rf $KARAF) and run again"
  say "Re-using Karaf $KARAF_VERSION in ${KARAF#"$ROOT"/}"
else
  say "Fetching org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz (mvn dependency:copy)"
  mvn -B -q -N -f "$ROOT/pom.xml" dependency:copy \
    -Dartifact="org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz" -DoutputDirectory="$RUN"
  say "Unpacking it into ${KARAF#"$ROOT"/}"
  rm -rf "$RUN/apache-karaf-$KARAF_VERSION"
  tar -xzf "$RUN/apache-karaf-$KARAF_VERSION.tar.gz" -C "$RUN"
  mv "$RUN/apache-karaf-$KARAF_VERSION" "$KARAF"
  rm -f "$RUN/apache-karaf-$KARAF_VERSION.tar.gz"
fi

say "Binding Karaf's SSH console to 127.0.0.1 (etc/org.apache.karaf.shell.cfg)"
cfg_set "$KARAF/etc/org.apache.karaf.shell.cfg" sshHost 127.0.0.1
cfg_list_add "$KARAF/etc/org.apache.karaf.features.cfg" featuresRepositories "$FEATURES_REPO"
cfg_list_add "$KARAF/etc/org.apache.karaf.features.cfg" featuresBoot chatserver

CFG="$KARAF/etc/$CFG_NAME"
if [ ! -f "$CFG" ]; then
  say "Installing the default configuration as ${CFG#"$ROOT"/}"
  cp "$ROOT/features/src/main/cfg/$CFG_NAME" "$CFG"
fi

# Karaf keeps installed bundles in data/cache; clearing it makes it install the bundles just built
# (configuration stays in etc/, logs in data/log).
if $build && [ -d "$KARAF/data/cache" ]; then
  say "Clearing Karaf's bundle cache (data/cache) so that the freshly built bundles are installed"
  rm -rf "$KARAF/data/cache"
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
say "Starting Karaf $KARAF_VERSION; the chat server listens on port ${port:-8989} (log: ${KARAF#"$ROOT"/}/data/log/karaf.log)"
cd "$KARAF"
if $console; then
  exec bin/karaf
else
  say "Ctrl-C stops it"
  exec bin/karaf server
fi
