#!/usr/bin/env bash
# Run every check: lint, format, types and the whole test suite, spreadsheet engines included.
# Installs LibreOffice Calc, Gnumeric and poppler-utils with apt when they are missing and we
# are root; otherwise says what to install (engine tests then skip, or fail when CI=true).
source "$(dirname "$0")/setup.sh"

engines=(libreoffice-calc-nogui gnumeric poppler-utils)
if ! command -v soffice >/dev/null || ! command -v ssconvert >/dev/null || ! command -v pdftotext >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${engines[*]} with apt-get …"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${engines[@]}" >/dev/null
    else
        echo "Spreadsheet engines missing: install ${engines[*]} (e.g. sudo apt-get install ${engines[*]})." >&2
        echo "Without them the engine tests are skipped (and fail when CI=true)." >&2
    fi
fi

.venv/bin/ruff check kim_budget tests scripts
.venv/bin/ruff format --check kim_budget tests scripts
.venv/bin/mypy
exec .venv/bin/pytest "$@"
