# Shared by scripts/test and .ci/run: install and start what the tests need, when it is missing.
# Installs use Debian's packages (apt-get update runs at most once) and crates' own installers.

step() { printf '\n=== %s\n' "$*"; }

ensure_tool() {
  local binary=$1 crate=$2
  if ! command -v "$binary" >/dev/null 2>&1; then
    step "installing $crate"
    cargo install --locked "$crate"
  fi
}

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# A Redis on 127.0.0.1:6379 that keeps nothing on disk, started if none answers.
ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    step "installing redis-server"
    apt_install redis-server
  fi
  step "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return
    sleep 0.1
  done
  echo "redis-server did not answer on 127.0.0.1:6379" >&2
  exit 1
}

# The browser tests (browser-tests/, run from each example's tests/browser.rs) drive Debian's
# headless Chromium through its chromedriver.
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    step "installing chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  chromium --version 2>/dev/null
  chromedriver --version
}
