// The researchers' CLI: runs PB rules on a pabulib .pb file and prints the outcomes.
// Imports only the counting library (no server, no database) so that it starts fast.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Command, InvalidArgumentError, Option } from 'commander'
import {
  applicableRules,
  type CountResult,
  count,
  formatAmount,
  isRuleId,
  RuleNotApplicableError,
} from '../counting/index.js'
import { PabulibParseError, parsePabulib } from '../counting/pabulib/parse.js'
import { normalizeTieBreak, TIE_BREAK_CRITERIA } from '../counting/tie-break.js'
import type { RuleId, TieBreakCriterion } from '../counting/types.js'

interface CliOptions {
  readonly rule: string
  readonly tieBreak?: TieBreakCriterion[]
  readonly seed?: string
  readonly explain?: boolean
  readonly format: 'json' | 'table'
}

class UsageError extends Error {}

function parseTieBreak(value: string): TieBreakCriterion[] {
  const criteria = value.split(',').map((c) => c.trim())
  for (const c of criteria) {
    if (!(TIE_BREAK_CRITERIA as readonly string[]).includes(c)) {
      throw new InvalidArgumentError(`unknown criterion "${c}" (one of ${TIE_BREAK_CRITERIA.join(', ')})`)
    }
  }
  return normalizeTieBreak(criteria as TieBreakCriterion[])
}

function rulesFor(spec: string, voteType: Parameters<typeof applicableRules>[0]): RuleId[] {
  const applicable = applicableRules(voteType)
  if (spec === 'all') return applicable
  const rules = spec.split(',').map((r) => r.trim())
  for (const rule of rules) {
    if (!isRuleId(rule)) throw new UsageError(`unknown rule "${rule}"`)
    if (!applicable.includes(rule)) throw new UsageError(new RuleNotApplicableError(rule, voteType).message)
  }
  return rules as RuleId[]
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`)
  }
}

function ruleJson(result: CountResult, seconds: number, explain: boolean): Record<string, unknown> {
  const amount = (value: bigint) => formatAmount(value, result.scale)
  const json: Record<string, unknown> = {
    winners: result.winners,
    total_cost: amount(result.totalCost),
    leftover: amount(result.leftover),
    seconds: Number(seconds.toFixed(6)),
  }
  if (Object.keys(result.extras).length > 0) json.extras = result.extras
  if (result.partial)
    json.partial = { project: result.partial.project, amount: amount(result.partial.amount) }
  if (result.carryOver !== undefined) json.carry_over = amount(result.carryOver)
  if (explain) {
    json.tie_break = result.tieBreak
    json.explanation = result.explanation
    json.support = result.support
  }
  return json
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function main(argv: string[]): void {
  const program = new Command()
    .name('count')
    .description('Run participatory-budgeting rules on a pabulib .pb file (use - for stdin).')
    .argument('<file>', '.pb file, or - to read stdin')
    .option('--rule <rules>', 'comma-separated rule ids, or "all" (every rule for the ballot type)', 'all')
    .option(
      '--tie-break <criteria>',
      `comma-separated criteria among ${TIE_BREAK_CRITERIA.join(', ')}`,
      parseTieBreak,
    )
    .option('--seed <seed>', 'seed of the lottery tie-break criterion')
    .option('--explain', 'add each rule’s steps, unfunded projects with reasons, and support figures')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .showHelpAfterError()
    .parse(argv)
  const options = program.opts<CliOptions>()
  const file = program.args[0]!

  const text = readInput(file)
  const parseStart = performance.now()
  const parsed = parsePabulib(text)
  const parseSeconds = (performance.now() - parseStart) / 1000
  const election = parsed.election
  const rules = rulesFor(options.rule, election.voteType)
  if (options.tieBreak?.includes('lottery') && options.seed === undefined) {
    throw new UsageError('the lottery tie-break needs --seed')
  }

  const results: Record<string, Record<string, unknown>> = {}
  const timed: [RuleId, CountResult, number][] = []
  for (const rule of rules) {
    const start = performance.now()
    // Without --explain the rules skip the explanation's work: `seconds` is the outcome's time.
    const result = count(election, rule, {
      ...(options.tieBreak ? { tieBreak: options.tieBreak } : {}),
      ...(options.seed !== undefined ? { lotterySeed: options.seed } : {}),
      explain: options.explain === true,
    })
    const seconds = (performance.now() - start) / 1000
    timed.push([rule, result, seconds])
    results[rule] = ruleJson(result, seconds, options.explain === true)
  }

  if (options.format === 'table') {
    const head = `${file === '-' ? 'stdin' : basename(file)}: ${election.voteType}, ${parsed.numVoters} voters, ${election.projects.length} projects, budget ${formatAmount(election.budget, election.scale)}`
    const rows = [['rule', 'funded', 'total cost', 'leftover', 'seconds', 'winners']]
    for (const [rule, r, seconds] of timed) {
      rows.push([
        rule,
        String(r.winners.length),
        formatAmount(r.totalCost, r.scale),
        formatAmount(r.leftover, r.scale),
        seconds.toFixed(4),
        r.winners.join(','),
      ])
    }
    process.stdout.write(`${head}\n${table(rows)}\n`)
    return
  }
  const output = {
    file: file === '-' ? '-' : basename(file),
    vote_type: election.voteType,
    num_voters: parsed.numVoters,
    num_projects: election.projects.length,
    budget: formatAmount(election.budget, election.scale),
    parse_seconds: Number(parseSeconds.toFixed(6)),
    results,
  }
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
}

try {
  main(process.argv)
} catch (error) {
  if (error instanceof PabulibParseError) {
    process.stderr.write(`count: ${process.argv.at(-1)}: ${error.message}\n`)
  } else if (error instanceof UsageError || error instanceof RangeError) {
    process.stderr.write(`count: ${error.message}\n`)
  } else {
    throw error
  }
  process.exitCode = error instanceof PabulibParseError ? 3 : 2
}
