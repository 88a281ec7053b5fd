import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const cli = (args: string[], env: Record<string, string | undefined>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })

// On PostgreSQL when DATABASE_URL is set, else on a new embedded database (the CLI migrates it).
const env = process.env.DATABASE_URL ? {} : { DATA_DIR: mkdtempSync(join(tmpdir(), 'pb-engine-cli-')) }

t.test(
  'when an organization is created from the CLI, then it prints it with a working admin key',
  async (t) => {
    const slug = `cli-${randomUUID().slice(0, 8)}`
    const result = cli(
      ['organizations', 'create', '--name', 'Liminka', '--slug', slug, '--default-language', 'fi'],
      env,
    )
    t.equal(result.status, 0, result.stderr)
    const printed = JSON.parse(result.stdout)
    t.match(printed, {
      organization: {
        name: 'Liminka',
        slug,
        defaultLanguage: 'fi',
        languages: ['fi', 'sv', 'en', 'se', 'smn', 'sms'],
      },
      apiKey: { id: /^[0-9a-f-]{36}$/, key: /^pbk_/, roles: ['admin'] },
    })

    const again = cli(
      ['organizations', 'create', '--name', 'Liminka', '--slug', slug, '--default-language', 'fi'],
      env,
    )
    t.equal(again.status, 1, 'when the slug is taken, then it fails')
    t.match(again.stderr, /slug "cli-[0-9a-f]+" exists/)
  },
)

t.test('when the input is invalid, then it names the option and exits non-zero', async (t) => {
  const result = cli(
    ['organizations', 'create', '--name', 'X', '--slug', 'Not OK', '--default-language', 'fi'],
    env,
  )
  t.equal(result.status, 1)
  t.match(result.stderr, /--slug: must be lowercase/)
  const missing = cli(['organizations', 'create', '--name', 'X'], env)
  t.not(missing.status, 0)
  t.match(missing.stderr, /required option '--slug <slug>'/)
})

t.test('when the demo is seeded, then it prints a key per role and a round of each purpose', async (t) => {
  const slug = `demo-${randomUUID().slice(0, 8)}`
  const result = cli(['demo', 'seed', '--slug', slug], env)
  t.equal(result.status, 0, result.stderr)
  const printed = JSON.parse(result.stdout)
  t.equal(printed.organization.slug, slug)
  t.same(Object.keys(printed.apiKeys).sort(), ['admin', 'auditor', 'frontend', 'integrator', 'reviewer'])
  const purposes = new Set(printed.rounds.map((round: { purpose: string }) => round.purpose))
  t.same([...purposes].sort(), ['allocation', 'co_planning', 'cooperation', 'resource_mapping', 'savings'])
  const again = cli(['demo', 'seed', '--slug', slug], env)
  t.equal(again.status, 1, 'when seeded twice, then it refuses')
  t.match(again.stderr, /exists/)
})
