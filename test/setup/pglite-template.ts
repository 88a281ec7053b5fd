// Runs once before the suite (tap's `before`): builds the migrated PGlite image the tests load.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pgliteDatabase } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'
import { PGLITE_TEMPLATE } from '../helpers/database.js'

if (!process.env.DATABASE_URL) {
  const client = await PGlite.create()
  await migrate(pgliteDatabase(client))
  const image = await client.dumpDataDir('none')
  await client.close()
  mkdirSync(dirname(PGLITE_TEMPLATE), { recursive: true })
  writeFileSync(PGLITE_TEMPLATE, Buffer.from(await image.arrayBuffer()))
}
