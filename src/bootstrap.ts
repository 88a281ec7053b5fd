import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from './db/client.js'
import { CreateOrganizationSchema } from './modules/organizations/organizations.schemas.js'
import { countOrganizations, createOrganization } from './modules/organizations/organizations.service.js'

export const BOOTSTRAP_FILE = 'bootstrap-credentials.json'

/**
 * On an empty embedded database, creates a first organization and admin key so that a newcomer
 * can call the API without stopping the server to run the CLI. The secret goes to a file
 * readable by the owner only, never to the log. Returns the file's path, or null if nothing was done.
 */
export async function bootstrapEmptyDatabase(database: Database, dataDir: string): Promise<string | null> {
  if ((await countOrganizations(database.db)) > 0) return null
  const created = await createOrganization(
    database.db,
    CreateOrganizationSchema.parse({ name: 'Demo municipality', slug: 'demo', defaultLanguage: 'fi' }),
  )
  const path = join(dataDir, BOOTSTRAP_FILE)
  writeFileSync(path, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 })
  return path
}
