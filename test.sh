#!/usr/bin/env bash
# Run every test of every module: first on SQLite, then on PostgreSQL when
# one is reachable (postgresql://postgres@127.0.0.1:5432/ by default, or
# $BEAUTY_TEST_PG). Installs what it needs (venv, Python packages, the
# tryton-sao web client, Debian's chromium for the browser tests).
#   ./test.sh                  everything, both databases
#   ./test.sh -k scenario      extra arguments go to pytest
#   BEAUTY_TEST_DB=sqlite ./test.sh    one database only
#   BEAUTY_TEST_SERIAL=1 ./test.sh     one database after the other
source "$(dirname "$0")/tools/env.sh"
cd "$ROOT"
setup_python test
setup_sao
# Debian's chromium for the browser tests, and a Chinese font so that the
# screenshots show characters, not boxes
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]} from Debian for the browser tests"
        apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" \
            >/dev/null
    else
        log "${missing[*]} missing: browser tests may be skipped"
    fi
fi
export PYTHONDONTWRITEBYTECODE=1
export TRYTOND_CONFIG="$ROOT/tests/trytond-test.conf"
PG_URI="${BEAUTY_TEST_PG:-postgresql://postgres@127.0.0.1:5432/}"
# The cached template databases depend on the code of the modules
code_hash="$(cd "$ROOT" && find beauty_* -type f \
    \( -name '*.py' -o -name '*.xml' -o -name '*.cfg' -o -name '*.po' \) \
    -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12)"
status=0

run_sqlite() {
    log "tests on SQLite"
    mkdir -p "$ROOT/var/cache"
    find "$ROOT/var/cache" -maxdepth 1 -name 'sqlite-*' ! -name "sqlite-$code_hash" \
        -exec rm -rf {} + 2>/dev/null || true
    TRYTOND_DATABASE_URI="sqlite://" DB_NAME=":memory:" \
        DB_CACHE="$ROOT/var/cache/sqlite-$code_hash" \
        "$PY" -m pytest --durations=15 "$@" || status=1
}

pg_reachable() {
    "$PY" - "$PG_URI" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].rstrip('/') + '/postgres', connect_timeout=3).close()
PY
}

run_postgresql() {
    log "tests on PostgreSQL ($PG_URI)"
    # The cached template databases are named after the code (conftest.py):
    # drop those of other code, and the test databases of an earlier run
    BEAUTY_CODE_HASH="$("$PY" -c 'import conftest; print(conftest._code_hash())')"
    export BEAUTY_CODE_HASH
    "$PY" - "$PG_URI" "$BEAUTY_CODE_HASH" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1].rstrip('/') + '/postgres',
        autocommit=True) as conn:
    names = [r[0] for r in conn.execute(
            "SELECT datname FROM pg_database WHERE (datname LIKE 'test-%%' "
            "AND datname NOT LIKE %s) OR datname LIKE 'test_beauty%%'",
            ('test-%s-%%' % sys.argv[2],))]
    for name in names:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
PY
    # Durability is not what the tests test: commits need not wait for the
    # disk (a setting of these sessions only, through libpq)
    PGOPTIONS="${PGOPTIONS:-} -c synchronous_commit=off" \
    TRYTOND_DATABASE_URI="$PG_URI" DB_NAME="test_beauty" \
        DB_CACHE="${PG_URI%/}" \
        "$PY" -m pytest --durations=15 "$@" || status=1
}

case "${BEAUTY_TEST_DB:-all}" in
    sqlite) run_sqlite "$@" ;;
    postgresql) run_postgresql "$@" ;;
    *)
        if ! pg_reachable; then
            log "PostgreSQL not reachable at $PG_URI: skipped"
            run_sqlite "$@"
        elif [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] \
                && [ -z "${BEAUTY_TEST_SERIAL:-}" ]; then
            # The two databases share nothing (their own caches, servers,
            # ports, screenshots): run them side by side, one per core
            mkdir -p "$ROOT/var/log"
            pg_log="$ROOT/var/log/test-postgresql.log"
            log "PostgreSQL tests in the background, output in $pg_log"
            ( status=0; run_postgresql "$@"; exit $status ) >"$pg_log" 2>&1 &
            pg_pid=$!
            run_sqlite "$@"
            pg_status=0
            wait $pg_pid || pg_status=$?
            log "output of the PostgreSQL tests"
            cat "$pg_log"
            [ $pg_status -eq 0 ] || status=1
        else
            run_sqlite "$@"
            run_postgresql "$@"
        fi
        ;;
esac
log "$([ $status -eq 0 ] && echo 'all tests passed' || echo 'tests FAILED')"
exit $status
