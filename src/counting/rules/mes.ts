/**
 * Method of Equal Shares (../shared/pabulib/README.md): mes_cost, mes_cardinality, mes_cardinal,
 * mes_borda, and mes_cost with the add1 completion (mes_cost_add1, mes_cost_add1_greedy).
 * The arithmetic is exact; see mes-engine.ts for how it stays fast.
 *
 * Explanation: steps in funding order, score = rho exact ("p/q"): for mes_cost the price per
 * supporter divided by the cost (1/rho is the effective number of voters, `effectiveVotes`); for the
 * other rules the price per utility point in minor units. Free (cost-0) projects come first with 0.
 *
 * CountOptions (none given: exactly pabutools' outcome):
 * - minSupport: projects below it are removed before the run (below_min_support); they neither
 *   take part nor receive leftover money.
 * - exclusionGroups: once a member is funded the other members are removed (excluded_by_conflict).
 * - categoryQuotas.maxBps: a project whose cost would push a category's spending above maxBps of
 *   the budget is removed, up front or as soon as that happens (category_max_reached).
 * - categoryQuotas.minBps: MES does not force minimums (it would no longer be MES); a category
 *   left below its minimum share is reported in extras.categoryMinimumsUnmet (ids, comma separated).
 * - leftover: `partial_next` gives budget − cost(outcome) to the unfunded project with the most
 *   supporters (ties by tieRank) that was not removed by an option (Outcome.partial);
 *   `carry_over` reports it (Outcome.carryOver).
 * With the add1 rules the options apply in every run of the budget-increment loop, and the greedy
 * completion of mes_cost_add1_greedy respects them too.
 */
import { formatAmount, gcd, gcdOfSafe, perElection, RoundConstraints, withLeftover } from '../profile.js'
import { filled } from '../slab.js'
import type {
  Election,
  Outcome,
  Rule,
  RuleContext,
  RuleId,
  Step,
  Unfunded,
  UnfundedReason,
} from '../types.js'
import { Fate, MesRun, type MesRunResult, runMes } from './mes-engine.js'
import { fractionString } from './mes-exact.js'
import { buildMesProfile, type MesProfile, type MesUtility, retireProfile } from './mes-profile.js'

/** Profiles are immutable and costly on large files (merging 90,000 ballots): one per election and utility. */
const profileOf: Readonly<Record<MesUtility, (election: Election) => MesProfile>> = {
  cost: perElection((election) => buildMesProfile(election, 'cost'), retireProfile),
  cardinality: perElection((election) => buildMesProfile(election, 'cardinality'), retireProfile),
  cardinal: perElection((election) => buildMesProfile(election, 'cardinal'), retireProfile),
  borda: perElection((election) => buildMesProfile(election, 'borda'), retireProfile),
}

interface Setup {
  readonly election: Election
  readonly cost: readonly bigint[]
  /** Some option constrains the run (otherwise no RoundConstraints is built). */
  readonly constrained: boolean
  readonly context: RuleContext
  readonly profile: MesProfile
  readonly eligible: Uint8Array
  /** Reason of projects removed before the run. */
  readonly upfront: (UnfundedReason | undefined)[]
}

const costsOf = perElection((election): readonly bigint[] => election.projects.map((p) => p.cost))

function setup(election: Election, context: RuleContext, utility: MesUtility): Setup {
  const profile = profileOf[utility](election)
  const cost = costsOf(election)
  const { minSupport, exclusionGroups, categoryQuotas } = context.options
  const constrained =
    minSupport !== undefined || (exclusionGroups?.length ?? 0) > 0 || (categoryQuotas?.length ?? 0) > 0
  const P = election.projects.length
  const eligible = filled(new Uint8Array(P), 1)
  const upfront: (UnfundedReason | undefined)[] = new Array(P)
  for (let p = 0; p < P; p++) upfront[p] = undefined
  if (constrained) {
    const constraints = new RoundConstraints(election, context.options, Array.from(profile.supporters))
    for (let p = 0; p < P; p++) {
      upfront[p] = constraints.blocked(p)
      eligible[p] = upfront[p] === undefined ? 1 : 0
    }
  }
  return { election, cost, constrained, context, profile, eligible, upfront }
}

