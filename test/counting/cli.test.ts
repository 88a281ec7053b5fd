import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import t from 'tap'

// The CLI is built the way scripts/build.mjs builds it (esbuild), but bundled into a private
// directory: tests must not rewrite dist/ while other processes use it.
const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'count-cli-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const cli = join(dir, 'count.cjs')
await build({
  entryPoints: [join(root, 'src/cli/count.ts')],
  outfile: cli,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
})

const FILE = [
  'META',
  'key;value',
  'description;CLI test',
  'budget;100.5',
  'vote_type;approval',
  'PROJECTS',
  'project_id;cost;votes',
  '9;60;3',
  '10;50.5;2',
  'c;30;1',
  'VOTES',
  'voter_id;vote',
  '1;9,10',
  '2;9,10,c',
  '3;9',
  '4;',
  '',
].join('\n')
const pb = join(dir, 'small.pb')
writeFileSync(pb, FILE)

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

t.test('when the CLI runs every rule, then it prints the documented JSON', async (t) => {
  const { status, stdout, stderr } = run([pb])
  t.equal(status, 0, stderr)
  const out = JSON.parse(stdout)
  t.match(out, {
    file: 'small.pb',
    vote_type: 'approval',
    num_voters: 4,
    num_projects: 3,
    budget: '100.5',
    parse_seconds: Number,
  })
  t.same(Object.keys(out.results), [
    'greedy_cost',
    'greedy_cardinality',
    'mes_cost',
    'mes_cost_add1',
    'mes_cost_add1_greedy',
    'mes_cardinality',
    'max_welfare_cost',
    'phragmen',
  ])
  // greedy_cost: 9 (3 votes, left 40.5), 10 (50.5) skipped, c (left 10.5). Ids in code-point order.
  t.match(out.results.greedy_cost, { winners: ['9', 'c'], total_cost: '90', seconds: Number })
  t.match(out.results.max_welfare_cost, { winners: ['9', 'c'], total_cost: '90' })
})

t.test('when rules, tie-break and --explain are given, then the output follows them', async (t) => {
  const { status, stdout } = run([
    '--rule',
    'greedy_cost,phragmen',
    '--tie-break',
    'cost_asc',
    '--explain',
    pb,
  ])
  t.equal(status, 0)
  const out = JSON.parse(stdout)
  t.same(Object.keys(out.results), ['greedy_cost', 'phragmen'])
  t.same(out.results.greedy_cost.tie_break, { criteria: ['cost_asc', 'id'] })
  t.same(out.results.greedy_cost.explanation.unfunded, [
    { project: '10', reason: 'did_not_fit', detail: { score: '2', left: '40.5' } },
  ])
  t.match(out.results.greedy_cost.support, [{ id: '9', cost: '60', supporters: 3 }])
})

t.test('when the file comes on stdin and the format is table, then a table is printed', async (t) => {
  const { status, stdout } = run(['--rule', 'greedy_cost', '--format', 'table', '-'], FILE)
  t.equal(status, 0)
  t.match(stdout, /^stdin: approval, 4 voters, 3 projects, budget 100\.5$/m)
  t.match(stdout, /^greedy_cost\s+2\s+90\s+10\.5\s+\d+\.\d+\s+9,c$/m)
})

t.test('when the input is wrong, then the CLI exits non-zero with a message on stderr', async (t) => {
  const unknown = run(['--rule', 'nope', pb])
  t.not(unknown.status, 0)
  t.match(unknown.stderr, /unknown rule "nope"/)
  t.equal(unknown.stdout, '')

  const notApplicable = run(['--rule', 'greedy_borda', pb])
  t.not(notApplicable.status, 0)
  t.match(notApplicable.stderr, /greedy_borda does not apply to approval ballots/)

  const broken = join(dir, 'broken.pb')
  writeFileSync(broken, FILE.replace('2;9,10,c', '2;9,zz'))
  const parse = run([broken])
  t.not(parse.status, 0)
  t.match(parse.stderr, /line 14, column 3: vote names unknown project "zz"/)

  const missing = run([join(dir, 'missing.pb')])
  t.not(missing.status, 0)
  t.match(missing.stderr, /cannot read .*missing\.pb/)

  const lottery = run(['--tie-break', 'lottery', pb])
  t.not(lottery.status, 0)
  t.match(lottery.stderr, /needs --seed/)

  const criterion = run(['--tie-break', 'cheapest', pb])
  t.not(criterion.status, 0)
  t.match(criterion.stderr, /unknown criterion "cheapest"/)
})
