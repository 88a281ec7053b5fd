import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { App } from './app.js'
import { seedDemo } from './demo/seed.js'
import { countOrganizations } from './modules/organizations/organizations.service.js'

export const BOOTSTRAP_FILE = 'demo-credentials.json'

/**
 * On an empty embedded database, seeds the demo municipality so that a newcomer can call the API
 * at once without stopping the server to run the CLI. The keys go to a file readable by the
 * owner only, never to the log. Returns the file's path, or null if nothing was done.
 */
export async function bootstrapEmptyDatabase(app: App, dataDir: string): Promise<string | null> {
  if ((await countOrganizations(app.db)) > 0) return null
  const demo = await seedDemo(app)
  const path = join(dataDir, BOOTSTRAP_FILE)
  const content = { organization: demo.organization, apiKeys: demo.keys, rounds: demo.rounds }
  writeFileSync(path, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 })
  return path
}
