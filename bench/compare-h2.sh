#!/usr/bin/env bash
# Compares Keepwell and peer HTTP clients over HTTP/2, each driven by the same closed loop
# (`load --http2 --client X`), with h2load against the same embedded server (`serve --http2`, one
# process per shape, 127.0.0.1 only). A shape is connections x streams: every client may open N
# connections, the server announces SETTINGS_MAX_CONCURRENT_STREAMS = M, C = N x M requests are in
# flight; h2load runs `-c N -m M`. Every client that has the knobs receives with the same windows
# as h2load's `-w`/`-W` ((2^bits)-1 bytes). Prints a markdown table, each client's req/s as a
# ratio of h2load's and of the bare netty client's at that shape, CPU per request and its ratio to
# netty's, GCs and bytes allocated per request in the window.
#
# Usage: bench/compare-h2.sh   (or H2=1 bench/compare.sh; from anywhere; builds the jar if it is missing)
# Environment (defaults in brackets):
#   DURATION [5s]  WARMUP [5s] (whole seconds: h2load takes integers)  SHAPES ["1x100 4x64"]
#   MODE [h2]  h2 (TLS, ALPN) or h2c (cleartext, prior knowledge)   SIZE [13]  response body bytes
#   WINDOW_BITS [20]  stream window (2^20-1, Keepwell's 1 MiB)   CONNECTION_WINDOW_BITS [24]  (16 MiB)
#   IO_THREADS [1]  client event loops   H2LOAD_THREADS [1]   SERVER_THREADS [1]   JAVA_OPTS [""]
#   CLIENTS ["netty keepwell jdk jetty apache reactor"]  clients `load --client` drives, in this order
#   RUNS [1]  repeats every shape; prints per-row medians and a spread column, each run's table to stderr
#   (netty: bare Netty's Http2FrameCodec + Http2MultiplexHandler, the ceiling for a Netty-based client)
# The JDK client keeps one HTTP/2 connection per origin and fails requests beyond the server's
# stream limit ("too many concurrent streams"), so it runs only at shapes with one connection
# (and not over h2c: it has no prior knowledge); its row says n/a elsewhere.
# Installs nghttp2-client (h2load) with apt-get when h2load is missing. Exits non-zero on any
# failure, including a run with errors or one whose responses were not HTTP/2. The server is
# stopped on every exit.
set -euo pipefail

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-5s}
SHAPES=${SHAPES:-"1x100 4x64"}
MODE=${MODE:-h2}
SIZE=${SIZE:-13}
WINDOW_BITS=${WINDOW_BITS:-20}
CONNECTION_WINDOW_BITS=${CONNECTION_WINDOW_BITS:-24}
IO_THREADS=${IO_THREADS:-1}
H2LOAD_THREADS=${H2LOAD_THREADS:-1}
SERVER_THREADS=${SERVER_THREADS:-1}
JAVA_OPTS=${JAVA_OPTS:-}
CLIENTS=${CLIENTS:-"netty keepwell jdk jetty apache reactor"}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=compare-lib.sh
. "$BENCH_DIR/compare-lib.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
JAR="$BENCH_DIR/target/keepwell-bench.jar"

log() { printf '%s\n' "$*" >&2; }

case $MODE in
    h2) SERVE_FLAG=--http2; LOAD_FLAG=--http2 ;;
    h2c) SERVE_FLAG=--h2c; LOAD_FLAG=--h2c ;;
    *) log "MODE must be h2 or h2c, not '$MODE'"; exit 2 ;;
esac
for client in $CLIENTS; do
    case $client in
        netty|keepwell|keepwell_executor|jdk|jetty|apache|reactor|spring_jdk|spring_keepwell) ;;
        ahc) log "client '$client' has no HTTP/2 in the bench"; exit 2 ;;
        *) log "unknown client '$client' in CLIENTS (netty keepwell keepwell_executor jdk jetty apache reactor spring_jdk spring_keepwell)"; exit 2 ;;
    esac
