#!/bin/sh
# The temporal-setup-namespace service (temporalio/admin-tools) runs this once
# the Temporal server listens: it creates the namespace, registers the Flock
# search attributes on it, and waits until a visibility query accepts them
# (the server reads them through a cache), so a worker started after this can
# run flocks at once. Safe to run again: an existing namespace is kept (with
# its retention), and registering an attribute it already has is a no-op.
#
# FLOCK_SEARCH_ATTRIBUTES: space-separated Name=Type pairs, e.g.
# "FlockName=Keyword StartAgent=Keyword". The `temporal` CLI reads the server
# from TEMPORAL_ADDRESS.
set -eu

: "${TEMPORAL_ADDRESS:?}" "${FLOCK_NAMESPACE:?}" "${FLOCK_SEARCH_ATTRIBUTES:?}"
FLOCK_NAMESPACE_RETENTION=${FLOCK_NAMESPACE_RETENTION:-24h}
SETUP_ATTEMPTS=${SETUP_ATTEMPTS:-60}
SETUP_RETRY_SECONDS=${SETUP_RETRY_SECONDS:-2}

# retry COMMAND...: runs it until it succeeds, SETUP_ATTEMPTS times at most
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$SETUP_ATTEMPTS" ]; then
      echo "gave up after $attempt attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep "$SETUP_RETRY_SECONDS"
  done
}

ensure_namespace() {
  temporal operator namespace describe --namespace "$FLOCK_NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --namespace "$FLOCK_NAMESPACE" --retention "$FLOCK_NAMESPACE_RETENTION"
}

retry temporal operator cluster health
retry ensure_namespace

# one --name/--type pair per attribute, and a query that names each of them
query=''
set --
for pair in $FLOCK_SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  type=${pair#*=}
  set -- "$@" --name "$name" --type "$type"
  query="${query:+$query AND }$name IS NULL"
done
retry temporal operator search-attribute create --namespace "$FLOCK_NAMESPACE" "$@"
retry temporal workflow count --namespace "$FLOCK_NAMESPACE" --query "$query"
echo "namespace $FLOCK_NAMESPACE is ready with search attributes: $FLOCK_SEARCH_ATTRIBUTES"