interface RunWithOptions {
  readonly result: MesRunResult
  readonly removed: (UnfundedReason | undefined)[]
  readonly constraints: RoundConstraints | undefined
}

function runOnce(s: Setup, utility: MesUtility, perVoterScaled: bigint, certify = false): RunWithOptions {
  const { election, context, profile } = s
  const constraints = s.constrained
    ? new RoundConstraints(election, context.options, Array.from(profile.supporters))
    : undefined
  // Only the options' hook writes to it.
  const removed: (UnfundedReason | undefined)[] = s.constrained ? [...s.upfront] : s.upfront
  const P = election.projects.length
  const result = runMes({
    profile,
    cost: s.cost,
    budgetScaled: perVoterScaled,
    compareByCost: utility === 'cost',
    tieRank: context.tieRank,
    eligible: s.eligible,
    certify,
    afterFunding:
      constraints === undefined
        ? undefined
        : (p: number) => {
            constraints.fund(p)
            const out: number[] = []
            for (let x = 0; x < P; x++) {
              if (removed[x] !== undefined || x === p) continue
              const why = constraints.blocked(x)
              if (why !== undefined) {
                removed[x] = why
                out.push(x)
              }
            }
            return out
          },
  })
  return { result, removed, constraints }
}

/** Every project not funded (funded[p] === Fate.Funded), with its reason. */
function unfundedOf(
  s: Setup,
  run: RunWithOptions,
  funded: Uint8Array,
  greedyTried: ReadonlySet<number>,
): Unfunded[] {
  const { election } = s
  const out: Unfunded[] = []
  const { result, removed } = run
  for (let p = 0; p < election.projects.length; p++) {
    if (funded[p] === Fate.Funded) continue
    const fate = result.fate[p]!
    const why = removed[p]
    if (why !== undefined) {
      out.push({ project: p, reason: why })
    } else if (fate === Fate.NoSupport || s.profile.supporters[p] === 0) {
      out.push({ project: p, reason: 'no_support' })
    } else if (greedyTried.has(p)) {
      out.push({ project: p, reason: 'did_not_fit' })
    } else {
      const [num, den] = result.remainingSupport(p)
      out.push({
        project: p,
        reason: 'supporters_budget_short',
        detail: {
          supportersBudget: den === 1n ? num.toString() : `${num}/${den}`,
          cost: election.projects[p]!.cost.toString(),
        },
      })
    }
  }
  return out
}

function stepsOf(s: Setup, utility: MesUtility, result: MesRunResult): Step[] {
  const { election, profile } = s
  const n = BigInt(profile.nVoters)
  const steps: Step[] = new Array(result.steps.length)
  const explain = s.context.explain !== false
  for (let i = 0; i < steps.length; i++) {
    const st = result.steps[i]!
    const cost = election.projects[st.project]!.cost
    if (!explain) {
      // The outcome only (RuleContext.explain): no exact score.
      steps[i] = { project: st.project, cost, score: '' }
      continue
    }
    if (st.qNum === 0n) {
      steps[i] = { project: st.project, cost, score: '0', detail: { payers: 0, free: 1 } }
      continue
    }
    const detail: Record<string, string | number> = {
      payers: st.payers,
      poorPayers: st.poorPayers,
      paid: cost.toString(),
    }
    // q is the price per utility unit scaled by n (minor units × n).
    const costN = cost * n
    steps[i] = {
      project: st.project,
      cost,
      score: priceText(st.qNum, st.qDen, costN, utility === 'cost' ? costN : n, profile.unit, detail),
      detail,
    }
  }
  return steps
}

/**
 * The score qNum / (qDen·extra) (qNum/qDen in lowest terms), and with unit utilities
 * detail.effectiveVotes = costN·qDen / qNum, as exact strings. In doubles when every number and
 * product involved is a safe integer (then exact; a BigInt operation costs ~0.1 µs, and these
 * were a good part of a count of a small election), else in BigInt.
 */
