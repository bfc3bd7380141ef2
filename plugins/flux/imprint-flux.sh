#!/bin/sh
# Post-build path for Flux: render an app at a git revision with imprint and
# publish the result for Flux to sync. POSIX sh, so any CI can call it.
#
#   imprint-flux.sh render APP_DIR REV OUT_DIR
#       Renders APP_DIR at REV into OUT_DIR (one file per object, written
#       atomically). Set IMPRINT_KEEP_VERSIONS=N to also keep N previous
#       versions of each bundle (needs the git history in the clone).
#   imprint-flux.sh publish-branch OUT_DIR BRANCH
#       Commits OUT_DIR as the whole content of BRANCH (a "rendered" branch
#       for a GitRepository source) and pushes it to origin.
#   imprint-flux.sh publish-oci OUT_DIR OCI_URL:TAG SOURCE REVISION
#       Pushes OUT_DIR as a reproducible OCI artifact tagged TAG, then tags
#       it `latest` (what flux-oci.yaml's OCIRepository follows). Log in to
#       the registry first (`docker login`; flux reads its credentials).
set -eu

IMPRINT=${IMPRINT:-imprint}

usage() {
    sed -n '2,15p' "$0" >&2
    exit 2
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift

case "$cmd" in
render)
    [ $# -eq 3 ] || usage
    app=$1 rev=$2 out=$3
    set -- render "$app" --rev "$rev" -o "$out/"
    if [ -n "${IMPRINT_KEEP_VERSIONS:-}" ]; then
        set -- "$@" --keep-versions "$IMPRINT_KEEP_VERSIONS"
    fi
    "$IMPRINT" "$@"
    ;;
publish-branch)
    [ $# -eq 2 ] || usage
    out=$1 branch=$2
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    if git fetch --depth 1 origin "$branch" 2>/dev/null; then
        git worktree add --detach "$work" FETCH_HEAD
    else
        git worktree add --detach "$work"
        (cd "$work" && git checkout --orphan "$branch" && git rm -rfq . >/dev/null 2>&1 || true)
    fi
    (cd "$work" && find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +)
    cp -R "$out"/. "$work"/
    (
        cd "$work"
        git add -A
        if git diff --cached --quiet; then
            echo "imprint-flux: $branch is already up to date"
        else
            git commit -qm "Render $(git -C "$OLDPWD" rev-parse --short HEAD)"
            git push origin "HEAD:refs/heads/$branch"
        fi
    )
    git worktree remove --force "$work"
    ;;
publish-oci)
    [ $# -eq 4 ] || usage
    out=$1 url=$2 source=$3 revision=$4
    case "${url##*/}" in
    *:*) ;;
    *) echo "imprint-flux: $url has no tag (oci://REGISTRY/REPOSITORY:TAG)" >&2; exit 2 ;;
    esac
    flux push artifact "$url" --path="$out" --source="$source" --revision="$revision" --reproducible
    flux tag artifact "$url" --tag latest
    ;;
*)
    usage
    ;;
esac
