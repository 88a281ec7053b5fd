// Runs every applicable rule on every pabulib instance, compares with pabutools (expected.json)
// and writes bench/results/counting.md. See bench/README.md.
// Usage: npm run bench:counting [-- --rules a,b --files substr --timeout seconds --rounds n]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { applicableRules, count, formatAmount } from '../src/counting/index.js'
import { parsePabulib } from '../src/counting/pabulib/parse.js'
import type { Election, RuleId } from '../src/counting/types.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const PABULIB = `${REPO}../shared/pabulib/`
const RESULTS = `${REPO}bench/results/counting.md`
/**
 * A rule is run until it has run this many times or for BUDGET_SECONDS in all, and at least
 * MIN_RUNS times; the best time is reported (steady state, as in the long-running service), the
 * first alongside.
 */
const RUNS = 200
const BUDGET_SECONDS = 0.5
/** A case of a few tenths of a second is still warming up on its second call: give it a few. */
const MIN_RUNS = 5
/** No repeat once a single run took this long. */
const REPEAT_BELOW_SECONDS = 1
/** Warm-up on the files with fewer voters than this (see warmUp). */
const WARM_UP_VOTERS = 1000
/** Warm-up passes after the first: repeated while they took under WARM_UP_SECONDS in all, at most WARM_UP_PASSES. */
const WARM_UP_SECONDS = 1.5
const WARM_UP_PASSES = 100_000
/** Cases whose first warm-up call took this long are not repeated: their own timed runs are long enough to warm up. */
const WARM_UP_REPEAT_BELOW_SECONDS = 0.002
/**
 * A case whose first timed call took under WARM_UP_REPEAT_BELOW_SECONDS is run again, untimed, for
 * this long (at most CASE_WARM_UP_CALLS calls) before its other timed runs: the files counted
 * since the warm-up (the large ones above all) leave shared code deoptimized, and 200 calls of a
 * few µs (2 ms) are too few for V8 to optimize it again. Cases of a few tens of µs need longer
 * than 0.2 s: Utilities_6 mes_cardinality, 31-34 µs a call in a fresh process, took 46 µs at best
 * after 0.2 s (its first timed calls over 50 µs), 33 µs after 0.6 s.
 */
const CASE_WARM_UP_SECONDS = 0.6
const CASE_WARM_UP_CALLS = 20_000
/**
 * Rounds: after the first pass over every file, the cases are timed again in ROUNDS - 1 more
 * passes, each run for LATER_BUDGET_SECONDS (at least once, the fast ones after
 * LATER_WARM_UP_SECONDS untimed), and each case keeps its best time of all rounds. This machine
 * (a shared VM) has slow spells of a few seconds in which everything runs about 1.9x slower: one
 * process counting Utilities_6 mes_cardinality for 20 s in 0.25 s windows took 33-38 µs in 52
 * windows and 62-73 µs in 28, in three spells. A case timed within one 0.5 s window could fall in
 * such a spell (a whole run's minimum ratio then halved); passes minutes apart rarely all do.
 */
const ROUNDS = 4
const LATER_BUDGET_SECONDS = 0.05
const LATER_WARM_UP_SECONDS = 0.1

/** How one pass times a case (measure). */
interface Plan {
  budgetSeconds: number
  minRuns: number
  warmUpSeconds: number
  /** count()'s `explain`: false for the outcome only, as the CLI counts without --explain. */
  explain: boolean
}
const FIRST_PASS: Plan = {
  budgetSeconds: BUDGET_SECONDS,
  minRuns: MIN_RUNS,
  warmUpSeconds: CASE_WARM_UP_SECONDS,
  explain: false,
}
const LATER_PASS: Plan = {
  budgetSeconds: LATER_BUDGET_SECONDS,
  minRuns: 1,
  warmUpSeconds: LATER_WARM_UP_SECONDS,
  explain: false,
}
/** The "explained" column: the same count with its explanation and support figures, after each timing of the outcome. */
const LATER_EXPLAINED_PASS: Plan = { ...LATER_PASS, explain: true }
/** In the first pass, at least a few runs: the explained code has not been warmed up yet. */
const EXPLAINED_PASS: Plan = { ...LATER_EXPLAINED_PASS, minRuns: 3 }
const OUTCOME_ONLY = { explain: false } as const
/** The request of a plan: the explained runs ask for everything (count()'s default). */
const requestOf = (plan: Plan) => (plan.explain ? {} : OUTCOME_ONLY)

