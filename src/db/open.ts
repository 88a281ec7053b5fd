import { mkdirSync } from 'node:fs'
import type { Config } from '../config.js'
import { type Database, openDatabase } from './client.js'
import { lockDataDir } from './data-dir-lock.js'
import { migrate } from './migrate.js'

/**
 * Opens the configured database and applies pending migrations. An embedded (PGlite) data
 * folder is locked for this process until the database is closed.
 */
export async function openMigratedDatabase(options: Config['database']): Promise<Database> {
  let release = () => {}
  if (options.kind === 'pglite') {
    mkdirSync(options.dataDir, { recursive: true })
    release = lockDataDir(options.dataDir)
  }
  try {
    const database = await openDatabase(options)
    await migrate(database)
    return {
      ...database,
      close: async () => {
        try {
          await database.close()
        } finally {
          release()
        }
      },
    }
  } catch (error) {
    release()
    throw error
  }
}
