# Sourced by run.sh and test.sh: makes sure the redis-server binary is there.
# Installs Debian's redis-server package when it is missing and we are root (or have sudo
# without a password); otherwise stops with a message that says what to install.
ensure_redis_server() {
  if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "redis-server is missing: install the Debian package 'redis-server' (apt-get install redis-server), or run this as root." >&2
      return 1
    fi
  fi
  echo "Installing Debian's redis-server package..."
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  # The package may start a system-wide instance; our tests and run.sh start their own.
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]
}
