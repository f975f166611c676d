#!/usr/bin/env bash
# The GitOps steps, run by the workflow (pgbeam.yml) and, locally, by the tests (test/e2e/gitops.test.ts).
#
#   pgbeam-ci.sh preview <stack> <review.md>   pull request: preview, write the review text (exit: the preview's);
#                                              (and the full text, for when it exceeds a comment, in review-full.md beside it)
#   pgbeam-ci.sh up <stack>                    after merge: apply, showing the diff
#   pgbeam-ci.sh drift <stack> <report.md>     schedule: refresh-preview, write the drift report (exit 3: drift)
#
# Run it in the Pulumi project's directory (dependencies installed). It needs `pulumi` and `node` on PATH, the
# backend's credentials (PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE) and the PgBeam
# key (PGBEAM_API_KEY from the CI secret store, or `pgbeam:apiKey` in the stack's secret config).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
(($# >= 2)) || usage
command=$1 stack=$2

# One preview's JSON in $work/preview.json, with every resource (dependencies) and the replacement steps
# (delete-first or not): all a review is built from. Sets $status to the preview's exit code; "$@" adds flags.
preview_json() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  status=0
  pulumi preview "$@" --stack "$stack" --non-interactive --json --show-sames --show-replacement-steps >"$work/preview.json" || status=$?
}

case $command in
  preview)
    (($# == 3)) || usage
    review=$3
    # The full review goes next to the comment-sized one (review-full.md).
    preview_json
    node "$here/render-review.js" --stack "$stack" --json "$work/preview.json" --status "$status" \
      --full "$(dirname "$review")/review-full.md" >"$review"
    exit "$status"
    ;;
  drift)
    (($# == 3)) || usage
    report=$3
    # A preview after a refresh: nothing is written to state or PgBeam; what differs from the program is drift.
    preview_json --refresh
    drifted=0
    node "$here/render-review.js" --mode drift --stack "$stack" --json "$work/preview.json" --status "$status" \
      --full "$(dirname "$report")/drift-full.md" >"$report" || drifted=$?
    ((status == 0)) || exit "$status"
    exit "$drifted"
    ;;
  up)
    (($# == 2)) || usage
    pulumi up --stack "$stack" --non-interactive --yes --diff --color never
    ;;
  *) usage ;;
esac