interface Expected {
  file: string
  num_voters: number
  parse_seconds: number
  rules: Record<
    string,
    {
      winners: string[] | null
      pabutools_seconds: number | 'timeout'
      welfare?: number
      unique_optimum?: boolean | null
    }
  >
}

/** Rules that pabutools could not finish or took minutes on: measured in a worker thread (measureInWorker). */
function runsInWorker(ref: Expected['rules'][string] | undefined): boolean {
  return ref === undefined || ref.pabutools_seconds === 'timeout' || ref.pabutools_seconds > 60
}

interface Row {
  file: string
  rule: RuleId
  first: number
  best: number
  pabutools: number | 'timeout' | undefined
  match: 'yes' | 'no' | 'n/a' | 'error' | 'timeout'
  note: string
  /** The first round's winners (later rounds must give the same). */
  winners: string[] | undefined
  /** Timed in a worker thread (in later rounds only when pabutools has a time). */
  inWorker: boolean
  /** Best time of the count with its explanation and support figures (NaN in a worker). */
  explained: number
}

/** What one rule gave on one file: plain data, so that it can come back from a worker. */
interface Measured {
  times: number[]
  winners?: string[]
  totalCost?: string
  welfare?: string
  uniqueOptimum?: boolean | null
  error?: string
}

const seconds = (from: number) => (performance.now() - from) / 1000

function measure(election: Election, rule: RuleId, plan: Plan = FIRST_PASS): Measured {
  const request = requestOf(plan)
  const times: number[] = []
  let result: ReturnType<typeof count> | undefined
  let spent = 0
  try {
    do {
      // A new Election object each time: count() caches what it derives from an election (supporter
      // counts, the MES profile, …) per object, and a request to the service brings a new one.
      const fresh = { ...election }
      const t0 = performance.now()
      result = count(fresh, rule, request)
      times.push(seconds(t0))
      spent += times[times.length - 1]!
      if (times.length === 1 && times[0]! < WARM_UP_REPEAT_BELOW_SECONDS) {
        const start = performance.now()
        for (let i = 0; i < CASE_WARM_UP_CALLS && seconds(start) < plan.warmUpSeconds; i++) {
          count({ ...election }, rule, request)
        }
      }
    } while (
      times.length < RUNS &&
      (spent < plan.budgetSeconds || times.length < plan.minRuns) &&
      times[times.length - 1]! < REPEAT_BELOW_SECONDS
    )
  } catch (error) {
    return { times, error: (error as Error).message.slice(0, 80) }
  }
  return {
    times,
    winners: [...result.winners],
    totalCost: formatAmount(result.totalCost, election.scale),
    welfare: result.extras.welfare as string | undefined,
    uniqueOptimum: result.extras.uniqueOptimum as boolean | null | undefined,
  }
}

if (!isMainThread) {
  const { file, rule } = workerData as { file: string; rule: RuleId }
  const { election } = parsePabulib(readFileSync(`${PABULIB}instances/${file}`, 'utf8'))
  parentPort!.postMessage(measure(election, rule))
}

/**
 * Rules that pabutools could not finish (or took minutes on) run in a worker thread that is
 * stopped after the time limit, so that one slow case cannot hold up the whole benchmark.
 */
function measureInWorker(file: string, rule: RuleId, limitSeconds: number): Promise<Measured> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { file, rule } })
    const timer = setTimeout(() => {
      void worker.terminate()
      resolve({ times: [], error: `timeout: stopped after ${limitSeconds} s` })
    }, limitSeconds * 1000)
    worker.once('message', (m: Measured) => {
      clearTimeout(timer)
      void worker.terminate()
      resolve(m)
    })
    worker.once('error', (error) => {
      clearTimeout(timer)
      resolve({ times: [], error: error.message.slice(0, 80) })
    })
  })
}

/**
 * Untimed calls before any timing, so that timed runs measure V8's optimized code rather than its
 * interpreter and baseline tiers. One pass runs every rule on every file with fewer than
 * WARM_UP_VOTERS voters (except the cases measured in a worker thread, which start cold anyway);
 * then the cases that took under WARM_UP_REPEAT_BELOW_SECONDS are run again, pass after pass, for
 * WARM_UP_SECONDS or WARM_UP_PASSES passes. A single pass is not enough: a small file's call takes
 * a few microseconds, and V8 optimizes a function only after many calls (and again after a
 * deoptimization), so the 200 timed runs of one small case still included unoptimized calls.
 * Each call gets a new Election object, as in measure().
 */
