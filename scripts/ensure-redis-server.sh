# Sourced by run.sh and test.sh: makes sure the redis-server and redis-cli binaries are there
# (the tests' Redis Cluster fixture creates its cluster with `redis-cli --cluster create`).
# Installs Debian's packages when one is missing and we are root (or have sudo without a
# password); otherwise stops with a message that says what to install.
redis_binary_present() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]
}

ensure_redis_server() {
  if redis_binary_present redis-server && redis_binary_present redis-cli; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "redis-server or redis-cli is missing: install the Debian packages 'redis-server' and 'redis-tools' (apt-get install redis-server redis-tools), or run this as root." >&2
      return 1
    fi
  fi
  echo "Installing Debian's redis-server and redis-tools packages..."
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # redis-server depends on redis-tools (redis-cli) today; naming it also repairs a machine where
  # redis-tools alone was removed.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
  # The package may start a system-wide instance; our tests and run.sh start their own.
  redis_binary_present redis-server && redis_binary_present redis-cli
}
