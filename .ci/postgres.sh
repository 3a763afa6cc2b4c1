#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on loopback for the tests (trust auth, a free port, a database runlocal_test).
#
#   dir=$(mktemp -d /tmp/runlocal-pg.XXXXXX)
#   eval "$(.ci/postgres.sh start "$dir")"   # exports RUNLOCAL_TEST_PG_URL=postgresql://runlocal@127.0.0.1:PORT/runlocal_test
#   ...
#   .ci/postgres.sh stop "$dir"              # stops the server and removes $dir
#
# Progress goes to stderr; stdout carries only the export lines. As root, the cluster belongs to the system user
# runlocal-pg (created when missing): postgres refuses to run as root.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # runuser, useradd

DB_USER=runlocal
DB_NAME=runlocal_test
OS_USER=runlocal-pg

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

pg_bindir() {
    if command -v pg_ctl >/dev/null 2>&1 && [[ -x "$(dirname "$(realpath "$(command -v pg_ctl)")")/createdb" ]]; then
        dirname "$(realpath "$(command -v pg_ctl)")"  # /usr/local/bin/pg_ctl may link into the real bindir
        return
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$d" || ! -x "$d/pg_ctl" || ! -x "$d/initdb" || ! -x "$d/createdb" ]]; then
        echo "postgres.sh: no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin" >&2
        exit 1
    fi
    echo "$d"
}

# Run a command as the cluster's owner: runlocal-pg under root, else the current user.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$OS_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local dir=$1 bin port
    bin=$(pg_bindir)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        if ! id -u "$OS_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
        fi
        chown "$OS_USER" "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U "$DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    # Settings for a disposable test server: loopback only, socket in $dir, no durability.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
    echo "postgres.sh: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
    echo "export RUNLOCAL_TEST_PG_URL=postgresql://$DB_USER@127.0.0.1:$port/$DB_NAME"
}

stop() {
    local dir=$1 bin
    [[ -d "$dir" ]] || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        bin=$(pg_bindir)
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
}

[[ $# -eq 2 && -n "$2" ]] || usage
target=$(realpath -m -- "$2")
cd /  # the cluster's owner may not be able to enter the caller's directory
case "$1" in
    start) start "$target" ;;
    stop) stop "$target" ;;
    *) usage ;;
esac
