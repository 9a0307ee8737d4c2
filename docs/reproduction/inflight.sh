#!/usr/bin/env bash
# Carry a pipeline run that a session cannot finish to the next one (sessions end; git is what stays):
#   docs/reproduction/inflight.sh save NAME CHECKOUT -- SNAKEMAKE ARGS...   (in this repository, then commit)
#   docs/reproduction/inflight.sh resume NAME DIR                            (a new checkout at the run's commit)
# save packs CHECKOUT's results (finished trials, the train jobs' checkpoints, numba's cache and its markers;
# not the test sets, which the run draws again from their seeds) with Snakemake's metadata, and records the
# checkout's commit and the command.  resume checks that commit out into DIR (a git worktree), unpacks, and
# prints the command: run it there and every train job resumes from its checkpoint to the same bytes.  The
# command leaves out Snakemake's "code" rerun trigger, which a new checkout path sets off for every job; the
# params trigger still carries the package's code (each job's source key).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case ${1:-} in
save)
    name=$2 checkout=$(cd "$3" && pwd)
    shift 3; [ "${1:-}" = "--" ] && shift
    tar czf "$here/inflight/$name.tar.gz" -C "$checkout" --exclude=results/data results .snakemake/metadata .snakemake/incomplete
    { echo "commit $(git -C "$checkout" rev-parse HEAD)"; echo "command snakemake $*"; echo "saved $(date -u +%FT%TZ)"; } > "$here/inflight/$name.txt"
    echo "saved $checkout -> $here/inflight/$name.tar.gz ($(du -h "$here/inflight/$name.tar.gz" | cut -f1)); commit both files"
    ;;
resume)
    name=$2 dir=$3
    commit=$(awk '$1 == "commit" {print $2}' "$here/inflight/$name.txt")
    git -C "$here" worktree add --detach "$dir" "$commit"
    tar xzf "$here/inflight/$name.tar.gz" -C "$dir"
    echo "resumed $name at $commit in $dir; now run there:"
    sed -n 's/^command snakemake /snakemake --rerun-triggers mtime params input software-env /p' "$here/inflight/$name.txt"
    ;;
*)
    sed -n '2,10p' "$0"; exit 2
    ;;
esac
