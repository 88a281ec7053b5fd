import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import type { MigrationConfig } from 'drizzle-orm/migrator'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { type Database, type Db, queryRows } from './client.js'

/** Any fixed number; all processes migrating one database agree on it. */
const MIGRATION_LOCK_KEY = 7_242_001

function findMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'migrations')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new Error('migrations folder not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

export const migrationsFolder = findMigrationsFolder()

const migrationConfig: MigrationConfig = { migrationsFolder, migrationsSchema: 'drizzle' }

/**
 * Applies pending migrations. Idempotent; on PostgreSQL it holds an advisory lock so that
 * several processes starting at once apply each migration exactly once.
 */
export async function migrate(database: Database): Promise<void> {
  await database.withAdvisoryLock(MIGRATION_LOCK_KEY, async (db) => {
    if (database.kind === 'postgres') await migratePostgres(db as unknown as NodePgDatabase, migrationConfig)
    else await migratePglite(db as unknown as PgliteDatabase, migrationConfig)
  })
}

function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[]
  }
  return journal.entries.length
}

const expectedCount = expectedMigrationCount()

/** True when every migration in the folder has been applied. */
export async function isMigrated(db: Db): Promise<boolean> {
  try {
    const [row] = await queryRows<{ count: number }>(
      db,
      sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
    )
    return Number(row?.count) >= expectedCount
  } catch {
    return false
  }
}
