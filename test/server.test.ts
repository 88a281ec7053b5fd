import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BOOTSTRAP_FILE } from '../src/bootstrap.js'

// The process as a newcomer runs it: embedded database in an empty folder, nothing configured.
const environment = (dataDir: string) => {
  const { DATABASE_URL: _ignored, ...rest } = process.env
  return { ...rest, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }
}

function startServer(dataDir: string): { child: ChildProcess; output: () => string; url: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: environment(dataDir) })
  let output = ''
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)))
  })
  return { child, output: () => output, url }
}

t.test('when the server starts on an empty data folder', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pb-engine-server-'))
  const server = startServer(dataDir)
  t.teardown(() => {
    server.child.kill('SIGKILL')
  })
  const base = await server.url

  t.test('then it is ready', async (t) => {
    const ready = await fetch(`${base}/readyz`)
    t.equal(ready.status, 200)
  })

  t.test('then the demo keys are in a private file, never in the log', async (t) => {
    const file = join(dataDir, BOOTSTRAP_FILE)
    t.equal(statSync(file).mode & 0o777, 0o600)
    const { organization, apiKeys } = JSON.parse(readFileSync(file, 'utf8'))
    for (const key of Object.values(apiKeys) as string[]) t.notMatch(server.output(), key)
    t.match(server.output(), file, 'the log says where the file is')
    const response = await fetch(`${base}/v1/organization`, {
      headers: { authorization: `Bearer ${apiKeys.admin}` },
    })
    t.equal(response.status, 200)
    t.equal(((await response.json()) as { id: string }).id, organization.id)
    const rounds = await fetch(`${base}/v1/organizations/${organization.slug}/rounds`)
    const page = (await rounds.json()) as {
      items: { purpose: string; method: string; currentPhase: string | null }[]
    }
    t.equal(new Set(page.items.map((round) => round.purpose)).size, 5, 'a published round of each purpose')
    t.equal(new Set(page.items.map((round) => round.method)).size, 4, 'and of each method')
    t.ok(
      page.items.some((round) => round.currentPhase === 'voting'),
      'one is in its voting phase',
    )
  })

  t.test('then the CLI refuses the folder while the server holds it', async (t) => {
    const cli = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'organizations',
        'create',
        '--name',
        'X',
        '--slug',
        'held',
        '--default-language',
        'fi',
      ],
      { env: environment(dataDir), encoding: 'utf8' },
    )
    t.equal(cli.status, 1)
    t.match(cli.stderr, /in use by process \d+/)
    t.equal(cli.stdout, '')
  })

  t.test('then SIGTERM closes it cleanly and frees the folder', async (t) => {
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve))
    server.child.kill('SIGTERM')
    t.equal(await exited, 0)
    t.notOk(existsSync(join(dataDir, 'pb-engine.lock')))
  })
})
