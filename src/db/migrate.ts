/**
 * Offline migrations on Prisma's schema engine compiled to WebAssembly (no native binary, no
 * download). Works against PGlite and a PostgreSQL server alike through a migration-aware driver
 * adapter factory and keeps the ordinary `_prisma_migrations` table, so `prisma migrate deploy`
 * on a connected machine agrees with it. Why: README "Architecture" (offline migrations).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm';

export interface MigrationPaths {
  schemaPath: string;
  migrationsDir: string;
}

export function defaultMigrationPaths(root = projectRoot()): MigrationPaths {
  return {
    schemaPath: path.join(root, 'prisma', 'schema.prisma'),
    migrationsDir: path.join(root, 'prisma', 'migrations'),
  };
}

/** The project root: two levels above this file in src/db or dist/db. */
export function projectRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

type EngineModule = typeof SchemaEngineWasm;
type Engine = Awaited<ReturnType<EngineModule['SchemaEngine']['new']>>;
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
let enginePromise: Promise<EngineModule> | undefined;

/** Instantiates the wasm module once per process (it is stateless until an engine is created). */
function loadEngineModule(): Promise<EngineModule> {
  enginePromise ??= (async () => {
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as EngineModule & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const entry = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm'));
    const bytes = await readFile(path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
    return bg;
  })();
  return enginePromise;
}

const LOCKFILE = 'provider = "postgresql"\n';
const FILTERS = { externalTables: [], externalEnums: [] };

async function readMigrations(migrationsDir: string) {
  let entries: string[];
  try {
    entries = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    entries = [];
  }
  const migrationDirectories = await Promise.all(
    entries.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
      },
    })),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: LOCKFILE },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  paths: MigrationPaths,
  run: (engine: Engine, schema: string) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = await readFile(paths.schemaPath, 'utf8');
  const engine = await SchemaEngine.new({ datamodels: [[paths.schemaPath, schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory) as never);
  try {
    return await run(engine, schema);
  } finally {
    engine.free();
  }
}

/**
 * Committed migrations the database has not recorded as finished (all of them when
 * `_prisma_migrations` does not exist yet). A cheap check, so a started database does not load
 * the schema engine; a migration edited after it was applied is not detected here (Prisma only
 * warns about that too).
 */
export async function pendingMigrations(
  prisma: { $queryRawUnsafe<T>(sql: string): Promise<T> },
  paths: MigrationPaths = defaultMigrationPaths(),
): Promise<string[]> {
  const committed = (await readMigrations(paths.migrationsDir)).migrationDirectories.map((d) => d.path);
  let applied: Set<string>;
  try {
    const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT "migration_name" AS "name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((r) => r.name));
  } catch {
    return committed;
  }
  return committed.filter((name) => !applied.has(name));
}

/** Applies pending committed migrations; returns the names of those applied now. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory, paths: MigrationPaths = defaultMigrationPaths()): Promise<string[]> {
  const migrationsList = await readMigrations(paths.migrationsDir);
  return withEngine(factory, paths, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: FILTERS } as never);
    return (result as { appliedMigrationNames: string[] }).appliedMigrationNames;
  });
}

/**
 * SQL that would take the committed migrations to schema.prisma (replayed on a shadow database).
 * Returns "" when they already match.
 */
export async function diffMigrationsToSchema(factory: SqlMigrationAwareDriverAdapterFactory, paths: MigrationPaths = defaultMigrationPaths()): Promise<string> {
  const migrationsList = await readMigrations(paths.migrationsDir);
  return withEngine(factory, paths, async (engine, schema) => {
    const from = migrationsList.migrationDirectories.length ? { tag: 'migrations', ...migrationsList } : { tag: 'empty' };
    const result = (await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: paths.schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      shadowDatabaseUrl: null,
      filters: FILTERS,
    } as never)) as { stdout: string };
    const sql = result.stdout.trim();
    return sql === '' || sql.includes('This is an empty migration.') ? '' : sql + '\n';
  });
}
