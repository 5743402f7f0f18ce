# Start PostgreSQL (Debian's package) and a `chroma run` server on 127.0.0.1 for the server
# pass of the tests; sourced by .ci/run. Both live in a temporary folder removed on exit.
# Exports QLAB_TEST_DATABASE_URL and QLAB_TEST_CHROMA_URL, which tests/conftest.py reads.

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

chroma_up() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$QLAB_TEST_CHROMA_URL/api/v2/heartbeat" >/dev/null 2>&1
}

pg_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$found" ] && echo "$found"
}

start_servers() {
    if [ -z "$(pg_bin)" ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
    fi
    local bin run_as
    bin=$(pg_bin)
    SERVERS_DIR=$(mktemp -d)
    chmod 755 "$SERVERS_DIR"
    # PostgreSQL refuses to run as root: use its own account when CI runs as root.
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$SERVERS_DIR"
        run_as="runuser -u postgres --"
    else
        run_as=""
    fi
    local pg_port chroma_port
    pg_port=$(free_port)
    $run_as "$bin/initdb" -D "$SERVERS_DIR/pg" -U postgres --auth=trust -E UTF8 >/dev/null
    $run_as "$bin/pg_ctl" -D "$SERVERS_DIR/pg" -l "$SERVERS_DIR/pg.log" -w \
        -o "-h 127.0.0.1 -p $pg_port -k $SERVERS_DIR" start >/dev/null
    export QLAB_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"

    chroma_port=$(free_port)
    .venv/bin/chroma run --path "$SERVERS_DIR/chroma" --host 127.0.0.1 --port "$chroma_port" \
        >"$SERVERS_DIR/chroma.log" 2>&1 &
    CHROMA_PID=$!
    export QLAB_TEST_CHROMA_URL="http://127.0.0.1:$chroma_port"
    for _ in $(seq 120); do
        chroma_up && break
        sleep 0.5
    done
    chroma_up || {
        echo "chroma run did not start; its log:" >&2
        cat "$SERVERS_DIR/chroma.log" >&2
        return 1
    }
    trap stop_servers EXIT
    PG_STOP="$run_as $bin/pg_ctl -D $SERVERS_DIR/pg -m fast stop"
}

stop_servers() {
    [ -n "${CHROMA_PID:-}" ] && kill "$CHROMA_PID" 2>/dev/null && wait "$CHROMA_PID" 2>/dev/null
    [ -n "${PG_STOP:-}" ] && $PG_STOP >/dev/null 2>&1
    [ -n "${SERVERS_DIR:-}" ] && rm -rf "$SERVERS_DIR"
    return 0
}
