import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { type Database, openDatabase } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'

/** Written by test/setup/pglite-template.ts before the suite: an initialised, migrated PGlite. */
export const PGLITE_TEMPLATE = join('node_modules', '.cache', 'pb-engine-test', 'pglite-template.tar')

let shared: Promise<Database> | undefined

/**
 * One database per test process: PostgreSQL when DATABASE_URL is set, else an in-memory PGlite
 * loaded from the migrated template (an initdb per process would cost 5–8 s). Tests never
 * clean up: each owns its organization and rows.
 */
export function testDatabase(): Promise<Database> {
  if (!shared) {
    const opening = openTestDatabase()
    shared = opening
    // Closed when the test file's root test ends, so that the process can exit.
    t.teardown(async () => (await opening).close())
  }
  return shared
}

async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL
  if (url) {
    const database = await openDatabase({ kind: 'postgres', url, poolMax: 5 })
    await migrate(database)
    return database
  }
  if (!existsSync(PGLITE_TEMPLATE)) {
    throw new Error(
      `${PGLITE_TEMPLATE} is missing: run the suite with \`npm test\` (tap runs the setup first)`,
    )
  }
  const database = await openDatabase({
    kind: 'pglite-image',
    image: new Blob([readFileSync(PGLITE_TEMPLATE)]),
  })
  await migrate(database)
  return database
}
