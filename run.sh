#!/usr/bin/env bash
# Netral in two commands.
#   ./run.sh [serve options]   set up everything, load the Brebes demo, serve on 0.0.0.0:8000
#   ./run.sh test [pytest args] install the test dependencies (and Debian's Chromium) and run
#                               the whole suite on SQLite, then on PostgreSQL
set -euo pipefail
cd "$(dirname "$0")"

VENV=${NETRAL_VENV:-.venv}
PYTHON=${PYTHON:-python3}
PG_URL=${NETRAL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/netral}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Netral needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2; exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV" || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)." >&2; exit 1; }
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
}

ensure_system_packages() {
  # Debian packages the product or its tests use; installed only when missing.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_postgres() {
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
}

cmd=${1:-serve}
case "$cmd" in
  test)
    shift
    ensure_python
    ensure_system_packages chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
    say "Installing Netral with its test dependencies"
    "$VENV/bin/pip" install -q -e ".[test]"
    ensure_postgres
    status=0
    say "Test suite on SQLite"
    "$VENV/bin/python" -m pytest -p no:cacheprovider "$@" || status=1
    say "Test suite on PostgreSQL ($PG_URL)"
    DATABASE_URL="$PG_URL" "$VENV/bin/python" -m pytest -p no:cacheprovider --create-db "$@" || status=1
    exit $status
    ;;
  serve|demo|*)
    [ "$cmd" = serve ] || [ "$cmd" = demo ] && shift || true
    ensure_python
    ensure_system_packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
    say "Installing Netral"
    "$VENV/bin/pip" install -q -e .
    say "Migrating and loading the Brebes demo"
    "$VENV/bin/netral" demo
    say "Serving (Ctrl+C to stop)"
    exec "$VENV/bin/netral" serve "$@"
    ;;
esac
