/**
 * Opens the database: embedded PGlite in DATA_DIR when no DATABASE_URL is given, a PostgreSQL
 * server through @prisma/adapter-pg otherwise. Both run the same schema and migrations.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import { applyMigrations, defaultMigrationPaths, pendingMigrations, type MigrationPaths } from './migrate.js';

export type { PrismaClient } from '../generated/prisma/client.js';

export interface DatabaseOptions {
  /** postgres://… ; unset = embedded PGlite. */
  databaseUrl?: string;
  /** Folder for the embedded database; "memory://" keeps it in memory (tests). */
  dataDir?: string;
  /** Pool size for a PostgreSQL server. */
  poolSize?: number;
  /**
   * Deadline of a direct statement (`Database.query`) on PostgreSQL: the server cancels it after
   * this long (a lock wait, say) and the client gives up a little later (a stalled connection).
   * Every update of a prelude batch waits for its statement, so it must never hang. Default 10 s.
   */
  directStatementTimeoutMs?: number;
  migrationPaths?: MigrationPaths;
}

export interface Database {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** Applies committed migrations that are not in the database yet. */
  migrate(): Promise<string[]>;
  /**
   * One parameterised statement straight on the driver (node-postgres or PGlite), without
   * Prisma's query layer — a third of the CPU per statement. Only for the per-update hot path
   * (src/bot/update-prelude.ts); everything else goes through Prisma.
   */
  query: DirectQuery;
  /** True when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Rows as objects (json columns parsed, bigint as string); `$1…` placeholders. A `name` makes it
 * a prepared statement on PostgreSQL (parsed and planned once per connection).
 */
export type DirectQuery = <T>(sql: string, params: readonly unknown[], name?: string) => Promise<T[]>;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const migrationPaths = options.migrationPaths ?? defaultMigrationPaths();
  let factory: SqlMigrationAwareDriverAdapterFactory;
  let closeDriver: () => Promise<void>;
  let kind: Database['kind'];
  let migrate: () => Promise<string[]>;
  let query: DirectQuery;

  // Only the driver in use is loaded (PGlite's WebAssembly costs memory and start-up time).
  if (options.databaseUrl) {
    kind = 'postgres';
    const databaseUrl = options.databaseUrl;
    const [{ PrismaPg }, { default: pg }] = await Promise.all([import('@prisma/adapter-pg'), import('pg')]);
    factory = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
    // The direct statements (update marks and user refreshes, never money) have their own small
    // pool whose commits do not wait for the WAL flush: on this 2-core machine's disk a flush
    // now and then took 100–400 ms, and every update of the batch waited for it (p99 at
    // 500 updates/s 160–400 ms; 26 ms without). A database server crash can lose the last
    // ~0.6 s of such commits — never one a later synchronous commit (a charge, a grant) depends
    // on, as that commit flushes the WAL before it; a lost mark only matters for an update
    // Telegram delivers again, which it does not once the bot confirmed it.
    const timeoutMs = options.directStatementTimeoutMs ?? 10_000;
    const hotPool = new pg.Pool({
      connectionString: databaseUrl,
      max: 2,
      options: `-c synchronous_commit=off -c statement_timeout=${timeoutMs}`,
      query_timeout: timeoutMs + 5_000,
      connectionTimeoutMillis: timeoutMs,
    });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) is an 'error'
    // event on the pool, fatal to the process without a listener. The pool has already dropped
    // that client; the next statement opens a new one, and a failing one fails its batch.
    hotPool.on('error', () => {});
    closeDriver = () => hotPool.end();
    query = async <T>(sql: string, params: readonly unknown[], name?: string) =>
      (await hotPool.query({ text: sql, values: params as unknown[], name })).rows as T[];
    // The schema engine takes a session advisory lock and never releases it: run it on its own
    // one-connection pool and end that pool, so a second instance starting now is not blocked.
    migrate = async () => {
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        return await applyMigrations(new PrismaPg(pool), migrationPaths);
      } finally {
        await pool.end();
      }
    };
  } else {
    kind = 'pglite';
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
    const dataDir = options.dataDir ?? './data';
    let pglite: PGlite;
    if (dataDir.startsWith('memory://')) {
      pglite = new PGlite();
    } else {
      const dir = path.resolve(dataDir, 'pglite');
      await mkdir(dir, { recursive: true });
      pglite = new PGlite(dir);
    }
    await pglite.waitReady;
    factory = new PrismaPGlite(pglite);
    query = async <T>(sql: string, params: readonly unknown[]) => (await pglite.query<T>(sql, params as unknown[])).rows;
    closeDriver = () => pglite.close();
    const pgliteFactory = factory;
    migrate = () => applyMigrations(pgliteFactory, migrationPaths);
  }

  const prisma = new PrismaClient({ adapter: factory as never });
  return {
    prisma,
    kind,
    query,
    // The schema engine (WebAssembly, ~60 MB and a second of start-up) is loaded only when a
    // committed migration is not recorded as applied yet.
    async migrate() {
      if ((await pendingMigrations(prisma, migrationPaths)).length === 0) return [];
      return migrate();
    },
    async ping() {
      try {
        await prisma.$queryRawUnsafe('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
