import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { type SQL, sql } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import pg from 'pg'
import type { Config } from '../config.js'
import * as schema from './schema.js'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface PoolStats {
  total: number
  idle: number
  waiting: number
}

/** An open database: the drizzle instance and the few things the service needs from the driver. */
export interface Database {
  readonly kind: 'postgres' | 'pglite'
  readonly db: Db
  /** Runs `work` on one connection while holding a session-level advisory lock. */
  withAdvisoryLock<T>(lockKey: number, work: (db: Db) => Promise<T>): Promise<T>
  poolStats(): PoolStats
  close(): Promise<void>
}

export type DatabaseOptions = Config['database'] | { kind: 'pglite-image'; image: Blob }

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') return openPostgres(options.url, options.poolMax)
  if (options.kind === 'pglite') {
    mkdirSync(options.dataDir, { recursive: true })
    return pgliteDatabase(await PGlite.create({ dataDir: options.dataDir }))
  }
  return pgliteDatabase(await PGlite.create({ loadDataDir: options.image }))
}

function openPostgres(url: string, poolMax: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, application_name: 'pb-engine' })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  const db: Db = drizzlePostgres(pool, { schema })
  return {
    kind: 'postgres',
    db,
    async withAdvisoryLock(lockKey, work) {
      const client = await pool.connect()
      try {
        await client.query('SELECT pg_advisory_lock($1)', [lockKey])
        try {
          return await work(drizzlePostgres(client, { schema }))
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [lockKey])
        }
      } finally {
        client.release()
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  }
}

export function pgliteDatabase(client: PGlite): Database {
  const db: Db = drizzlePglite(client, { schema })
  return {
    kind: 'pglite',
    db,
    // PGlite is one connection in this process: the data-folder lock already excludes other processes.
    withAdvisoryLock: (_lockKey, work) => work(db),
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: () => client.close(),
  }
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`)
}

/** Raw SQL rows; both drivers return `{ rows }`, typed differently. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}
