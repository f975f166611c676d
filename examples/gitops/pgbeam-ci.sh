#!/usr/bin/env bash
# The GitOps steps, run by the workflow (pgbeam.yml) and, locally, by the tests (test/e2e/gitops.test.ts).
#
#   pgbeam-ci.sh preview <stack> <review.md>   pull request: preview, write the review text (exit: the preview's)
#   pgbeam-ci.sh up <stack>                    after merge: apply, showing the diff
#
# Run it in the Pulumi project's directory (dependencies installed). It needs `pulumi` and `node` on PATH, the
# backend's credentials (PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE) and the PgBeam
# key (PGBEAM_API_KEY from the CI secret store, or `pgbeam:apiKey` in the stack's secret config).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
(($# >= 2)) || usage
command=$1 stack=$2

case $command in
  preview)
    (($# == 3)) || usage
    review=$3
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # The structured preview is what the review is built from; the --diff text goes with it for reference.
    status=0
    pulumi preview --stack "$stack" --non-interactive --json >"$work/preview.json" || status=$?
    pulumi preview --stack "$stack" --non-interactive --diff --color never >"$work/preview.txt" 2>&1 || true
    node "$here/render-review.js" --stack "$stack" --json "$work/preview.json" --diff "$work/preview.txt" \
      --status "$status" >"$review"
    exit "$status"
    ;;
  up)
    (($# == 2)) || usage
    pulumi up --stack "$stack" --non-interactive --yes --diff --color never
    ;;
  *) usage ;;
esac