done
for shape in $SHAPES; do
    [[ $shape =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || { log "a shape is CONNECTIONSxSTREAMS, e.g. 4x64, not '$shape'"; exit 2; }
done
for d in "$DURATION" "$WARMUP"; do
    [[ $d =~ ^[0-9]+s$ ]] || { log "DURATION and WARMUP are whole seconds here (h2load takes integers), e.g. 5s, not '$d'"; exit 2; }
done
STREAM_WINDOW=$(( (1 << WINDOW_BITS) - 1 ))
CONNECTION_WINDOW=$(( (1 << CONNECTION_WINDOW_BITS) - 1 ))

install_tools() {
    command -v h2load >/dev/null 2>&1 && return 0
    log "installing nghttp2-client (h2load) with apt-get"
    # Debian starts a packaged service on install: forbid service starts for the install unless
    # the machine already does (nghttp2-client has none today; the guard costs nothing).
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        guard=/usr/sbin/policy-rc.d
    fi
    local status=0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nghttp2-client >/dev/null || status=$?
    [ -n "$guard" ] && rm -f "$guard"
    return $status
}

build_jar() {
    [ -f "$JAR" ] && return 0
    log "building $JAR"
    # One reactor: the jar gets this tree's modules, not whatever another checkout last installed
    # as the same SNAPSHOT in ~/.m2.
    (cd "$ROOT" && mvn -B -q -pl keepwell-bom,core,netty-adapter,keepwell-micrometer,keepwell-spring,bench -am package -DskipTests)
}

SERVER_PID=""
WORK=$(mktemp -d /tmp/keepwell-h2bench.XXXXXX)
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "$SERVER_PID" ] && { wait "$SERVER_PID" 2>/dev/null || true; }
    SERVER_PID=""
}
cleanup() {
    local status=$?
    stop_server
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() { # streams -> sets URL
    local streams=$1
    rm -f "$WORK/url" "$WORK/cert.pem"
    local cert_args=()
    [ "$MODE" = h2 ] && cert_args=(--cert-out "$WORK/cert.pem")
    # shellcheck disable=SC2086
    java $JAVA_OPTS -jar "$JAR" serve $SERVE_FLAG --max-streams "$streams" --response-size "$SIZE" \
        --threads "$SERVER_THREADS" --stream-window "$STREAM_WINDOW" --connection-window "$CONNECTION_WINDOW" \
        "${cert_args[@]}" > "$WORK/url" 2> "$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 300); do
        if [ -s "$WORK/url" ]; then
            URL=$(head -n 1 "$WORK/url")
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited:"; cat "$WORK/server.log" >&2; return 1; }
        sleep 0.1
    done
    log "the server did not print its URL in 30 s"
    return 1
}

run_h2load() { # connections streams -> "req/s cpu_us_per_req"
    local n=$1 m=$2 out times rps ok failed errored timeouts user sys
    local args=(-c "$n" -m "$m" -t "$H2LOAD_THREADS" -w "$WINDOW_BITS" -W "$CONNECTION_WINDOW_BITS")
    # A bound on each run: h2load waits for its in-flight streams after -D, and a server that never
    # answers one must fail the script, not hang it.
    local bound=$(( ${WARMUP%s} + ${DURATION%s} + 60 ))
    timeout "$bound" h2load "${args[@]}" -D "${WARMUP%s}" "$URL" >/dev/null \
        || { log "h2load's warmup failed or did not end in ${bound}s at $URL ${n}x${m}"; return 1; }
    # CPU of the measured run alone (user + system of h2load, bash's `time`), as load reports the
    # client's; it includes h2load's start and its N handshakes, which are negligible in seconds.
    TIMEFORMAT='%U %S'
    { time timeout "$bound" h2load "${args[@]}" -D "${DURATION%s}" "$URL" > "$WORK/h2load.out" 2>&1 ; } 2> "$WORK/h2load.time" \
        || { log "h2load failed or did not end in ${bound}s at $URL ${n}x${m}:"; cat "$WORK/h2load.out" >&2; return 1; }
    out=$(cat "$WORK/h2load.out")
    read -r user sys < "$WORK/h2load.time"
    rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' <<<"$out")
    read -r ok failed errored timeouts < <(sed -nE 's/^requests: .* ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored, ([0-9]+) timeout.*/\1 \2 \3 \4/p' <<<"$out")
    if [ -z "$rps" ] || [ -z "$ok" ] || [ "$failed" != 0 ] || [ "$errored" != 0 ] || [ "$timeouts" != 0 ] || [ "$ok" = 0 ]; then
        log "h2load failed or saw errors at $URL ${n}x${m}:"; log "$out"; return 1
    fi
    if ! grep -qE "^status codes: $ok 2xx" <<<"$out"; then
        log "h2load saw non-2xx responses at $URL ${n}x${m}:"; log "$out"; return 1
    fi
    echo "$rps $(awk -v u="$user" -v s="$sys" -v n="$ok" 'BEGIN { printf "%.2f", (u + s) * 1e6 / n }')"
}

json_string() { # json name -> value of the first "name":"string"
    sed -nE "s/.*\"$2\":\"([^\"]*)\".*/\1/p" <<<"$1"
}

run_client() { # client connections streams -> "req/s p99us cpu_us_per_req sockets_at_end gc_count allocated_bytes_per_req"
    local client=$1 n=$2 m=$3 out version
    local trust_args=()
    [ "$MODE" = h2 ] && trust_args=(--trust "$WORK/cert.pem")
    # shellcheck disable=SC2086
    out=$(java $JAVA_OPTS -Dslf4j.internal.verbosity=ERROR -jar "$JAR" load "$URL" $LOAD_FLAG "${trust_args[@]}" \
        --client "$client" --connections "$n" --streams "$m" \
        --stream-window "$STREAM_WINDOW" --connection-window "$CONNECTION_WINDOW" \
        -d "$DURATION" --warmup "$WARMUP" --io-threads "$IO_THREADS" --json --quiet) \
        || { log "$client load failed at $URL ${n}x${m}:"; log "$out"; return 1; }
    version=$(json_string "$out" responseVersion)
    if [ -n "$version" ] && [ "$version" != HTTP_2 ]; then
        log "$client's responses were $version, not HTTP_2, at ${n}x${m}:"; log "$out"; return 1
    fi
    echo "$(json_field "$out" requestsPerSecond) $(json_field "$out" p99) $(json_field "$out" clientCpuMicrosPerRequest) $(json_field "$out" socketsAtEnd)" \
        "$(json_field "$out" gcCount) $(json_field "$out" allocatedBytesPerRequest)"
}

# Why a client cannot run a shape here, or nothing.
skip_reason() { # client connections
    case $1 in
        jdk)
            [ "$MODE" = h2c ] && { echo "no h2c prior knowledge"; return; }
            [ "$2" -gt 1 ] && { echo "one connection per origin; streams beyond the server's limit fail"; return; }
            ;;
    esac
    echo ""
}

