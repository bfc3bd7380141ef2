#!/usr/bin/env bash
# Whole-command comparison: imprint render vs kubectl kustomize on the same
# ../shared/bench/gen.py trees (gen.py writes an equivalent kustomization.yaml
# next to imprint.yaml). Prints a markdown table (median, min, max, peak RSS,
# ratio) to paste into BENCHMARKS.md.
#
#   benches/compare.sh                 # 100, 1000 workloads (kustomize too), 5000 and 10000 (imprint only)
#   SIZES="100 1000" KUSTOMIZE_MAX=1000 RUNS=5 benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100 1000 5000 10000"}
KUSTOMIZE_MAX=${KUSTOMIZE_MAX:-1000}   # kustomize is quadratic: ~21 min at 5000
RUNS=${RUNS:-5}
WORK=${WORK:-target/compare}

command -v hyperfine >/dev/null || { echo "hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }
bin_dir=$(bash .ci/install-anchors.sh | tail -n 1)
kubectl="$bin_dir/kubectl"
cargo build --release --locked -q
imprint="$PWD/target/release/imprint"
mkdir -p "$WORK"

# median/min/max seconds of a command, via hyperfine's JSON export
time_it() { # runs json cmd...
    local runs=$1 json=$2; shift 2
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" "$*" >/dev/null 2>&1
    python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'{r["median"]:.3f} {r["min"]:.3f} {r["max"]:.3f}')
PY
}
rss_mb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.0f", $1/1024}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$kubectl" version --client | paste -sd' '); imprint $("$imprint" --version)"
echo
echo "| workloads | imprint median (min–max) | imprint RSS | kustomize median (min–max) | kustomize RSS | ratio |"
echo "|---|---|---|---|---|---|"
for n in $SIZES; do
    tree="$WORK/t$n"
    [ -d "$tree" ] || python3 ../shared/bench/gen.py --workloads "$n" --out "$tree" --force >/dev/null
    read -r im imin imax < <(time_it "$RUNS" "$WORK/i$n.json" "$imprint" render "$tree")
    irss=$(rss_mb "$imprint" render "$tree")
    if [ "$n" -le "$KUSTOMIZE_MAX" ]; then
        kruns=$(( n >= 1000 ? 1 : RUNS ))
        read -r km kmin kmax < <(time_it "$kruns" "$WORK/k$n.json" "$kubectl" kustomize "$tree")
        krss=$(rss_mb "$kubectl" kustomize "$tree")
        ratio=$(python3 -c "print(f'{$km/$im:.0f}x')")
        echo "| $n | ${im} s (${imin}–${imax}) | ${irss} MB | ${km} s (${kmin}–${kmax}) | ${krss} MB | $ratio |"
    else
        echo "| $n | ${im} s (${imin}–${imax}) | ${irss} MB | not run | | |"
    fi
done
