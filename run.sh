#!/usr/bin/env bash
# Starts the chat server for an operator: builds the project and its Karaf distribution (assembly/),
# unpacks it into .run/karaf (re-used on later runs; a new build replaces it but keeps etc/'s chat
# configuration, console users and Karaf's port settings), checks that every port it needs is free,
# starts a local Redis unless CHAT_REDIS_ADDRESS names one, starts Karaf with feature "chatserver"
# installed at boot, and waits until this Karaf's chat server logs that it listens. Only then it
# says "listening on port N". If a port is taken, or the server does not come up within 120 s, it
# says why (with the log lines that tell) and exits non-zero, stopping the Karaf it started.
# Ctrl-C (or SIGTERM) stops Karaf; run.sh then exits 0.
#
# Needs a JDK 17 (and Maven to build); redis-server is installed with apt-get when missing and
# run as root (scripts/ensure-redis-server.sh).
#
#   ./run.sh              build, then run Karaf as a server (no console; log in .run/karaf/data/log)
#   ./run.sh --console    the same with Karaf's interactive console
#   ./run.sh --no-build   skip the Maven build (the distribution is already in assembly/target)
#   ./run.sh --port N     chat port N, every other port moved by the same offset k = N - 8989:
#                           SSH console 8101+k, JMX RMI registry 1099+k, RMI server 44444+k,
#                           TLS port N+1000 (used when tls=separate).
#                         N other than 8989 is an instance of its own in .run/karaf-N, so instances
#                         run side by side: e.g. --port 8990 and --port 8991 next to ./run.sh.
#                         Instances whose --port values are less than 888 apart never collide.
#                         N is 8914 to 30080 (all moved ports stay within 1024-65535).
#
#   CHAT_REDIS_ADDRESS=redis://host:6379 ./run.sh   use that Redis; start none
#   CHAT_RUN_DIR=/some/dir ./run.sh                 keep the instances and Redis there, not in .run
#   CHAT_START_TIMEOUT=300 ./run.sh                 wait that many seconds for the listener (120)
#
# Without --port, the ports are what the instance's etc/ files say (defaults 8989, 8101, 1099,
# 44444; tlsPort 8990): io.github.chatserver.cfg (port, tlsPort), org.apache.karaf.shell.cfg
# (sshPort), org.apache.karaf.management.cfg (rmiRegistryPort, rmiServerPort). --port N rewrites
# these five in the instance's etc/ on every start.
#
# The server's configuration is .run/karaf/etc/io.github.chatserver.cfg (every key documented there);
# Karaf applies edits to it while running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CFG_NAME=io.github.chatserver.cfg
SHELL_CFG_NAME=org.apache.karaf.shell.cfg
MANAGEMENT_CFG_NAME=org.apache.karaf.management.cfg
# The ports of the default instance, from which --port N moves every port by N - DEFAULT_PORT.
DEFAULT_PORT=8989
DEFAULT_SSH_PORT=8101
DEFAULT_RMI_REGISTRY_PORT=1099
DEFAULT_RMI_SERVER_PORT=44444
# The TLS listener sits 1000 above the chat port: the cfg's own default (8990) is a second
# instance's chat port.
TLS_PORT_DISTANCE=1000
START_TIMEOUT=${CHAT_START_TIMEOUT:-120}

say() { printf 'run.sh: %s\n' "$*" || true; } # || true: when stopping, the output may be gone
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

