#!/usr/bin/env bash
# Start a throwaway PostgreSQL server from Debian's package for the store tests, and print the shell lines that
# point the tests at it:
#
#     eval "$(scripts/start-postgres.sh)"      # exports PRESSLENS_TEST_POSTGRES=postgresql://…
#     .venv/bin/pytest tests/corpus
#     $PRESSLENS_TEST_POSTGRES_STOP            # stops the server and deletes its folder
#
# The server listens on 127.0.0.1 (port $PGPORT, default a free one) and a unix socket in its folder, trusts local
# connections (it holds nothing but test data) and runs with fsync off. PostgreSQL refuses to run as root: as
# root the server runs as the "postgres" user (or $PG_USER). Exits 1 with a reason when PostgreSQL is missing.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "start-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi
port=${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
dir=$(mktemp -d "${TMPDIR:-/tmp}/presslens-pg.XXXXXX")
as_user=()
if [[ $(id -u) -eq 0 ]]; then
    user=${PG_USER:-postgres}
    chown "$user" "$dir"
    as_user=(runuser -u "$user" --)
fi
"${as_user[@]}" "$bin/initdb" -D "$dir/data" -U presslens --auth=trust -E UTF8 --locale=C >"$dir/initdb.log"
"${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
"${as_user[@]}" "$bin/createdb" -h "$dir" -p "$port" -U presslens presslens
echo "export PRESSLENS_TEST_POSTGRES=postgresql://presslens@127.0.0.1:$port/presslens"
echo "export PRESSLENS_TEST_POSTGRES_STOP='${as_user[*]} $bin/pg_ctl -D $dir/data -m fast stop && rm -rf $dir'"
