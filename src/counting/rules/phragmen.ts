import { formatAmount, gcd, leftoverPolicy, RoundConstraints, supporterCounts } from '../profile.js'
import type { Election, Outcome, Rule, Step, Unfunded } from '../types.js'

/**
 * num / den (num >= 0, den > 0) as a double, also when both are far above 2^1024: both are cut
 * to their top 64 bits or more first (relative error below 2^-52 overall). Loads are at most
 * the budget, so the quotient itself is always a finite double.
 */
function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const bits = Math.min(bitLength(num), bitLength(den))
  const shift = BigInt(Math.max(0, bits - 64))
  return Number(num >> shift) / Number(den >> shift)
}

function bitLength(x: bigint): number {
  return x.toString(16).length * 4
}

/** Ballots as flat typed arrays, and for each project the ballots listing it. */
interface FlatBallots {
  readonly weights: Float64Array
  readonly start: Int32Array
  readonly entries: Int32Array
  readonly supportersStart: Int32Array
  readonly supporters: Int32Array
}

function flatten(election: Election): FlatBallots {
  const ballots = election.ballots
  const start = new Int32Array(ballots.length + 1)
  const weights = new Float64Array(ballots.length)
  const perProject = new Int32Array(election.projects.length + 1)
  ballots.forEach((ballot, b) => {
    start[b + 1] = start[b]! + ballot.projects.length
    weights[b] = ballot.weight
    for (const p of ballot.projects) perProject[p + 1]!++
  })
  const entries = new Int32Array(start[ballots.length]!)
  for (let p = 0; p < election.projects.length; p++) perProject[p + 1]! += perProject[p]!
  const fill = perProject.slice(0, -1)
  const supporters = new Int32Array(entries.length)
  ballots.forEach((ballot, b) => {
    entries.set(ballot.projects, start[b]!)
    for (const p of ballot.projects) supporters[fill[p]!++] = b
  })
  return { weights, start, entries, supportersStart: perProject, supporters }
}

/** Moves the supporters of `project` to load class `to`, updating the per-project class weights and float load sums. */
function moveSupporters(
  ballots: FlatBallots,
  project: number,
  to: number,
  classOf: Int32Array,
  weight: Float64Array,
  classes: number,
  classWeight: Float64Array,
  loads: Float64Array,
  loadSum: Float64Array,
): void {
  const { weights, start, entries, supportersStart, supporters } = ballots
  for (let i = supportersStart[project]!; i < supportersStart[project + 1]!; i++) {
    const b = supporters[i]!
    const from = classOf[b]!
    const w = weights[b]!
    const increment = w * (loads[to]! - loads[from]!)
    for (let j = start[b]!; j < start[b + 1]!; j++) {
      const q = entries[j]!
      weight[q * classes + from]! -= w
      weight[q * classes + to]! += w
      loadSum[q]! += increment
    }
    classWeight[from]! -= w
    classWeight[to]! += w
    classOf[b] = to
  }
}

/**
 * Sequential Phragmén (approval and choose-1 ballots), exact.
 *
 * Loads only take the values of past `t`s, and all supporters of a funded project get the same
 * load, so voters fall into few load classes. Each class k has load N[k] / D over one common
 * denominator D (BigInt), and weight[p][k] counts p's supporters in class k (a safe integer,
 * at most the number of voters). Then, per round and project, sum of loads = (Σ_k weight·N[k]) / D,
 * and t(p) = (Σ_k weight·N[k] + cost·D) / (D · supporters): comparing two t's is one cross-multiplication.
 */
