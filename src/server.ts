import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { bootstrapEmptyDatabase } from './bootstrap.js'
import { ConfigError, loadConfig } from './config.js'
import { DataDirLockedError } from './db/data-dir-lock.js'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const app = await buildApp(config)

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing: finishing in-flight requests')
    await app.close()
  })

  if (config.database.kind === 'pglite' && config.bootstrapOnEmpty) {
    const file = await bootstrapEmptyDatabase(app, config.database.dataDir)
    if (file) app.log.info({ file }, 'seeded the demo municipality; its API keys are in this file')
  }
  await app.listen({ port: config.port, host: config.host })
  app.log.info(
    { database: config.database.kind, docs: `http://${config.host}:${config.port}/docs` },
    'participatory budgeting engine ready',
  )
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`)
  } else {
    process.stderr.write(
      `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    )
  }
  process.exit(1)
})