function priceText(
  qNum: bigint,
  qDen: bigint,
  costN: bigint,
  extra: bigint,
  unit: boolean,
  detail: Record<string, string | number>,
): string {
  const num = Number(qNum)
  const den = Number(qDen)
  const c = Number(costN)
  const x = Number(extra)
  // A bigint of 2^53 or more converts to a double of 2^53 or more: not a safe integer.
  if (
    Number.isSafeInteger(num) &&
    Number.isSafeInteger(den) &&
    Number.isSafeInteger(c) &&
    Number.isSafeInteger(x)
  ) {
    const g = gcdOfSafe(num, x)
    const d = den * (x / g)
    const g2 = gcdOfSafe(c, num)
    const votes = (c / g2) * den
    if (Number.isSafeInteger(d) && Number.isSafeInteger(votes)) {
      if (unit) detail.effectiveVotes = num === g2 ? String(votes) : `${votes}/${num / g2}`
      return d === 1 ? String(num / g) : `${num / g}/${d}`
    }
  }
  if (unit) {
    const g = gcd(costN, qNum)
    const votesDen = qNum / g
    const votes = (costN / g) * qDen
    detail.effectiveVotes = votesDen === 1n ? votes.toString() : `${votes}/${votesDen}`
  }
  return reducedString(qNum, qDen, extra)
}

/** num / (den·extra) as an ExactString, num/den being in lowest terms: only gcd(num, extra) is left to cancel. */
function reducedString(num: bigint, den: bigint, extra: bigint): string {
  const g = gcd(num, extra)
  const d = (den * extra) / g
  return d === 1n ? (num / g).toString() : `${num / g}/${d}`
}

function categoryMinimumsUnmet(election: Election, context: RuleContext, funded: readonly number[]): string {
  const quotas = context.options.categoryQuotas
  if (quotas === undefined) return ''
  const unmet: string[] = []
  for (const q of quotas) {
    if (q.minBps === undefined || q.minBps <= 0) continue
    let spent = 0n
    for (const p of funded)
      if (election.projects[p]!.categories.includes(q.category)) spent += election.projects[p]!.cost
    if (spent * 10000n < BigInt(q.minBps) * election.budget) unmet.push(q.category)
  }
  return unmet.join(',')
}

/** The leftover receiver of `partial_next`: most supporters, then tieRank, among projects not removed by options. */
function partialCandidate(s: Setup, run: RunWithOptions, funded: Uint8Array): number | undefined {
  let best: number | undefined
  const sup = s.profile.supporters
  const rank = s.context.tieRank
  for (let p = 0; p < s.election.projects.length; p++) {
    if (funded[p] === Fate.Funded || run.removed[p] !== undefined) continue
    if (best === undefined || sup[p]! > sup[best]! || (sup[p] === sup[best] && rank[p]! < rank[best]!))
      best = p
  }
  return best
}

function outcomeOf(
  rule: RuleId,
  s: Setup,
  utility: MesUtility,
  run: RunWithOptions,
  extraSteps: readonly Step[],
  greedyTried: ReadonlySet<number>,
  extras: Record<string, string | number | boolean | null>,
): Outcome {
  const { election, context } = s
  const steps = stepsOf(s, utility, run.result)
  // Fate.Funded for every funded project: the run's fates, one array less per count, unless more
  // steps follow the run (then a copy marks them too).
  let fundedSet = run.result.fate
  if (extraSteps.length > 0) {
    fundedSet = fundedSet.slice()
    for (const st of extraSteps) {
      steps.push(st)
      fundedSet[st.project] = Fate.Funded
    }
  }
  const funded: number[] = new Array(steps.length)
  let totalCost = 0n
  for (let i = 0; i < steps.length; i++) {
    const p = steps[i]!.project
    funded[i] = p
    totalCost += election.projects[p]!.cost
  }
  const leftover = election.budget - totalCost
  const unmet = categoryMinimumsUnmet(election, context, funded)
  if (unmet !== '') extras.categoryMinimumsUnmet = unmet
  const next = context.options.leftover === 'partial_next' ? partialCandidate(s, run, fundedSet) : undefined
  // The outcome only (RuleContext.explain): no reasons, and no supporters' budgets to compute for them.
  const unfunded = context.explain === false ? NO_UNFUNDED : unfundedOf(s, run, fundedSet, greedyTried)
  const outcome: Outcome = hasKeys(extras)
    ? { rule, funded, totalCost, leftover, steps, unfunded, extras }
    : { rule, funded, totalCost, leftover, steps, unfunded }
  return withLeftover(outcome, context.options, leftover, next)
}

