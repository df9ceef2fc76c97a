#!/usr/bin/env bash
# Start the demo: a SQLite database with the whole suite, demo data of a
# two-store salon, Chinese as the language, the web client on
# http://127.0.0.1:8000. Safe to run again: what exists is reused.
#   ./demo.sh            set up (first time) and serve
#   ./demo.sh --reset    drop the demo database and start from scratch
source "$(dirname "$0")/tools/env.sh"
cd "$ROOT"
setup_python
setup_sao
export TRYTOND_CONFIG="$ROOT/trytond.conf"
export TRYTOND_DATABASE__PATH="$ROOT/var/db"
export TRYTOND_ATTACHMENT__PATH="$ROOT/var/attachments"  # photos, signatures
mkdir -p "$ROOT/var/db" "$ROOT/var/attachments"
if [ "${1:-}" = "--reset" ]; then
    rm -f "$ROOT/var/db/salon.sqlite" "$ROOT/var/demo-login"
fi
"$PY" "$ROOT/tools/demo.py" --database salon
cat "$ROOT/var/demo-login"
log "web client on http://127.0.0.1:8000 (Ctrl-C stops it)"
exec "$VENV/bin/trytond" -d salon
