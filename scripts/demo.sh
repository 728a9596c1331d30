#!/usr/bin/env bash
# The demo path: migrate an embedded SQLite database under var/, load the demo
# province if the database is empty, print the personas' logins, and serve.
# CAIRN_DEMO_PORT changes the port; CAIRN_DEMO_NO_SERVE=1 stops before serving.
set -euo pipefail
unset DATABASE_URL
mkdir -p "${CAIRN_VAR_DIR:-var}"
cairn migrate --noinput -v 0
cairn demo-setup
if [ "${CAIRN_DEMO_NO_SERVE:-0}" = "1" ]; then
  exit 0
fi
exec cairn runserver "127.0.0.1:${CAIRN_DEMO_PORT:-8000}" --noreload