const NO_STEPS: readonly Step[] = []
const NO_UNFUNDED: readonly Unfunded[] = []
const NONE_TRIED: ReadonlySet<number> = new Set()

function hasKeys(record: object): boolean {
  for (const _ in record) return true
  return false
}

function plainMes(rule: RuleId, utility: MesUtility): Rule {
  return (election, context) => {
    const s = setup(election, context, utility)
    const run = runOnce(s, utility, election.budget)
    return outcomeOf(rule, s, utility, run, NO_STEPS, NONE_TRIED, {})
  }
}

export const mesCost: Rule = plainMes('mes_cost', 'cost')
export const mesCardinality: Rule = plainMes('mes_cardinality', 'cardinality')
export const mesCardinal: Rule = plainMes('mes_cardinal', 'cardinal')
export const mesBorda: Rule = plainMes('mes_borda', 'borda')

interface Add1 {
  readonly s: Setup
  readonly run: RunWithOptions
  readonly k: bigint
  readonly runs: number
}

function fitsSomething(s: Setup, run: RunWithOptions, onlySupported: boolean): boolean {
  const { election } = s
  const remaining = election.budget - run.result.totalCost
  for (let p = 0; p < election.projects.length; p++) {
    const fate = run.result.fate[p]!
    if (fate === Fate.Funded || run.removed[p] !== undefined) continue
    const cost = election.projects[p]!.cost
    if (onlySupported && (cost === 0n || s.profile.supporters[p] === 0)) continue
    if (cost <= remaining) return true
  }
  return false
}

/**
 * README "MES with the add1 completion": per-voter budget B/n + k for k = 0, 1, 2, … until the
 * outcome overspends (return k - 1) or is exhaustive (return k). Each run also certifies how far
 * the per-voter budget can grow with every decision of the run unchanged (mes-engine.ts,
 * stableFor), and how far with the same sequence of winners (sequenceStableFor), hence the same
 * outcome and the same verdict: those k are skipped, not guessed (src/counting/README.md,
 * Performance). Decisions change whenever a payer who paid its whole budget would start keeping
 * some, which with small currency units (HUF) is every couple of k; the sequence changes far less
 * often. A run also stops as soon as its verdict is sure to be "go on" (MesRunInput.stopBelow):
 * its certificates then cover only the steps taken so far, and reach much further. Józsefváros
 * 2023 needs 63 runs for k = 74,755, Budapest 2024 248 for 22,001, Warszawa 2026 65 for 184
 * (106, 602 and 186 before runs stopped early). (Comparing two runs by monotonicity alone was
 * tried and rarely proves anything: the runner-up is usually too close.)
 */
