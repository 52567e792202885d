#!/usr/bin/env bash
# Compares Keepwell and peer HTTP clients, each driven by the same closed loop (`load --client`),
# with wrk against the same nginx on loopback, then runs the burst demo. Prints a markdown table
# with one row per client per point: req/s, its ratios to wrk's and to the bare netty client's at
# that point, p99, client CPU per request and its ratio to netty's, GCs and bytes allocated per
# request in the window (ratios to netty are n/a when netty is not in CLIENTS).
#
# Usage: bench/compare.sh            (from anywhere; builds the jar if it is missing)
# Environment (defaults in brackets):
#   DURATION [5s]  WARMUP [5s] (a JVM on two busy cores needs seconds of JIT; 2s understates it)  CONCURRENCY ["1 16 64 256"]  SIZES ["13 65536"]
#   IO_THREADS [1]  client event loops; WRK_THREADS [1]  wrk threads (one each: nginx has one worker)
#   JAVA_OPTS [""]  extra JVM options for the load command
#   CLIENTS ["netty keepwell jdk jetty apache ahc reactor"]  clients `load --client` drives, in this order
#   RUNS [1]  repeats the whole matrix; prints per-row medians and a spread column, each run's table to stderr
#   H2_SHAPES [""]  e.g. "1x100 4x64": then runs compare-h2.sh with these SHAPES, the same RUNS, DURATION,
#     WARMUP, IO_THREADS, JAVA_OPTS and CLIENTS less ahc
# Installs nginx and wrk with apt-get when they are missing. Exits non-zero on any failure,
# including a load run with errors or a failed burst demo. nginx is stopped on every exit.
# H2=1: the HTTP/2 comparison instead (h2load against the embedded server), see bench/compare-h2.sh.
set -euo pipefail

if [ "${H2:-0}" = 1 ]; then
    exec "$(dirname "${BASH_SOURCE[0]}")/compare-h2.sh" "$@"
fi

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-5s}
CONCURRENCY=${CONCURRENCY:-"1 16 64 256"}
SIZES=${SIZES:-"13 65536"}
IO_THREADS=${IO_THREADS:-1}
WRK_THREADS=${WRK_THREADS:-1}
JAVA_OPTS=${JAVA_OPTS:-}
CLIENTS=${CLIENTS:-"netty keepwell jdk jetty apache ahc reactor"}

H2_SHAPES=${H2_SHAPES:-}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=compare-lib.sh
. "$BENCH_DIR/compare-lib.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
JAR="$BENCH_DIR/target/keepwell-bench.jar"
TEMPLATE="$BENCH_DIR/nginx/nginx.conf.template"

log() { printf '%s\n' "$*" >&2; }

install_tools() {
    local missing=()
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} with apt-get"
    # Debian starts a packaged service on install, and nginx's default site listens on every
    # address: forbid service starts for the install unless the machine already does.
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        guard=/usr/sbin/policy-rc.d
    fi
    local status=0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
    [ -n "$guard" ] && rm -f "$guard"
    return $status
}

build_jar() {
    [ -f "$JAR" ] && return 0
    log "building $JAR"
    # One reactor: the jar gets this tree's core and adapter, not whatever another checkout
    # last installed as the same SNAPSHOT in ~/.m2.
    (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        local p
        for _ in $(seq 50); do
            p=$((20000 + RANDOM % 40000))
            if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
        done
        return 1
    fi
}

NGINX_PID=""
PREFIX=""
stop_nginx() {
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NGINX_PID" 2>/dev/null || true
    fi
    [ -n "$NGINX_PID" ] && { wait "$NGINX_PID" 2>/dev/null || true; }
    NGINX_PID=""
}
cleanup() {
    local status=$?
    stop_nginx
    [ -n "$PREFIX" ] && rm -rf "$PREFIX"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_nginx() {
    local nginx_bin
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    PREFIX=$(mktemp -d /tmp/keepwell-nginx.XXXXXX)
    chmod 755 "$PREFIX"
    mkdir -p "$PREFIX/www"
    head -c 65536 /dev/zero | tr '\0' 'x' > "$PREFIX/www/65536"
    chmod -R a+rX "$PREFIX/www"
    PORT=$(free_port)
    sed -e "s|@PORT@|$PORT|g" -e "s|@PREFIX@|$PREFIX|g" "$TEMPLATE" > "$PREFIX/nginx.conf"
    "$nginx_bin" -t -q -p "$PREFIX" -e "$PREFIX/error.log" -c "$PREFIX/nginx.conf"
    "$nginx_bin" -p "$PREFIX" -e "$PREFIX/error.log" -c "$PREFIX/nginx.conf" &
    NGINX_PID=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
        kill -0 "$NGINX_PID" 2>/dev/null || { log "nginx exited:"; cat "$PREFIX/error.log" >&2; return 1; }
        sleep 0.05
    done
    log "nginx did not listen on 127.0.0.1:$PORT"
    return 1
}

# wrk's latency as microseconds: "1.23ms" -> 1230
to_micros() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = 1;
        printf "%d", n * m }'
}

run_wrk() { # url concurrency -> "req/s p99us"
    local url=$1 c=$2 out rps p99 errors
    wrk -t"$WRK_THREADS" -c"$c" -d"$WARMUP" "$url" >/dev/null
    out=$(wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --latency "$url")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        log "wrk saw errors at $url c=$c:"; log "$out"; return 1
    fi
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    [ -n "$rps" ] || { log "no Requests/sec in wrk output:"; log "$out"; return 1; }
    echo "$rps $(to_micros "${p99:-0}")"
}

