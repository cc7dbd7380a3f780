#!/bin/sh
# The temporal-setup-schema service (temporalio/admin-tools) runs this once
# before the Temporal server starts: it creates the server's two databases and
# brings their schemas to the versions the server release expects, as
# `npm run temporal:prod` does. Safe to run again: creating a database that
# exists, `setup-schema -v 0.0` on a versioned database and `update-schema` to
# the version it has are no-ops.
#
# temporal-sql-tool reads the connection from SQL_PLUGIN, SQL_HOST, SQL_PORT,
# SQL_USER and SQL_PASSWORD; the rest comes from the compose file.
set -eu

: "${DBNAME:?}" "${VISIBILITY_DBNAME:?}" "${TEMPORAL_SCHEMA_VERSION:?}" "${VISIBILITY_SCHEMA_VERSION:?}"
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
SETUP_ATTEMPTS=${SETUP_ATTEMPTS:-30}
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

# setup_database NAME VERSIONED_SCHEMA_DIR VERSION
setup_database() {
  # PostgreSQL reports healthy once, then restarts after its first initdb: the first step retries
  retry temporal-sql-tool --db "$1" create-database
  temporal-sql-tool --db "$1" setup-schema -v 0.0
  temporal-sql-tool --db "$1" update-schema -d "$2" -v "$3"
  echo "database $1 is at schema version $3"
}

setup_database "$DBNAME" "$SCHEMA_DIR/temporal/versioned" "$TEMPORAL_SCHEMA_VERSION"
setup_database "$VISIBILITY_DBNAME" "$SCHEMA_DIR/visibility/versioned" "$VISIBILITY_SCHEMA_VERSION"