function add1(election: Election, context: RuleContext): Add1 {
  const s = setup(election, context, 'cost')
  const n = BigInt(s.profile.nVoters)
  const unit = 10n ** BigInt(election.scale)
  const perStep = Number(n * unit)
  let k = 0n
  let previous: { run: RunWithOptions; k: bigint } | undefined
  let runs = 0
  // Without options, a run whose steps all stay certified at the next k is resumed after its last
  // step, or after the steps of its deepest snapshot certified there (MesRunInput.snapshotBelow).
  let engine: MesRun | undefined
  // Whether that engine seeks the sequence certificate: once the loop turns it on, the next run is
  // fresh (its snapshots could otherwise keep an engine without it for the rest of the loop:
  // Amsterdam 179 took 320 runs instead of 124).
  let engineSequence = false
  // How far (in budget increments) fresh runs seek their sequence certificate (mes-engine.ts,
  // horizon): doubled while certificates reach it, halved when they fall far short, never under 64
  // (with 16, 32 or 128 instead, Budapest 2024 takes 5 to 10% more runs: the short reaches are near
  // a change of sequence, where a longer horizon only loosens the bounds).
  let horizon = 64
  // The sequence certificate costs some work per step: used once the loop has taken 16 runs if the
  // sequence changed at most once every 8 increments so far (Budapest 2024 then skips ~40
  // increments per run, Józsefváros 2023 hundreds). (Before runs stopped early, Warszawa 2026 and
  // Toulouse 2024 never used it: their whole sequence changes every 1 to 3 increments, the first
  // steps, up to a stop, far less often.) (After 64 runs instead, Budapest 2024 spent 64
  // runs on its first 210 increments, Amsterdam 179 took 449 runs instead of 150; after 4 or 8,
  // too few changes are seen to judge. Giving it up again when its first 3 runs skipped fewer than
  // 6 increments in all, as before, saved nothing on any file and cost Amsterdam 179 174 more
  // runs: its reaches grow from 1 or 2 near k = 20 to 5 to 17 past k = 300.)
  let sequence = false
  // Runs whose sequence of winners differs from the previous run's: where it changes more often than
  // every 8 increments, the sequence certificate cannot skip much.
  let changes = -1
  // (Resumed runs reuse the engine's arrays: the sequence is copied.) Runs that stopped early
  // (stopBelow) are compared on the steps both took: counting every stop at another step as a
  // change kept Warszawa 2026 from the sequence certificate (122 runs instead of 65, 1.4x the
  // time), though it saved Bemowo 2023 10% of its time (334 runs instead of 306).
  let lastSequence: number[] = []
  let lastWhole = true
  // Certificates cost some work per step too: when the first 32 runs skipped fewer than 8
  // increments in all, the next runs are not certified (the sequence certificate, if tried, is).
  // (Before runs stopped early: Warszawa 2026, Toulouse 2024, Bemowo 2023, Łódź 2022, where every
  // k needed its own run; now only Bemowo 2023, which tries the sequence certificate.)
  let certify = true
  const fresh = (k: bigint, certified: boolean, sequence: boolean, mayStop: boolean) =>
    new MesRun({
      profile: s.profile,
      cost: s.cost,
      budgetScaled: election.budget + k * n * unit,
      compareByCost: true,
      tieRank: context.tieRank,
      eligible: s.eligible,
      certify: certified,
      sequence,
      // Not worth its setup on small elections (a few µs).
      restrict: s.profile.nClasses >= 256,
      // Restrictions judged at k rounded up to an eighth of its power of two: a handful per loop.
      restrictBudget: election.budget + roundUpEighth(k) * n * unit,
      horizon: horizon * perStep,
      snapshotBelow: 3 * perStep,
      // Runs stop once the verdict below is sure to be "go on"; their certificates then cover the
      // steps taken and the verdict.
      ...(mayStop ? { stopBelow: election.budget } : {}),
    })
  for (;;) {
    const T = election.budget + k * n * unit
    let run: RunWithOptions
    let resumed = false
    if (!s.constrained && engineSequence === sequence && engine?.canResume(T)) {
      run = { result: engine.resume(T), removed: [...s.upfront], constraints: undefined }
      resumed = true
    } else if (!s.constrained) {
      engineSequence = sequence
      engine = fresh(k, certify || sequence, sequence, true)
      run = { result: engine.run(), removed: [...s.upfront], constraints: undefined }
    } else {
      run = runOnce(s, 'cost', T, true)
    }
    runs++
    if (run.result.totalCost > election.budget) {
      // k = 0 never overspends: MES with B/n per voter spends at most B.
      const last = previous!
      // A resumed run reused the engine of the previous result, which no longer holds; a stopped
      // run has only its first steps.
      if (last.k === k - 1n && !resumed && !last.run.result.stopped)
        return { s, run: last.run, k: k - 1n, runs }
      // Same decisions as the run at last.k (certified), but report the prices of k - 1; or the
      // whole of a run that stopped early.
      const result = s.constrained
        ? runOnce(s, 'cost', election.budget + (k - 1n) * n * unit, false)
        : {
            result: fresh(k - 1n, false, false, false).run(),
            removed: [...s.upfront],
            constraints: undefined,
          }
      return { s, run: result, k: k - 1n, runs: runs + 1 }
    }
    // A stopped run is sure to leave such a project (MesRunInput.stopBelow).
    if (!run.result.stopped && !fitsSomething(s, run, true)) return { s, run, k, runs }
    if (!sameSequence(lastSequence, lastWhole, run.result)) changes++
    lastSequence = run.result.steps.map((st) => st.project)
    lastWhole = !run.result.stopped
    previous = { run, k }
    const reach = run.result.sequenceStableFor / perStep
    if (sequence && !resumed && !s.constrained) {
      if (reach >= horizon * 0.9) horizon = Math.min(horizon * 2, 2 ** 30)
      else if (reach < horizon / 16) horizon = Math.max(horizon / 2, 64)
    }
    if (runs === 32 && k + 1n - 32n < 8n) certify = false
    if (runs === 16 && k >= 8n * BigInt(changes)) sequence = true
    const skip = Math.ceil(reach * (1 - 1e-12)) - 1
    k += 1n + BigInt(Math.min(Math.max(skip, 0), 2 ** 40))
  }
}

