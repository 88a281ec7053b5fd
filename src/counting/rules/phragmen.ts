import {
  formatAmount,
  formatFraction,
  leftoverPolicy,
  RoundConstraints,
  supporterCounts,
} from '../profile.js'
import type { Outcome, Rule, Step, Unfunded } from '../types.js'

function gcd(a: bigint, b: bigint): bigint {
  let x = a
  let y = b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
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
  const projects = election.projects
  const m = projects.length
  const supporters = supporterCounts(election)
  const constraints = new RoundConstraints(election, options, supporters)
  const ballots = election.ballots
  const ballotsOf: number[][] = projects.map(() => [])
  ballots.forEach((ballot, b) => {
    for (const p of ballot.projects) ballotsOf[p]!.push(b)
  })

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
  let liveClasses = [0]
  let denominator = 1n
  const classOf = new Int32Array(ballots.length)
  for (let p = 0; p < m; p++) weight[p * classes] = supporters[p]!
  for (const ballot of ballots) classWeight[0]! += ballot.weight

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

    // Minimal t: numerator T over D * supporters; zero-support projects have t = +infinity.
    let best: number[] = []
    let bestT = 0n
    let bestS = 0
    for (const p of active) {
      const s = supporters[p]!
      if (s === 0) {
        if (bestS === 0) best.push(p)
        continue
      }
      let sum = 0n
      const row = p * classes
      for (const k of liveClasses) {
        const w = weight[row + k]!
        if (w !== 0) sum += BigInt(w) * numerators[k]!
      }
      const t = sum + projects[p]!.cost * denominator
      if (bestS === 0) {
        best = [p]
        bestT = t
        bestS = s
        continue
      }
      const left = t * BigInt(bestS)
      const right = bestT * BigInt(s)
      if (left < right) {
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
    steps.push({
      project: chosen,
      cost: projects[chosen]!.cost,
      score: formatFraction(bestT, den),
      detail: { supporters: bestS },
    })

    // New class K with load bestT / den, on the common denominator lcm(D, reduced den).
    const g = gcd(bestT, den)
    const loadDen = den / g
    const factor = loadDen / gcd(denominator, loadDen)
    if (factor !== 1n) {
      for (const k of liveClasses) numerators[k] = numerators[k]! * factor
      denominator *= factor
    }
    const K = numerators.length
    numerators.push((bestT / g) * (denominator / loadDen))
    for (const b of ballotsOf[chosen]!) {
      const from = classOf[b]!
      const w = ballots[b]!.weight
      for (const q of ballots[b]!.projects) {
        weight[q * classes + from]! -= w
        weight[q * classes + K]! += w
      }
      classWeight[from]! -= w
      classWeight[K]! += w
      classOf[b] = K
    }
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
