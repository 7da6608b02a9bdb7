# Shared by scripts/dev and scripts/test: find a Python >= 3.12, create .venv, install the
# project with its development tools. Sourced, not run.

find_python() {
    local candidates=("${PYTHON:-}" python3.13 python3.12 python3 python)
    if command -v pyenv >/dev/null 2>&1; then
        local version
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -rV); do
            candidates+=("$(pyenv prefix "$version")/bin/python")
        done
    fi
    local candidate
    for candidate in "${candidates[@]}"; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "需要 Python 3.12 或更高版本 / Python 3.12 or newer is required (Django 6.1)." >&2
    echo "Install it (e.g. 'pyenv install 3.12' or your system's python3.12 package)," >&2
    echo "or point PYTHON at it: PYTHON=/path/to/python3.12 $0" >&2
    return 1
}

_drop_machine_warnings() {
    grep -v "is ignored: it is neither a file nor a directory" || true
}

ensure_venv() {
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
        local python
        python=$(find_python)
        echo "==> creating .venv with $("$python" --version)"
        rm -rf .venv
        "$python" -m venv .venv
    fi
    local stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
    if [ ! -f "$stamp" ]; then
        echo "==> installing dependencies"
        # Some machines configure pip with package folders that do not exist; pip warns about
        # each of them on every call. Those lines are about the machine, not the project: drop
        # them, keep everything else (errors included).
        .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | _drop_machine_warnings
        .venv/bin/python -m pip install --quiet -e ".[dev]" 2>&1 | _drop_machine_warnings
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

compile_translations() {
    if [ -d locale ] && command -v msgfmt >/dev/null 2>&1; then
        .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
    fi
    # Without gettext the compiled catalogues shipped in locale/ are used as they are.
}