/** k rounded up to a multiple of 2^(bits of k - 3), so that successive runs share a restriction. */
function roundUpEighth(k: bigint): bigint {
  const g = 1n << BigInt(Math.max(0, k.toString(2).length - 3))
  return ((k + g - 1n) / g) * g
}

/** Whether two runs fund the same projects in the same order, as far as a run that stopped early shows. */
function sameSequence(a: readonly number[], aWhole: boolean, b: MesRunResult): boolean {
  const m = Math.min(a.length, b.steps.length)
  // The shorter one ended there, unless it stopped early.
  if (a.length !== b.steps.length && (a.length === m ? aWhole : !b.stopped)) return false
  for (let i = 0; i < m; i++) if (a[i] !== b.steps[i]!.project) return false
  return true
}

function add1Extras(a: Add1): Record<string, string | number | boolean | null> {
  const n = BigInt(a.s.profile.nVoters)
  const unit = 10n ** BigInt(a.s.election.scale)
  return {
    budgetIncrement: a.k.toString(),
    perVoterBudget: fractionString(a.s.election.budget + a.k * n * unit, n * unit),
    runs: a.runs,
  }
}

export const mesCostAdd1: Rule = (election, context) => {
  const a = add1(election, context)
  return outcomeOf('mes_cost_add1', a.s, 'cost', a.run, NO_STEPS, NONE_TRIED, add1Extras(a))
}

/** mes_cost_add1, then the greedy_cost scan (supporters desc, ties by tieRank) over what is left. */
export const mesCostAdd1Greedy: Rule = (election, context) => {
  const a = add1(election, context)
  const { s, run } = a
  const P = election.projects.length
  const sup = s.profile.supporters
  const rank = context.tieRank
  const order: number[] = []
  for (let p = 0; p < P; p++) {
    if (run.result.fate[p] !== Fate.Funded && run.removed[p] === undefined) order.push(p)
  }
  order.sort((x, y) => sup[y]! - sup[x]! || rank[x]! - rank[y]!)
  const constraints = run.constraints
  let remaining = election.budget - run.result.totalCost
  const extraSteps: Step[] = []
  const tried = new Set<number>()
  for (const p of order) {
    if (run.removed[p] !== undefined) continue
    const cost = election.projects[p]!.cost
    if (cost > remaining) {
      tried.add(p)
      continue
    }
    remaining -= cost
    extraSteps.push({
      project: p,
      cost,
      score: String(sup[p]),
      detail: { stage: 'greedy', supporters: sup[p]! },
    })
    if (constraints === undefined) continue
    constraints.fund(p)
    for (const x of order) {
      if (run.removed[x] === undefined && x !== p) {
        const why = constraints.blocked(x)
        if (why !== undefined && !extraSteps.some((st) => st.project === x)) run.removed[x] = why
      }
    }
  }
  const extras = add1Extras(a)
  extras.greedyFunded = extraSteps.length
  extras.greedyCost = formatAmount(
    extraSteps.reduce((t, st) => t + st.cost, 0n),
    election.scale,
  )
  return outcomeOf('mes_cost_add1_greedy', s, 'cost', run, extraSteps, tried, extras)
}
