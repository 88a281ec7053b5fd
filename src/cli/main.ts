import { Command, CommanderError } from 'commander'
import { ZodError } from 'zod'
import { buildApp } from '../app.js'
import { ConfigError, loadConfig } from '../config.js'
import type { Database } from '../db/client.js'
import { DataDirLockedError } from '../db/data-dir-lock.js'
import { openMigratedDatabase } from '../db/open.js'
import { DEMO_SLUG, seedDemo } from '../demo/seed.js'
import { isProblemError } from '../lib/problems.js'
import { CreateOrganizationSchema } from '../modules/organizations/organizations.schemas.js'
import { createOrganization } from '../modules/organizations/organizations.service.js'

/** Administration from the shell, over the same services as the API. Output is JSON on stdout. */
async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env)
  const database = await openMigratedDatabase(config.database)
  try {
    return await work(database)
  } finally {
    await database.close()
  }
}

const print = (value: unknown) => process.stdout.write(JSON.stringify(value, null, 2) + '\n')

const program = new Command('pb-engine')
  .description('Participatory budgeting engine administration')
  .showHelpAfterError()
  .exitOverride()

program
  .command('db')
  .description('Database maintenance')
  .command('migrate')
  .description('Apply pending migrations (the server also does this at start-up)')
  .action(async () => {
    await withDatabase(async () => {})
    print({ migrated: true })
  })

program
  .command('organizations')
  .description('Organizations (tenants)')
  .command('create')
  .description('Create an organization and its first admin API key (the key is shown once)')
  .requiredOption('--name <name>', 'display name, e.g. "Liminka"')
  .requiredOption('--slug <slug>', 'URL name, e.g. liminka')
  .requiredOption('--default-language <code>', 'default language of resident-facing text, e.g. fi')
  .option('--languages <codes>', 'supported languages, comma-separated (default: fi,sv,en,se,smn,sms)')
  .action(async (options: { name: string; slug: string; defaultLanguage: string; languages?: string }) => {
    const input = CreateOrganizationSchema.parse({
      name: options.name,
      slug: options.slug,
      defaultLanguage: options.defaultLanguage,
      languages: options.languages?.split(',').map((code) => code.trim()),
    })
    const { organization, apiKey } = await withDatabase((database) => createOrganization(database.db, input))
    print({ organization, apiKey: { id: apiKey.id, key: apiKey.key, roles: apiKey.roles } })
  })

program
  .command('demo')
  .description('Demonstration data')
  .command('seed')
  .description('Create the demo municipality: areas, themes, sectors, a round of each purpose and method')
  .option('--slug <slug>', 'the demo organization slug', DEMO_SLUG)
  .action(async (options: { slug: string }) => {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' })
    const result = await withDatabase(async (database) => {
      const app = await buildApp(config, { database, logger: false })
      try {
        return await seedDemo(app, options.slug)
      } finally {
        await app.close()
      }
    })
    print({ organization: result.organization, apiKeys: result.keys, rounds: result.rounds })
  })

function explain(error: unknown): string {
  if (error instanceof ZodError) {
    const option = (path: PropertyKey[]) =>
      path.join('.').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) || 'input'
    return error.issues.map((issue) => `--${option(issue.path)}: ${issue.message}`).join('\n')
  }
  if (isProblemError(error) || error instanceof ConfigError || error instanceof DataDirLockedError) {
    return error.message
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode)
  process.stderr.write(`error: ${explain(error)}\n`)
  process.exit(1)
}