install_tools
build_jar
log "$MODE, ${SIZE}-byte body, windows $STREAM_WINDOW / $CONNECTION_WINDOW bytes; each point: ${WARMUP} warmup + ${DURATION}; h2load -t$H2LOAD_THREADS; clients ($CLIENTS) --io-threads $IO_THREADS, each in its own JVM; server: $SERVER_THREADS thread(s), its own JVM"

ROWS="$WORK/rows"
HEADER="| connections x streams | client | req/s | / h2load | / netty | p99 us | CPU us/req | CPU / netty | GCs | alloc B/req | sockets |"
ALIGN="|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
FORMATS="%.0f %.2f %.2f %.0f %.1f %.2f %.0f %.0f %.0f"

run_shape() { # run shape -> rows for h2load and every client at one shape, against a server of its own
    local run=$1 shape=$2 n=${2%x*} m=${2#*x} client reason result rps p99 cpu sockets gcs alloc h2_rps h2_cpu
    local -A client_rps=() client_line=() skipped=()
    start_server "$m"
    log "  run $run/$RUNS, ${n}x${m} ($URL): h2load"
    result=$(run_h2load "$n" "$m")
    read -r h2_rps h2_cpu <<<"$result"
    for client in $CLIENTS; do
        reason=$(skip_reason "$client" "$n")
        if [ -n "$reason" ]; then
            skipped[$client]=$reason
            continue
        fi
        log "  run $run/$RUNS, ${n}x${m}: $client"
        result=$(run_client "$client" "$n" "$m")
        read -r rps p99 cpu sockets gcs alloc <<<"$result"
        client_rps[$client]=$rps
        client_line[$client]="$p99 $cpu $sockets $gcs $alloc"
    done
    stop_server
    # Ratios to netty once the shape is complete, so they hold whatever CLIENTS' order.
    local netty_rps=${client_rps[netty]:-} netty_cpu=""
    [ -n "$netty_rps" ] && read -r _ netty_cpu _ _ _ <<<"${client_line[netty]}"
    record_row "$ROWS" "$run" "$shape" h2load "$h2_rps" 1 "$(ratio "$h2_rps" "$netty_rps")" "" "$h2_cpu" \
        "$(ratio "$h2_cpu" "$netty_cpu")" "" "" "$n" "$h2_rps"
    for client in $CLIENTS; do
        if [ -n "${skipped[$client]:-}" ]; then
            record_row "$ROWS" "$run" "$shape" "$client" n/a "" "" "" "" "" "" "" "(${skipped[$client]})" ""
            continue
        fi
        rps=${client_rps[$client]}
        read -r p99 cpu sockets gcs alloc <<<"${client_line[$client]}"
        local to_netty cpu_to_netty basis
        read -r to_netty cpu_to_netty basis <<<"$(netty_columns "$client" "$rps" "$cpu" "$netty_rps" "$netty_cpu")"
        record_row "$ROWS" "$run" "$shape" "$client" "$rps" "$(ratio "$rps" "$h2_rps")" "$to_netty" "$p99" \
            "$cpu" "$cpu_to_netty" "$gcs" "$(allocation "$alloc")" "$sockets" "$basis"
    done
}

for run in $(seq "$RUNS"); do
    for shape in $SHAPES; do
        run_shape "$run" "$shape"
    done
    run_table "$ROWS" "$run" 2 "$HEADER" "$ALIGN" "$FORMATS"
done
final_table "$ROWS" 2 "$HEADER" "$ALIGN" "$FORMATS" h2load