export const phragmen: Rule = (election, context): Outcome => {
  const { tieRank, options } = context
  if (options.categoryQuotas?.some((q) => (q.minBps ?? 0) > 0)) {
    throw new RangeError('phragmen does not support category minimums')
  }
  const projects = election.projects
  const m = projects.length
  const supporters = supporterCounts(election)
  const constraints = new RoundConstraints(election, options, supporters)
  const ballots = flatten(election)

  const unfunded: Unfunded[] = []
  const active: number[] = []
  for (let p = 0; p < m; p++) {
    if (projects[p]!.cost > election.budget) {
      unfunded.push({ project: p, reason: 'did_not_fit', detail: { cost_exceeds_budget: 'true' } })
    } else if (!constraints.isEligible(p)) {
      unfunded.push({ project: p, reason: 'below_min_support' })
    } else {
      active.push(p)
    }
  }

  // Load classes: at most one per funded project plus the initial zero load.
  const classes = m + 1
  const weight = new Float64Array(m * classes)
  const classWeight = new Float64Array(classes)
  const numerators: bigint[] = [0n]
  const loads = new Float64Array(classes)
  const loadSum = new Float64Array(m)
  const floatT = new Float64Array(m)
  const costs = projects.map((p) => Number(p.cost))
  let liveClasses = [0]
  let denominator = 1n
  const classOf = new Int32Array(ballots.weights.length)
  for (let p = 0; p < m; p++) weight[p * classes] = supporters[p]!
  for (const w of ballots.weights) classWeight[0]! += w

  const funded: number[] = []
  const steps: Step[] = []
  let remaining = election.budget
  let stoppedAt: number | undefined

  while (active.length > 0) {
    for (let i = active.length - 1; i >= 0; i--) {
      const reason = constraints.blocked(active[i]!)
      if (reason !== undefined) {
        unfunded.push({ project: active[i]!, reason })
        active.splice(i, 1)
      }
    }
    if (active.length === 0) break

    // Minimal t. A float pass finds the candidates, exact BigInt arithmetic decides among them.
    // loadSum[p] (a double) has only grown by non-negative increments w * (new load - old load),
    // loads being non-decreasing in sequential Phragmén; each increment is off by at most
    // 3 * 2^-53 of w * (new + old load), so loadSum is off by at most 6 * 2^-53 * (updates per
    // voter) of its exact value, the t's by well under 1e-12 relatively: every project whose
    // exact t is minimal has a float t within 1e-9 of the smallest float t.
    let minFloat = Number.POSITIVE_INFINITY
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!
      const s = supporters[p]!
      const t = s === 0 ? Number.POSITIVE_INFINITY : (loadSum[p]! + costs[p]!) / s
      floatT[i] = t
      if (t < minFloat) minFloat = t
    }
    const limit = minFloat * (1 + 1e-9)
    let best: number[] = []
    let bestT = 0n
    let bestS = 0
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!
      if (minFloat === Number.POSITIVE_INFINITY) {
        best.push(p)
        continue
      }
      if (floatT[i]! > limit) continue
      const s = supporters[p]!
      let sum = 0n
      const row = p * classes
      for (const k of liveClasses) {
        const w = weight[row + k]!
        if (w !== 0) sum += BigInt(w) * numerators[k]!
      }
      const t = sum + projects[p]!.cost * denominator
      const left = t * BigInt(bestS)
      const right = bestT * BigInt(s)
      if (bestS === 0 || left < right) {
        best = [p]
        bestT = t
        bestS = s
      } else if (left === right) {
        best.push(p)
      }
    }

    const tooExpensive = best.filter((p) => projects[p]!.cost > remaining)
    if (tooExpensive.length > 0) {
      tooExpensive.sort((a, b) => tieRank[a]! - tieRank[b]!)
      stoppedAt = tooExpensive[0]
      const expensive = new Set(tooExpensive)
      for (const p of active) {
        const reason = expensive.has(p) ? 'did_not_fit' : supporters[p] === 0 ? 'no_support' : 'rule_stopped'
        unfunded.push({ project: p, reason, detail: { left: formatAmount(remaining, election.scale) } })
      }
      break
    }
    const chosen = best.reduce((a, b) => (tieRank[b]! < tieRank[a]! ? b : a))
    active.splice(active.indexOf(chosen), 1)
    funded.push(chosen)
    remaining -= projects[chosen]!.cost
    constraints.fund(chosen)

    if (bestS === 0) {
      steps.push({ project: chosen, cost: projects[chosen]!.cost, score: 'inf', detail: { supporters: 0 } })
      continue
    }
    const den = denominator * BigInt(bestS)
    // New class K with load bestT / den, on the common denominator lcm(D, reduced den).
    const g = gcd(bestT, den)
    const loadNum = bestT / g
    const loadDen = den / g
    steps.push({
      project: chosen,
      cost: projects[chosen]!.cost,
      score: loadDen === 1n ? loadNum.toString() : `${loadNum}/${loadDen}`,
      detail: { supporters: bestS },
    })
    const factor = loadDen / gcd(denominator, loadDen)
    if (factor !== 1n) {
      for (const k of liveClasses) numerators[k] = numerators[k]! * factor
      denominator *= factor
    }
    const K = numerators.length
    numerators.push(loadNum * (denominator / loadDen))
    loads[K] = ratioToNumber(loadNum, loadDen)
    moveSupporters(ballots, chosen, K, classOf, weight, classes, classWeight, loads, loadSum)
    liveClasses.push(K)
    liveClasses = liveClasses.filter((k) => classWeight[k]! > 0)
  }

  return {
    rule: 'phragmen',
    funded,
    totalCost: election.budget - remaining,
    leftover: remaining,
    steps,
    unfunded,
    ...leftoverPolicy(options, remaining, stoppedAt),
  }
}
