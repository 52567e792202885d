#!/usr/bin/env bash
# Compares Keepwell and peer HTTP clients, each driven by the same closed loop (`load --client`),
# with wrk against the same nginx on loopback, then runs the burst demo. Prints a markdown table
# with one row per client per point, each client's req/s as a ratio of wrk's at that point.
#
# Usage: bench/compare.sh            (from anywhere; builds the jar if it is missing)
# Environment (defaults in brackets):
#   DURATION [5s]  WARMUP [5s] (a JVM on two busy cores needs seconds of JIT; 2s understates it)  CONCURRENCY ["1 16 64 256"]  SIZES ["13 65536"]
#   IO_THREADS [1]  client event loops; WRK_THREADS [1]  wrk threads (one each: nginx has one worker)
#   JAVA_OPTS [""]  extra JVM options for the load command
#   CLIENTS ["netty keepwell jdk jetty apache ahc reactor"]  clients `load --client` drives, in this order
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

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
cleanup() {
    local status=$?
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
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

json_field() { # json name -> value of the first "name":number
    sed -nE "s/.*\"$2\":(-?[0-9.]+).*/\1/p" <<<"$1"
}

run_client() { # client url concurrency -> "req/s p99us cpu_us_per_req"
    local client=$1 url=$2 c=$3 out
    # shellcheck disable=SC2086
    out=$(java $JAVA_OPTS -Dslf4j.internal.verbosity=ERROR -jar "$JAR" load "$url" --client "$client" -c "$c" \
        -d "$DURATION" --warmup "$WARMUP" --io-threads "$IO_THREADS" --json --quiet) \
        || { log "$client load failed at $url c=$c:"; log "$out"; return 1; }
    echo "$(json_field "$out" requestsPerSecond) $(json_field "$out" p99) $(json_field "$out" clientCpuMicrosPerRequest)"
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

table="| body bytes | C | client | req/s | / wrk | p99 us | client CPU us/req |"
table+=$'\n'"|---:|---:|:---|---:|---:|---:|---:|"
for size in $SIZES; do
    url="http://127.0.0.1:$PORT/$size"
    for c in $CONCURRENCY; do
        log "  $size bytes, C=$c: wrk"
        result=$(run_wrk "$url" "$c")
        read -r wrk_rps wrk_p99 <<<"$result"
        table+=$'\n'"$(printf '| %s | %s | wrk | %.0f | 1.00 | %s | |' "$size" "$c" "$wrk_rps" "$wrk_p99")"
        for client in $CLIENTS; do
            log "  $size bytes, C=$c: $client"
            result=$(run_client "$client" "$url" "$c")
            read -r rps p99 cpu <<<"$result"
            ratio=$(awk -v a="$rps" -v b="$wrk_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
            table+=$'\n'"$(printf '| %s | %s | %s | %.0f | %s | %s | %.1f |' "$size" "$c" "$client" "$rps" "$ratio" "$p99" "$cpu")"
        done
    done
done
echo
echo "$table"
echo
echo "Burst demo:"
java $JAVA_OPTS -jar "$JAR"