console=false
build=true
port_arg=
while [ $# -gt 0 ]; do
  case "$1" in
    --console) console=true ;;
    --no-build) build=false ;;
    --port) [ $# -ge 2 ] || die "--port needs a port number (try --help)"; port_arg=$2; shift ;;
    --port=*) port_arg=${1#--port=} ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "CHAT_START_TIMEOUT must be a number of seconds, not '$START_TIMEOUT'"

# The ports of --port N: every port moves by the same offset, so instances on nearby chat ports
# (8989, 8990, ...) never collide.
if [ -n "$port_arg" ]; then
  [[ "$port_arg" =~ ^[0-9]{1,5}$ ]] || die "--port needs a port number, not '$port_arg'"
  offset=$((10#$port_arg - DEFAULT_PORT))
  chat_port=$((10#$port_arg))
  tls_port=$((chat_port + TLS_PORT_DISTANCE))
  ssh_port=$((DEFAULT_SSH_PORT + offset))
  rmi_registry_port=$((DEFAULT_RMI_REGISTRY_PORT + offset))
  rmi_server_port=$((DEFAULT_RMI_SERVER_PORT + offset))
  lowest=$((1024 - DEFAULT_RMI_REGISTRY_PORT + DEFAULT_PORT))
  highest=$((65535 - DEFAULT_RMI_SERVER_PORT + DEFAULT_PORT))
  [ "$chat_port" -ge "$lowest" ] && [ "$chat_port" -le "$highest" ] \
    || die "--port must be $lowest to $highest: the other ports move with it (JMX RMI registry 1099+k, RMI server 44444+k, k = N - $DEFAULT_PORT) and must stay within 1024-65535"
fi

# Where the instances live: .run/karaf for the default port, .run/karaf-N for --port N.
RUN=${CHAT_RUN_DIR:-$ROOT/.run}
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)
if [ -z "$port_arg" ] || [ "$chat_port" -eq "$DEFAULT_PORT" ]; then
  KARAF="$RUN/karaf"
  CONSOLE_PASSWORD="$RUN/console-password"
else
  KARAF="$RUN/karaf-$chat_port"
  CONSOLE_PASSWORD="$RUN/console-password-$chat_port"
fi
REDIS_DIR="$RUN/redis"
REDIS_PIDFILE="$RUN/redis.pid"
REDIS_PORTFILE="$RUN/redis.port"
CFG="$KARAF/etc/$CFG_NAME"
SHELL_CFG="$KARAF/etc/$SHELL_CFG_NAME"
MANAGEMENT_CFG="$KARAF/etc/$MANAGEMENT_CFG_NAME"
KARAF_LOG="$KARAF/data/log/karaf.log"
CHAT_LOG="$KARAF/data/log/chatserver.log"

# A path as the operator knows it: relative to the project when inside it.
shown() { printf '%s' "${1#"$ROOT"/}"; }

# Versions come from the parent pom, where they are pinned.
pom_value() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -n 1; }
PROJECT_VERSION=$(pom_value version)
KARAF_VERSION=$(pom_value karaf.version)
[ -n "$PROJECT_VERSION" ] && [ -n "$KARAF_VERSION" ] || die "cannot read the versions from $ROOT/pom.xml"

command -v java >/dev/null || die "java is not on the PATH: install a JDK 17 (apt-get install openjdk-17-jdk-headless)"
if $build; then
  command -v mvn >/dev/null || die "mvn is not on the PATH: install Maven (apt-get install maven)"
fi
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

# The value of key $2 in the .cfg file $1 (its last line, trimmed), or $3 when the key is not set.
cfg_get() {
  local value
  value=$(sed -n -E "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*(.*)$/\1/p" "$1" 2>/dev/null | tail -n 1 \
    | sed -E 's/[[:space:]]+$//')
  printf '%s' "${value:-$3}"
}

# Sets key $2 to $3 in the .cfg file $1 (replacing the key's line, or appending one).
cfg_set() {
  local file=$1 key=$2 value=$3
  if grep -Eq "^[[:space:]]*${key}[[:space:]]*=" "$file"; then
    sed -i -E "s|^([[:space:]]*${key}[[:space:]]*=[[:space:]]*).*|\1$value|" "$file"
  else
    printf '%s = %s\n' "$key" "$value" >> "$file"
  fi
}

# The pid of this instance's Karaf if it is running (a JVM whose working directory is $KARAF).
running_karaf_pid() {
  local pid
  pid=$(cat "$KARAF/karaf.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(cd "$KARAF" && pwd -P)" ] \
    && printf '%s' "$pid"
}

# 1. Build
if $build; then
  say "Building the project: mvn -B -q install -DskipTests (in $ROOT)"
  (cd "$ROOT" && mvn -B -q install -DskipTests) || die "the build failed (see above)"
else
  say "Skipping the build (--no-build): using the distribution already in assembly/target"
fi

# 2. The distribution (assembly/): Karaf with chatserver as a boot feature, console on localhost
if [ -d "$KARAF" ] && pid=$(running_karaf_pid); then
  die "the Karaf of $(shown "$KARAF") is already running (pid $pid): stop it first (Ctrl-C where it runs, or kill $pid)"
fi
DIST="$ROOT/assembly/target/chatserver-assembly-$PROJECT_VERSION.tar.gz"
[ -f "$DIST" ] || die "no distribution at $(shown "$DIST"): run without --no-build"
if [ ! -d "$KARAF" ] || [ "$DIST" -nt "$KARAF/.unpacked" ]; then
  # A new build replaces the distribution; the operator's configuration, console users and Karaf's
  # port settings stay.
  kept=$(mktemp -d "$RUN/kept-etc.XXXXXX")
  for f in "$CFG_NAME" users.properties; do
    [ -f "$KARAF/etc/$f" ] && cp "$KARAF/etc/$f" "$kept/"
  done
  kept_ssh_port=$(cfg_get "$SHELL_CFG" sshPort "")
  kept_rmi_registry_port=$(cfg_get "$MANAGEMENT_CFG" rmiRegistryPort "")
  kept_rmi_server_port=$(cfg_get "$MANAGEMENT_CFG" rmiServerPort "")
  say "Unpacking the distribution $(shown "$DIST") into $(shown "$KARAF")"
  unpacked=$(mktemp -d "$RUN/unpack.XXXXXX")
  tar -xzf "$DIST" -C "$unpacked"
  rm -rf "$KARAF"
  mv "$unpacked/chatserver-assembly-$PROJECT_VERSION" "$KARAF"
  rm -rf "$unpacked"
  cp "$kept"/* "$KARAF/etc/" 2>/dev/null || true
  rm -rf "$kept"
  [ -z "$kept_ssh_port" ] || cfg_set "$SHELL_CFG" sshPort "$kept_ssh_port"
  [ -z "$kept_rmi_registry_port" ] || cfg_set "$MANAGEMENT_CFG" rmiRegistryPort "$kept_rmi_registry_port"
  [ -z "$kept_rmi_server_port" ] || cfg_set "$MANAGEMENT_CFG" rmiServerPort "$kept_rmi_server_port"
  touch "$KARAF/.unpacked"
else
  say "Re-using the distribution in $(shown "$KARAF")"
fi

if [ ! -f "$CFG" ]; then
  say "Installing the default configuration as $(shown "$CFG")"
  cp "$ROOT/features/src/main/cfg/$CFG_NAME" "$CFG"
fi

# 3. Ports: --port N writes them; then every one must be free before anything starts.
if [ -n "$port_arg" ]; then
  say "Ports for --port $chat_port: chat $chat_port, TLS $tls_port (if tls=separate), SSH console $ssh_port, JMX RMI registry $rmi_registry_port, RMI server $rmi_server_port"
  cfg_set "$CFG" port "$chat_port"
  cfg_set "$CFG" tlsPort "$tls_port"
  cfg_set "$SHELL_CFG" sshPort "$ssh_port"
  cfg_set "$MANAGEMENT_CFG" rmiRegistryPort "$rmi_registry_port"
  cfg_set "$MANAGEMENT_CFG" rmiServerPort "$rmi_server_port"
fi
chat_port=$(cfg_get "$CFG" port "$DEFAULT_PORT")
bind_address=$(cfg_get "$CFG" bindAddress 127.0.0.1)
tls_mode=$(cfg_get "$CFG" tls off)
ssh_port=$(cfg_get "$SHELL_CFG" sshPort "$DEFAULT_SSH_PORT")

# One line per port the instance binds: port|host|setting|file|what it is
port_table=("$chat_port|$bind_address|port|$CFG|the chat port")
if [ "$tls_mode" = separate ]; then
  port_table+=("$(cfg_get "$CFG" tlsPort 8990)|$bind_address|tlsPort|$CFG|the TLS port (tls=separate)")
fi
port_table+=(
  "$ssh_port|$(cfg_get "$SHELL_CFG" sshHost 0.0.0.0)|sshPort|$SHELL_CFG|Karaf's SSH console port"
  "$(cfg_get "$MANAGEMENT_CFG" rmiRegistryPort "$DEFAULT_RMI_REGISTRY_PORT")|$(cfg_get "$MANAGEMENT_CFG" rmiRegistryHost 0.0.0.0)|rmiRegistryPort|$MANAGEMENT_CFG|Karaf's JMX RMI registry port"
  "$(cfg_get "$MANAGEMENT_CFG" rmiServerPort "$DEFAULT_RMI_SERVER_PORT")|$(cfg_get "$MANAGEMENT_CFG" rmiServerHost 0.0.0.0)|rmiServerPort|$MANAGEMENT_CFG|Karaf's JMX RMI server port"
)

# Which process listens on port $1, when ss can tell ("; held by NAME, pid N"), else nothing.
port_holder() {
  command -v ss >/dev/null || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null \
    | sed -n -E 's/.*users:\(\("([^"]*)",pid=([0-9]+).*/; held by \1, pid \2/p' | head -n 1
}

# True when port $1 is held only by closed connections in TCP TIME-WAIT (no listener): after a
# Karaf stops, its JMX RMI ports can stay unbindable like that for up to 60 s.
only_closing() {
  command -v ss >/dev/null || return 1
  [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && [ -n "$(ss -Htn state time-wait "sport = :$1" 2>/dev/null)" ]
}

# How to get out of a port conflict, for the message that names it.
port_advice() {
  local next=$((chat_port + 1))
  if [ -n "$port_arg" ]; then
    printf 'stop what holds it, or choose another --port (e.g. ./run.sh --port %s); every port moves with --port (see ./run.sh --help)' "$next"
  else
    printf 'stop what holds it, change the setting named above, or run this instance on other ports: ./run.sh --port N moves every port by N - %s (e.g. --port %s; see ./run.sh --help)' "$DEFAULT_PORT" "$next"
  fi
}

# Checks that every port of port_table can be bound, as Karaf will bind it; waits (up to 65 s)
# while the only obstacles are connections of an earlier run closing; else names each taken
# port, its setting and the way out, and exits.
check_ports() {
  local entry port host key file what addresses=() seen=() results taken closing i
  local deadline=$((SECONDS + 65)) told=false
  for entry in "${port_table[@]}"; do
    IFS='|' read -r port host key file what <<<"$entry"
    [[ "$port" =~ ^[0-9]+$ ]] || die "$key in $(shown "$file") is '$port', not a port number"
    for i in "${!seen[@]}"; do
      [ "${seen[$i]%%|*}" != "$port" ] \
        || die "port $port is set twice: $key in $(shown "$file") and ${seen[$i]#*|}; give each its own port"
    done
    seen+=("$port|$key in $(shown "$file")")
    addresses+=("$host:$port")
  done
  while :; do
    mapfile -t results < <(java "$ROOT/scripts/PortCheck.java" "${addresses[@]}")
    [ "${#results[@]}" -eq "${#addresses[@]}" ] || die "could not check the ports (java $ROOT/scripts/PortCheck.java failed)"
    taken=() closing=()
    for i in "${!port_table[@]}"; do
      [ "${results[$i]}" = free ] && continue
      taken+=("$i")
      only_closing "${port_table[$i]%%|*}" && closing+=("${port_table[$i]%%|*}")
    done
    [ "${#taken[@]}" -gt 0 ] || return 0
    [ "${#closing[@]}" -eq "${#taken[@]}" ] && [ "$SECONDS" -lt "$deadline" ] || break
    $told || say "Waiting for port ${closing[*]}: connections of an earlier run are still closing there (TCP TIME-WAIT, up to 60 s)"
    told=true
    sleep 2
  done
  for i in "${taken[@]}"; do
    IFS='|' read -r port host key file what <<<"${port_table[$i]}"
    printf 'run.sh: error: port %s is taken (%s%s): it is %s, set by %s in %s\n' \
      "$port" "${results[$i]}" "$(port_holder "$port")" "$what" "$key" "$(shown "$file")" >&2
  done
  printf 'run.sh: Karaf was not started: %s\n' "$(port_advice)" >&2
  exit 1
}
check_ports

# A console user with a random password, made on first start: no default password is left in place.
USERS="$KARAF/etc/users.properties"
if ! grep -Eq '^[[:space:]]*chatadmin[[:space:]]*=' "$USERS"; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
  printf 'chatadmin = %s,_g_:admingroup\n' "$password" >> "$USERS"
  (umask 077 && printf '%s\n' "$password" > "$CONSOLE_PASSWORD")
  say "Created console user 'chatadmin'; its password is in $(shown "$CONSOLE_PASSWORD") (Karaf hashes it at start)"
  say "  console: ssh -p $ssh_port chatadmin@127.0.0.1   or   $KARAF/bin/client -u chatadmin"
fi

# 4. Redis
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
    say "Starting redis-server on 127.0.0.1:$redis_port (data in $(shown "$REDIS_DIR"), pid in $(shown "$REDIS_PIDFILE"))"
    redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes \
      --pidfile "$REDIS_PIDFILE" --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --appendonly yes
    echo "$redis_port" > "$REDIS_PORTFILE"
    await_port "$redis_port" 20 || die "redis-server did not listen on port $redis_port; see $REDIS_DIR/redis.log"
  fi
  redis_address="redis://127.0.0.1:$redis_port"
  say "Redis keeps running after Karaf stops; stop it with: kill \$(cat $(shown "$REDIS_PIDFILE"))"
fi
say "Setting redisAddress = $redis_address in $(shown "$CFG")"
cfg_set "$CFG" redisAddress "$redis_address"

# 5. Karaf, as a child of this script: it is watched until its chat server listens, then waited for.
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# What log $1 gained since it was $2 bytes long (all of it if it was rolled over meanwhile).
log_since() {
  [ -f "$1" ] || return 0
  local from=$2
  [ "$(file_size "$1")" -ge "$from" ] || from=0
  tail -c +"$((from + 1))" "$1"
}

# The lines of a log excerpt that say what went wrong: errors, warnings and the exceptions'
# headlines (no stack frames), without timestamps, each once.
problem_lines() {
  grep -E '\| (ERROR|WARN) *\||^Caused by: |^[a-zA-Z_$][a-zA-Z0-9_$.]*(Exception|Error)(: |$)' \
    | sed -E 's/^[0-9T:,.-]+ \| //' | cut -c1-300 | awk '!seen[$0]++' | head -n 20 || true
}

# Says why the chat server is not up ($1), with the lines of this start's logs that tell.
report_failure() {
  local chat_problems karaf_problems
  printf 'run.sh: error: %s\n' "$1" >&2
  chat_problems=$(log_since "$CHAT_LOG" "$chat_log_from" | problem_lines)
  karaf_problems=$(log_since "$KARAF_LOG" "$karaf_log_from" | problem_lines)
  if [ -n "$chat_problems" ]; then
    printf 'run.sh: from %s:\n%s\n' "$(shown "$CHAT_LOG")" "$chat_problems" >&2
  elif [ -n "$karaf_problems" ]; then
    printf 'run.sh: from %s:\n%s\n' "$(shown "$KARAF_LOG")" "$karaf_problems" >&2
  else
    karaf_problems=$(log_since "$KARAF_LOG" "$karaf_log_from" | tail -n 10 | cut -c1-300)
    if [ -n "$karaf_problems" ]; then
      printf 'run.sh: the last lines of %s:\n%s\n' "$(shown "$KARAF_LOG")" "$karaf_problems" >&2
    else
      printf 'run.sh: %s has nothing from this start; Karaf'"'"'s own output is above\n' "$(shown "$KARAF_LOG")" >&2
    fi
  fi
}

karaf_pid=
start_karaf() {
  chat_log_from=$(file_size "$CHAT_LOG")
  karaf_log_from=$(file_size "$KARAF_LOG")
  rm -f "$KARAF/karaf.pid"
  # KARAF_EXEC=exec: bin/karaf becomes the JVM, so $! is the process to signal and wait for.
  if $console; then
    # A child run in the background gets /dev/null as stdin and ignores SIGINT; the console needs
    # the terminal, and Ctrl-C (SIGINT) is its own key there, so both are handed back.
    if env --default-signal=INT true 2>/dev/null; then
      (cd "$KARAF" && KARAF_EXEC="exec" exec env --default-signal=INT bin/karaf) <&3 3<&- &
    else
      (cd "$KARAF" && KARAF_EXEC="exec" exec bin/karaf) <&3 3<&- &
    fi
  else
    (cd "$KARAF" && KARAF_EXEC="exec" exec bin/karaf server) </dev/null &
  fi
  karaf_pid=$!
}

# Stops the Karaf started here: SIGTERM (Karaf shuts down in order), SIGKILL after 60 s.
stop_karaf() {
  [ -n "$karaf_pid" ] && kill -0 "$karaf_pid" 2>/dev/null || return 0
  say "Stopping Karaf (pid $karaf_pid)"
  kill -TERM "$karaf_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$karaf_pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "Karaf did not stop within 60 s; killing it"
      kill -KILL "$karaf_pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  wait "$karaf_pid" 2>/dev/null || true
  if $console && [ -t 1 ]; then
    stty sane 2>/dev/null || true # the console may leave the terminal raw when it is stopped
  fi
}

on_signal() {
  # Whoever stops us may have closed our output already: a write must not end run.sh before Karaf.
  trap '' INT TERM HUP PIPE
  stop_karaf
  say "Karaf stopped"
  exit 0
}

# Waits until this start's chat server log says it listens on the chat port: an accepting port
# could be another process. Fails on an error from the chat server, Karaf's exit, or the timeout.
await_listener() {
  local deadline=$((SECONDS + START_TIMEOUT)) new
  while :; do
    new=$(log_since "$CHAT_LOG" "$chat_log_from")
    listening_line=$(grep -E "listening on \[.*:$chat_port \(" <<<"$new" | tail -n 1 || true)
    if [ -n "$listening_line" ]; then
      return 0
    elif grep -q '| ERROR |' <<<"$new"; then
      report_failure "the chat server did not start"
      return 1
    elif ! kill -0 "$karaf_pid" 2>/dev/null; then
      local status=0
      wait "$karaf_pid" || status=$?
      report_failure "Karaf exited (status $status) before the chat server listened on port $chat_port"
      return 1
    elif [ "$SECONDS" -ge "$deadline" ]; then
      report_failure "the chat server did not log that it listens on port $chat_port within $START_TIMEOUT s"
      return 1
    fi
    sleep 0.5
  done
}

if $console; then
  exec 3<&0
  trap '' INT # the console's Ctrl-C, not ours
  trap on_signal TERM HUP
else
  trap on_signal INT TERM HUP
fi
say "Starting Karaf $KARAF_VERSION in $(shown "$KARAF") (log: $(shown "$KARAF")/data/log/chatserver.log)"
while :; do
  start_karaf
  if ! await_listener; then
    stop_karaf
    exit 1
  fi
  say "The chat server is listening on port $chat_port: ${listening_line#*listening on } (Karaf pid $karaf_pid)"
  bind_errors=$(log_since "$KARAF_LOG" "$karaf_log_from" | grep -E 'BindException|Address already in use' | cut -c1-300 || true)
  [ -z "$bind_errors" ] || printf 'run.sh: warning: Karaf could not bind a port:\n%s\n' "$bind_errors" >&2
  $console || say "Ctrl-C stops it"
  status=0
  wait "$karaf_pid" || status=$?
  # Exit status 10 is Karaf's request for a new JVM (shutdown -r), which bin/karaf's loop would serve.
  [ "$status" -eq 10 ] || break
  say "Karaf asked for a restart; starting it again"
done
say "Karaf exited (status $status)"
exit "$status"
