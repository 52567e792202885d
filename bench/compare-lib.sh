# Sourced by compare.sh and compare-h2.sh: the RUNS repetition's bookkeeping and its markdown table.
#
# A run's rows go to a rows file, one line each, tab-separated:
#   run  key1 .. keyK  value1 .. valueV  spread_basis
# The keys name the row (e.g. body bytes, C, client); the values are the table's other columns, raw
# (ratios unrounded, empty where a row has none, or a word such as n/a); spread_basis is the figure
# whose noise the spread column shows. compare_table prints one row per key, in first-seen order,
# each numeric value the median over the runs, so a ratio is computed per run and then medianed.

# RUNS [1]: how many times the whole matrix is repeated; the table shows per-row medians.
RUNS=${RUNS:-1}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { printf 'RUNS must be a positive integer, not %s\n' "$RUNS" >&2; exit 2; }

record_row() { # rows_file field... -> appends one tab-separated line
    local file=$1
    shift
    local IFS=$'\t'
    printf '%s\n' "$*" >> "$file"
}

json_field() { # json name -> value of the first "name":number
    sed -nE "s/.*\"$2\":(-?[0-9.]+).*/\1/p" <<<"$1"
}

allocation() { # allocatedBytesPerRequest -> itself, or n/a when the JVM could not count it
    case $1 in '' | -1 | -1.0) echo n/a ;; *) echo "$1" ;; esac
}

ratio() { # numerator denominator -> numerator / denominator, n/a when either is missing or not positive
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a ~ /^-?[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0 && a + 0 >= 0) printf "%.6f", a / b; else printf "n/a" }'
}

# compare_table rows_file run keys header align formats
#   run:     a run's number for its own table, or "all" for the medians with a spread column
#   keys:    how many key columns lead each line
#   header:  "| a | b |"-style header of the key and value columns; align: its |---| line
#   formats: one printf format per value column, space-separated (e.g. "%.0f %.2f")
compare_table() {
    local rows=$1 run=$2 keys=$3 header=$4 align=$5 formats=$6
    if [ "$run" = all ]; then
        header+=" spread |"
        align+="---:|"
    fi
    printf '%s\n%s\n' "$header" "$align"
    awk -F '\t' -v run="$run" -v keys="$keys" -v formats="$formats" '
        function median(list, n,   v, i, j, t) {
            n = split(list, v, SUBSEP)
            for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        function extremes(list,   v, i, n) {
            n = split(list, v, SUBSEP); lo = hi = v[1] + 0
            for (i = 2; i <= n; i++) { if (v[i] + 0 < lo) lo = v[i] + 0; if (v[i] + 0 > hi) hi = v[i] + 0 }
        }
        BEGIN { nf = split(formats, fmt, " ") }
        run == "all" || $1 == run {
            key = ""
            for (i = 2; i <= keys + 1; i++) key = key (i > 2 ? " | " : "") $i
            if (!(key in seen)) { seen[key] = 1; order[++count] = key }
            for (c = 1; c <= nf; c++) {
                x = $(keys + 1 + c)
                if (x ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) nums[key, c] = (nums[key, c] == "" ? "" : nums[key, c] SUBSEP) x
                else if (!((key, c) in word)) word[key, c] = x
            }
            b = $(keys + 2 + nf)
            if (b ~ /^[0-9.]+$/) basis[key] = (basis[key] == "" ? "" : basis[key] SUBSEP) b
        }
        END {
            for (r = 1; r <= count; r++) {
                key = order[r]; line = "| " key " |"
                for (c = 1; c <= nf; c++)
                    line = line " " (nums[key, c] != "" ? sprintf(fmt[c], median(nums[key, c])) : word[key, c]) " |"
                if (run == "all") {
                    spread = ""
                    if (basis[key] != "") {
                        extremes(basis[key]); m = median(basis[key])
                        if (m > 0) spread = sprintf("%.1f%%", (hi - lo) * 100 / m)
                    }
                    line = line " " spread " |"
                }
                print line
            }
        }' "$rows"
}

netty_columns() { # client rps cpu netty_rps netty_cpu -> "to_netty cpu_to_netty spread_basis"
    local client=$1 rps=$2 cpu=$3 netty_rps=$4 netty_cpu=$5 to_netty cpu_to_netty basis
    to_netty=$(ratio "$rps" "$netty_rps")
    cpu_to_netty=$(ratio "$cpu" "$netty_cpu")
    basis=$to_netty
    if [ "$client" = netty ] || [ "$basis" = n/a ]; then basis=$rps; fi
    echo "$to_netty $cpu_to_netty $basis"
}

# run_table rows run keys header align formats: a finished run's table, to stderr, when there are several
run_table() {
    [ "$RUNS" -gt 1 ] || return 0
    printf '\nrun %s/%s:\n' "$2" "$RUNS" >&2
    compare_table "$@" >&2
}

# final_table rows keys header align formats reference: the one table (medians with RUNS > 1) to stdout
final_table() {
    local rows=$1 keys=$2 header=$3 align=$4 formats=$5 reference=$6
    echo
    if [ "$RUNS" -gt 1 ]; then
        echo "Medians of $RUNS runs; spread = (max - min) / median of / netty (of req/s for the $reference and netty rows):"
        echo
        compare_table "$rows" all "$keys" "$header" "$align" "$formats"
    else
        compare_table "$rows" 1 "$keys" "$header" "$align" "$formats"
    fi
}