run_client() { # client url concurrency -> "req/s p99us cpu_us_per_req gc_count allocated_bytes_per_req"
    local client=$1 url=$2 c=$3 out
    # shellcheck disable=SC2086
    out=$(java $JAVA_OPTS -Dslf4j.internal.verbosity=ERROR -jar "$JAR" load "$url" --client "$client" -c "$c" \
        -d "$DURATION" --warmup "$WARMUP" --io-threads "$IO_THREADS" --json --quiet) \
        || { log "$client load failed at $url c=$c:"; log "$out"; return 1; }
    echo "$(json_field "$out" requestsPerSecond) $(json_field "$out" p99) $(json_field "$out" clientCpuMicrosPerRequest)" \
        "$(json_field "$out" gcCount) $(json_field "$out" allocatedBytesPerRequest)"
}

install_tools
build_jar
start_nginx
for client in $CLIENTS; do
    case $client in
        netty|keepwell|keepwell_executor|jdk|jetty|apache|ahc|reactor|spring_jdk|spring_keepwell) ;;
        *) log "unknown client '$client' in CLIENTS (netty keepwell keepwell_executor jdk jetty apache ahc reactor spring_jdk spring_keepwell)"; exit 2 ;;
    esac
done
log "nginx on 127.0.0.1:$PORT (pid $NGINX_PID); each point: ${WARMUP} warmup + ${DURATION}; wrk -t$WRK_THREADS; clients ($CLIENTS) --io-threads $IO_THREADS, each in its own JVM"

ROWS="$PREFIX/rows"
HEADER="| body bytes | C | client | req/s | / wrk | / netty | p99 us | CPU us/req | CPU / netty | GCs | alloc B/req |"
ALIGN="|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|"
FORMATS="%.0f %.2f %.2f %.0f %.1f %.2f %.0f %.0f"

run_point() { # run size concurrency -> rows for wrk and every client at one point
    local run=$1 size=$2 c=$3 url="http://127.0.0.1:$PORT/$2" client result rps p99 cpu gcs alloc wrk_rps wrk_p99
    local -A client_rps=() client_line=()
    log "  run $run/$RUNS, $size bytes, C=$c: wrk"
    result=$(run_wrk "$url" "$c")
    read -r wrk_rps wrk_p99 <<<"$result"
    for client in $CLIENTS; do
        log "  run $run/$RUNS, $size bytes, C=$c: $client"
        result=$(run_client "$client" "$url" "$c")
        read -r rps p99 cpu gcs alloc <<<"$result"
        client_rps[$client]=$rps
        client_line[$client]="$p99 $cpu $gcs $alloc"
    done
    # Ratios to netty once the point is complete, so they hold whatever CLIENTS' order.
    local netty_rps=${client_rps[netty]:-} netty_cpu=""
    [ -n "$netty_rps" ] && read -r _ netty_cpu _ _ <<<"${client_line[netty]}"
    record_row "$ROWS" "$run" "$size" "$c" wrk "$wrk_rps" 1 "$(ratio "$wrk_rps" "$netty_rps")" "$wrk_p99" "" "" "" "" "$wrk_rps"
    for client in $CLIENTS; do
        rps=${client_rps[$client]}
        read -r p99 cpu gcs alloc <<<"${client_line[$client]}"
        local to_netty cpu_to_netty basis
        read -r to_netty cpu_to_netty basis <<<"$(netty_columns "$client" "$rps" "$cpu" "$netty_rps" "$netty_cpu")"
        record_row "$ROWS" "$run" "$size" "$c" "$client" "$rps" "$(ratio "$rps" "$wrk_rps")" "$to_netty" "$p99" \
            "$cpu" "$cpu_to_netty" "$gcs" "$(allocation "$alloc")" "$basis"
    done
}

for run in $(seq "$RUNS"); do
    for size in $SIZES; do
        for c in $CONCURRENCY; do
            run_point "$run" "$size" "$c"
        done
    done
    run_table "$ROWS" "$run" 3 "$HEADER" "$ALIGN" "$FORMATS"
done
final_table "$ROWS" 3 "$HEADER" "$ALIGN" "$FORMATS" wrk
if [ -n "$H2_SHAPES" ]; then
    # The HTTP/2 comparison is compare-h2.sh's; it has its own server, so nginx can go first.
    stop_nginx
    h2_clients=""
    for client in $CLIENTS; do [ "$client" = ahc ] || h2_clients+="${h2_clients:+ }$client"; done
    [ -n "$h2_clients" ] || { log "H2_SHAPES is set but CLIENTS has no HTTP/2 client (ahc has none)"; exit 2; }
    echo
    echo "HTTP/2 ($H2_SHAPES):"
    SHAPES="$H2_SHAPES" CLIENTS="$h2_clients" RUNS="$RUNS" DURATION="$DURATION" WARMUP="$WARMUP" \
        IO_THREADS="$IO_THREADS" JAVA_OPTS="$JAVA_OPTS" "$BENCH_DIR/compare-h2.sh"
fi
echo
echo "Burst demo:"
java $JAVA_OPTS -jar "$JAR"
