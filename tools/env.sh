# Shared set-up for demo.sh and test.sh: sourced, not run.
# Creates .venv, installs the suite and its Python dependencies, and the
# tryton-sao web client from npm. Every step is skipped when already done, so
# running it twice is cheap.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
SAO_VERSION="~8.0"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

setup_python() {
    local extras="${1:-}"
    if [ ! -x "$PY" ]; then
        log "creating virtual environment in .venv"
        python3 -m venv "$VENV"
    fi
    # Reinstall only when the requirements changed
    local stamp="$VENV/.beauty-installed"
    local want
    want="$(cat "$ROOT/pyproject.toml" | sha1sum | cut -c1-16)-${extras}"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        log "installing Python packages (trytond 8.0, modules, tools)"
        "$PY" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 \
            | grep -v 'is ignored' || true
        # compat mode puts the repository on sys.path, so new files and
        # modules are picked up without reinstalling
        "$PY" -m pip install -q --disable-pip-version-check \
            --config-settings editable_mode=compat \
            -e "$ROOT${extras:+[$extras]}" 2>&1 | grep -v 'is ignored' || true
        "$PY" -c "import trytond, proteus, beauty_customer" \
            || { echo "Python packages did not install" >&2; exit 1; }
        echo "$want" > "$stamp"
    fi
}

setup_sao() {
    local dir="$ROOT/.sao"
    if [ ! -f "$dir/package/dist/tryton-sao.js" ] \
            || [ ! -d "$dir/package/node_modules" ]; then
        log "installing the tryton-sao $SAO_VERSION web client from npm"
        rm -rf "$dir"
        mkdir -p "$dir"
        (cd "$dir" \
            && npm pack "tryton-sao@$SAO_VERSION" --silent >/dev/null \
            && tar xzf tryton-sao-*.tgz \
            && rm -f tryton-sao-*.tgz \
            && cd package \
            && npm install --omit=dev --legacy-peer-deps --silent \
                --no-audit --no-fund >/dev/null)
    fi
    # the salon's title and colours
    cp "$ROOT/web/custom.js" "$ROOT/web/custom.css" "$dir/package/"
    export TRYTOND_WEB__ROOT="$dir/package"
}
