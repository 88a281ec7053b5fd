// Writes the OpenAPI document generated from the route schemas to openapi/openapi.json.
// With --check, exits 1 when the committed file differs from a fresh generation (CI runs this).
import { readFileSync, writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/client.js'

const PATH = 'openapi/openapi.json'

// Generating the document runs no route, so no database is needed.
const offline: Database = {
  kind: 'pglite',
  db: {} as Database['db'],
  withAdvisoryLock: () => Promise.reject(new Error('offline')),
  poolStats: () => ({ total: 0, idle: 0, waiting: 0 }),
  close: async () => {},
}

const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { database: offline, logger: false })
const document = JSON.stringify(app.swagger(), null, 2) + '\n'
await app.close()

if (process.argv.includes('--check')) {
  const committed = readFileSync(PATH, 'utf8')
  if (committed !== document) {
    console.error(`${PATH} is stale: run \`npm run openapi\` and commit the result`)
    process.exit(1)
  }
  console.log(`${PATH} is current`)
} else {
  writeFileSync(PATH, document)
  console.log(`wrote ${PATH}`)
}