function warmUp(files: string[], expected: Map<string, Expected>, onlyRules: string[] | undefined): void {
  const cases: { election: Election; rule: RuleId; seconds: number }[] = []
  for (const file of files) {
    const reference = expected.get(file)
    if ((reference?.num_voters ?? Number.POSITIVE_INFINITY) >= WARM_UP_VOTERS) continue
    const { election } = parsePabulib(readFileSync(`${PABULIB}instances/${file}`, 'utf8'))
    for (const rule of applicableRules(election.voteType)) {
      if ((onlyRules !== undefined && !onlyRules.includes(rule)) || runsInWorker(reference?.rules[rule]))
        continue
      const t0 = performance.now()
      try {
        count({ ...election }, rule, OUTCOME_ONLY)
      } catch {
        continue
      }
      cases.push({ election, rule, seconds: seconds(t0) })
    }
  }
  const repeated = cases.filter((c) => c.seconds < WARM_UP_REPEAT_BELOW_SECONDS)
  const start = performance.now()
  for (let pass = 0; pass < WARM_UP_PASSES && seconds(start) < WARM_UP_SECONDS; pass++) {
    for (const { election, rule } of repeated) count({ ...election }, rule, OUTCOME_ONLY)
  }
}

/** A markdown table padded the way Biome formats it, so that the committed file passes the lint. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const cells = [header, ...rows].map((row) => row.map((c) => c.replaceAll('|', '\\|')))
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => row[i]!.length)))
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)]
}

if (isMainThread) await main()

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      rules: { type: 'string' },
      files: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      rounds: { type: 'string', default: String(ROUNDS) },
    },
  })
  const limitSeconds = Number(args.timeout)
  const rounds = Number(args.rounds)
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`)
  const onlyRules = args.rules?.split(',')
  const expected = new Map<string, Expected>(
    (JSON.parse(readFileSync(`${PABULIB}expected.json`, 'utf8')).instances as Expected[]).map((i) => [
      i.file,
      i,
    ]),
  )
  const files = readdirSync(`${PABULIB}instances`)
    .filter((f) => f.endsWith('.pb') && (args.files === undefined || f.includes(args.files)))
    .sort()

  const gc = (globalThis as { gc?: () => void }).gc

  warmUp(files, expected, onlyRules)
  const rulesOf = (election: Election) =>
    applicableRules(election.voteType).filter((r) => onlyRules === undefined || onlyRules.includes(r))

  const rows: Row[] = []
  const parses: {
    file: string
    voters: number
    projects: number
    ours: number
    pabutools: number | undefined
    rssMb: number
  }[] = []

  for (const file of files) {
    gc?.()
    const text = readFileSync(`${PABULIB}instances/${file}`, 'utf8')
    const start = performance.now()
    const parsed = parsePabulib(text)
    const parseSeconds = seconds(start)
    const election = parsed.election
    const reference = expected.get(file)
    for (const rule of rulesOf(election)) {
      const ref = reference?.rules[rule]
      const inWorker = runsInWorker(ref)
      const result = inWorker ? await measureInWorker(file, rule, limitSeconds) : measure(election, rule)
      const explained =
        inWorker || result.winners === undefined ? undefined : measure(election, rule, EXPLAINED_PASS)
      const times = result.times
      let note = result.error ?? ''
      let match: Row['match'] = 'n/a'
      if (result.winners === undefined) match = result.error?.startsWith('timeout') ? 'timeout' : 'error'
      else if (ref?.winners) {
        const winners = [...ref.winners].sort()
        if (rule === 'max_welfare_cost') {
          const sameWelfare = result.welfare === String(ref.welfare)
          const sameSet = JSON.stringify(result.winners) === JSON.stringify(winners)
          match = sameWelfare && (ref.unique_optimum !== true || sameSet) ? 'yes' : 'no'
          note = `welfare ${result.welfare}, unique ${String(result.uniqueOptimum)}`
        } else {
          match = JSON.stringify(result.winners) === JSON.stringify(winners) ? 'yes' : 'no'
        }
      } else {
        note = `no reference; ${result.winners.length} funded, cost ${result.totalCost}`
      }
      rows.push({
        file,
        rule,
        first: times[0] ?? Number.NaN,
        best: times.length > 0 ? Math.min(...times) : Number.NaN,
        pabutools: ref?.pabutools_seconds,
        match,
        note,
        winners: result.winners,
        inWorker,
        explained:
          explained !== undefined && explained.times.length > 0 ? Math.min(...explained.times) : Number.NaN,
      })
      process.stdout.write(`${file} ${rule} ${times.map((t) => t.toFixed(4)).join(' ')} ${match}\n`)
    }
    parses.push({
      file,
      voters: parsed.numVoters,
      projects: election.projects.length,
      ours: parseSeconds,
      pabutools: reference?.parse_seconds,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    })
  }

  // The later rounds (ROUNDS): every case timed in the main thread, timed again in the same order.
  for (let round = 2; round <= rounds; round++) {
    process.stdout.write(`round ${round} of ${rounds}\n`)
    for (const file of files) {
      // The worker-thread cases again only where pabutools has a time to compare with (one run each).
      const cases = rows.filter(
        (r) => r.file === file && r.winners !== undefined && (!r.inWorker || typeof r.pabutools === 'number'),
      )
      if (cases.length === 0) continue
      gc?.()
      const { election } = parsePabulib(readFileSync(`${PABULIB}instances/${file}`, 'utf8'))
      for (const row of cases) {
        const result = row.inWorker
          ? await measureInWorker(file, row.rule, limitSeconds)
          : measure(election, row.rule, LATER_PASS)
        if (result.error?.startsWith('timeout')) continue
        if (result.winners === undefined || result.winners.join() !== row.winners!.join()) {
          // Counting is deterministic: another outcome in a later round is a bug, reported as such.
          row.match = 'error'
          row.note = `round ${round}: ${result.error ?? `other winners (${result.winners!.join(' ')})`}`
          continue
        }
        row.best = Math.min(row.best, ...result.times)
        if (!row.inWorker) {
          const explained = measure(election, row.rule, LATER_EXPLAINED_PASS)
          if (explained.times.length > 0) row.explained = Math.min(row.explained, ...explained.times)
        }
        process.stdout.write(`${file} ${row.rule} round ${round}: ${Math.min(...result.times).toFixed(6)}\n`)
      }
    }
  }

  const fmt = (s: number) => (Number.isFinite(s) ? s.toFixed(4) : '-')
  const ratioOf = (row: Row, time: number) =>
    typeof row.pabutools === 'number' && time > 0 ? row.pabutools / time : Number.NaN
  const ratio = (row: Row) => ratioOf(row, row.best)
  const peakRssMb = process.resourceUsage().maxRSS / 1024

  const byRule = new Map<RuleId, Row[]>()
  for (const row of rows) byRule.set(row.rule, [...(byRule.get(row.rule) ?? []), row])
  const summary = [...byRule].map(([rule, list]) => {
    const ratios = list.map(ratio).filter((r) => Number.isFinite(r))
    const explainedRatios = list.map((r) => ratioOf(r, r.explained)).filter((r) => Number.isFinite(r))
    const matched = list.filter((r) => r.match === 'yes').length
    const compared = list.filter((r) => r.match === 'yes' || r.match === 'no' || r.match === 'error').length
    const slowest = list.reduce((a, b) => (b.best > a.best ? b : a))
    return {
      rule,
      matched,
      compared,
      minRatio: ratios.length > 0 ? Math.min(...ratios) : Number.NaN,
      minExplainedRatio: explainedRatios.length > 0 ? Math.min(...explainedRatios) : Number.NaN,
      slowest,
    }
  })

  const lines = [
    '# Counting benchmark',
    '',
    `Generated by \`npm run bench:counting\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${process.platform}/${process.arch}${process.execArgv.length > 0 ? ` (${process.execArgv.join(' ')})` : ''}. "ours" is the best of up to ${RUNS} runs of \`count(election, rule, { explain: false })\` (the outcome, as the CLI computes it without --explain) ` +
      `(repeated while the runs took under ${BUDGET_SECONDS} s in all or were fewer than ${MIN_RUNS}, and a run under ` +
      `${REPEAT_BELOW_SECONDS} s): ` +
      'the steady-state time of a long-running process such as the service, after an untimed warm-up ' +
      `(every rule on the files with fewer than ${WARM_UP_VOTERS.toLocaleString('en-US')} voters, the fast cases repeated ` +
      `for ${WARM_UP_SECONDS} s, and each case whose first call took under ${WARM_UP_REPEAT_BELOW_SECONDS * 1000} ms run ` +
      `untimed for ${CASE_WARM_UP_SECONDS * 1000} ms after it); "first" is the first timed run: one call on a new election in that warmed ` +
      'process (GC and code paths the warm-up did not reach included; the worker-thread cases run cold); ' +
      `then ${rounds - 1} more passes over the files time every case again (for ${LATER_BUDGET_SECONDS} s, at least once, the fast ones ` +
      `after ${LATER_WARM_UP_SECONDS * 1000} ms untimed; the worker-thread cases in a new worker, where pabutools has a time), and "ours" is the best of all passes: this shared machine ` +
      'has slow spells of a few seconds in which everything runs about 1.9x slower. ' +
      '"explained" is the best time of the same count with its explanation and support figures (count()\'s default, what the service returns), ' +
      `timed after it in every pass (for ${LATER_BUDGET_SECONDS} s; in the first, at least ${EXPLAINED_PASS.minRuns} runs), and "explained ratio" = pabutools / explained. ` +
      'Parsing excluded. ' +
      'pabutools times come from ../shared/pabulib/expected.json (CPython, see its README). ' +
      'Ratio = pabutools / ours. Match: same winner set as pabutools (max_welfare_cost: same welfare, ' +
      'and same set when the optimum is unique); n/a: no reference outcome.',
    '',
    '## Summary per rule',
    '',
    ...markdownTable(
      ['rule', 'match', 'min ratio', 'min explained ratio', 'slowest file', 'its seconds'],
      summary.map((s) => [
        s.rule,
        `${s.matched}/${s.compared}`,
        Number.isFinite(s.minRatio) ? s.minRatio.toFixed(0) : '-',
        Number.isFinite(s.minExplainedRatio) ? s.minExplainedRatio.toFixed(0) : '-',
        s.slowest.file,
        fmt(s.slowest.best),
      ]),
    ),
    '',
    `Peak RSS of the whole run: ${peakRssMb.toFixed(0)} MiB.`,
    '',
    '## Parsing',
    '',
    ...markdownTable(
      ['file', 'voters', 'projects', 'ours (s)', 'pabutools (s)', 'RSS after (MiB)'],
      parses.map((p) => [
        p.file,
        String(p.voters),
        String(p.projects),
        fmt(p.ours),
        String(p.pabutools ?? '-'),
        p.rssMb.toFixed(0),
      ]),
    ),
    '',
    '## Rules',
    '',
    ...markdownTable(
      [
        'file',
        'rule',
        'ours (s)',
        'first (s)',
        'explained (s)',
        'pabutools (s)',
        'ratio',
        'explained ratio',
        'match',
        'note',
      ],
      rows.map((r) => {
        const x = ratio(r)
        const xe = ratioOf(r, r.explained)
        return [
          r.file,
          r.rule,
          fmt(r.best),
          fmt(r.first),
          fmt(r.explained),
          String(r.pabutools ?? '-'),
          Number.isFinite(x) ? x.toFixed(0) : '-',
          Number.isFinite(xe) ? xe.toFixed(0) : '-',
          r.match,
          r.note,
        ]
      }),
    ),
    '',
  ]
  mkdirSync(`${REPO}bench/results`, { recursive: true })
  writeFileSync(RESULTS, lines.join('\n'))

  process.stdout.write('\nrule                   match   min ratio  slowest\n')
  for (const s of summary) {
    process.stdout.write(
      `${s.rule.padEnd(22)} ${`${s.matched}/${s.compared}`.padEnd(7)} ${(Number.isFinite(s.minRatio) ? s.minRatio.toFixed(0) : '-').padStart(9)}  ${fmt(s.slowest.best)} s ${s.slowest.file}\n`,
    )
  }
  const slowParse = parses.reduce((a, b) => (b.ours > a.ours ? b : a))
  process.stdout.write(
    `slowest parse ${fmt(slowParse.ours)} s (${slowParse.file}); peak RSS ${peakRssMb.toFixed(0)} MiB; wrote ${RESULTS}\n`,
  )
}
