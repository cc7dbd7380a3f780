/**
 * What the production-style Temporal of `npm run temporal:prod` runs, in
 * one place: `docker/docker-compose.yml` must describe the same topology
 * (`apps/worker/integration/docker-files.spec.ts` checks that they agree).
 */
export const PRODUCTION_TOPOLOGY = {
  /** `go.temporal.io/server` module version of `temporal-server` and its SQL schema tool. */
  temporalServerVersion: '1.32.1',
  /** The oldest Go that builds that version (its go.mod's `go` line). */
  goVersion: '1.26.8',
  /** History shards: fixed for the life of a cluster, so chosen up front. */
  numHistoryShards: 4,
  /** PostgreSQL major version (Debian 12's `postgresql` package). */
  postgresMajor: 15,
  /** The server's SQL plugin for PostgreSQL 12 and newer. */
  sqlPlugin: 'postgres12',
  /** Schema versions `temporal-sql-tool update-schema` brings the two databases to (the module's schema/postgresql/v12). */
  schemaVersions: { temporal: '1.19', visibility: '1.14' },
  /** Databases on the PostgreSQL cluster. */
  databases: { temporal: 'temporal', visibility: 'temporal_visibility' },
} as const;
