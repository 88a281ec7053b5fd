import {
  formatAmount,
  gcd,
  gcdOfSafe,
  perElection,
  RoundConstraints,
  supportersOf,
  votersOf,
  withLeftover,
} from '../profile.js'
import { Slab } from '../slab.js'
import type { Election, Outcome, Rule, Step, Unfunded } from '../types.js'

/**
 * num / den (num >= 0, den > 0) as a double, relative error at most about 3 * 2^-53 (each
 * conversion and the division round once). When either is beyond the double range (2^1024),
 * both are first cut to their top 64 bits or more (truncation adds less than 2^-63).
 * Loads are at most the budget, so the quotient itself is always a finite double.
 */
function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const n = Number(num)
  const d = Number(den)
  if (n !== Number.POSITIVE_INFINITY && d !== Number.POSITIVE_INFINITY) return n / d
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
  /** Project costs as doubles (for the float filter only). */
  readonly costs: Float64Array
}

/** The arrays one count writes to. */
interface Workspace {
  readonly classWeight: Float64Array
  /** Weight of one candidate's supporters per class, back to zero after each use. */
  readonly candidateWeight: Float64Array
  readonly loads: Float64Array
  readonly loadSum: Float64Array
  readonly floatT: Float64Array
  readonly classOf: Int32Array
  readonly entries: Int32Array
  readonly ends: Int32Array
  /** No count has written to the arrays yet: they are as freshWorkspace leaves them. */
  fresh: boolean
}

/**
 * Once per election: the flat ballots (read-only) and the workspace, in one slab. Allocating the
 * workspace's typed arrays took longer than the rest of a count of a tiny election: the rule is
 * synchronous (no count of an election starts while another runs), so each election keeps one
 * set, reset at the start of every count but the first.
 */
const arraysOf = perElection(
  (election: Election): { ballots: FlatBallots; work: Workspace; slab: Slab } => {
    const ballots = election.ballots
    const B = ballots.length
    const m = election.projects.length
    let E = 0
    for (const ballot of ballots) E += ballot.projects.length
    const slab = new Slab(B + m + 5 * m + 3, B + 1 + 2 * (m + 1) + 2 * E + 2 * B + E, 0)
    // Doubles first (the slab's views must be taken largest elements first).
    const weights = slab.f64(B)
    const costs = slab.f64(m)
    const classWeight = slab.f64(m + 1)
    const candidateWeight = slab.f64(m + 1)
    const loads = slab.f64(m + 1)
    const loadSum = slab.f64(m)
    const floatT = slab.f64(m)
    const start = slab.i32(B + 1)
    const perProject = slab.i32(m + 1)
    const fill = slab.i32(m + 1)
    const entries = slab.i32(E)
    const supporters = slab.i32(E)
    const work: Workspace = {
      classWeight,
      candidateWeight,
      loads,
      loadSum,
      floatT,
      classOf: slab.i32(B),
      entries: slab.i32(E),
      ends: slab.i32(B),
      fresh: true,
    }
    // Plain loops: forEach inlined by V8 deoptimized on every call once elections of other shapes
    // had been counted (a deopt loop on "wrong map"), which made Phragmén on small files 2x slower.
    for (let b = 0; b < B; b++) {
      const ballot = ballots[b]!
      start[b + 1] = start[b]! + ballot.projects.length
      work.ends[b] = start[b + 1]!
      weights[b] = ballot.weight
      for (const p of ballot.projects) perProject[p + 1]!++
    }
    for (let p = 0; p < m; p++) perProject[p + 1]! += perProject[p]!
    for (let p = 0; p <= m; p++) fill[p] = perProject[p]!
    for (let b = 0; b < B; b++) {
      const projects = ballots[b]!.projects
      // (A loop: set() from an array is a builtin call per ballot.)
      let at = start[b]!
      for (const p of projects) {
        entries[at] = p
        work.entries[at++] = p
        supporters[fill[p]!++] = b
      }
    }
    for (let i = 0; i < m; i++) costs[i] = Number(election.projects[i]!.cost)
    work.classWeight[0] = votersOf(election)
    return {
      ballots: { weights, start, entries, supportersStart: perProject, supporters, costs },
      work,
      slab,
    }
  },
  (arrays) => arrays.slab.retire(),
)

/** The workspace as a count starts with it: everyone in class 0 (load 0), every ballot whole. */
function freshWorkspace(election: Election, ballots: FlatBallots, w: Workspace): Workspace {
  if (w.fresh) {
    w.fresh = false
    return w
  }
  w.classWeight.fill(0)
  w.candidateWeight.fill(0)
  w.loads.fill(0)
  w.loadSum.fill(0)
  w.classOf.fill(0)
  w.entries.set(ballots.entries)
  for (let b = 0; b < w.ends.length; b++) w.ends[b] = ballots.start[b + 1]!
  w.classWeight[0] = votersOf(election)
  return w
}

/**
 * Moves the supporters of the funded `project` to load class `to`, updating the class weights
 * and the float load sums of the projects on their ballots. `entries` and `ends` are this
 * count's copy of the ballots' project lists: the funded project is dropped from them on the
 * way (swapped with the last entry), so later moves only touch projects still in the race.
 */
function moveSupporters(
  ballots: FlatBallots,
  project: number,
  to: number,
  entries: Int32Array,
  ends: Int32Array,
  classOf: Int32Array,
  classWeight: Float64Array,
  loads: Float64Array,
  loadSum: Float64Array,
): void {
  const { weights, start, supportersStart, supporters } = ballots
  const toLoad = loads[to]!
  for (let i = supportersStart[project]!; i < supportersStart[project + 1]!; i++) {
    const b = supporters[i]!
    const from = classOf[b]!
    const w = weights[b]!
    const increment = w * (toLoad - loads[from]!)
    let end = ends[b]!
    for (let j = start[b]!; j < end; j++) {
      const q = entries[j]!
      if (q === project) {
        end--
        entries[j] = entries[end]!
        j--
      } else {
        loadSum[q]! += increment
      }
    }
    ends[b] = end
    classWeight[from]! -= w
    classWeight[to]! += w
    classOf[b] = to
  }
}

/** Removes list[i], keeping the order (splice is a slow runtime call for lists this short). */
function removeAt(list: number[], i: number): void {
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j]!
  list.pop()
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** Exponent per prime of n, by trial division; undefined above 2^32, where that gets slow. */
function factorize(n: number): Map<number, number> | undefined {
  if (n > 2 ** 32) return undefined
  const exponents = new Map<number, number>()
  let rest = n
  for (let p = 2; p * p <= rest; p += p === 2 ? 1 : 2) {
    while (rest % p === 0) {
      exponents.set(p, (exponents.get(p) ?? 0) + 1)
      rest /= p
    }
  }
  if (rest > 1) exponents.set(rest, (exponents.get(rest) ?? 0) + 1)
  return exponents
}

function fractionText(num: number | bigint, den: number | bigint): string {
  return den === 1 || den === 1n ? String(num) : `${num}/${den}`
}

/** D = 1 has no prime factor: the factorization of every new ClassLoads, never written to (recordFactor). */
const NO_PRIMES: Map<number, number> = new Map()

/**
 * The loads of the classes, N[k] / D over one common denominator D, exact. BigInt operations
 * cost some hundred nanoseconds each, so the numbers are doubles while every value formed
 * (numerators, D · supporters, each t's numerator) is a safe integer, where double arithmetic
 * on integers is exact; from the first value that is not, they are BigInts (`widen`).
 */
class ClassLoads {
  /** Numerators in doubles; undefined once widened to BigInt. */
  private small: number[] | undefined = [0]
  private smallDenominator = 1
  private big: bigint[] = []
  private bigDenominator = 1n
  /**
   * The prime factorization of D, or undefined when a factor was too large to factorize. Every
   * prime of D divides some supporter count (D grows by factors of s, see `add`), so it is
   * cheap to keep, and it turns gcd(t, D · s) into a few remainders (see `gcdWithDenominator`).
   */
  private primes: Map<number, number> | undefined = NO_PRIMES

  /**
   * Σ_k weight[k]·N[k] + cost·D over the live classes: t(p) times D · supporters(p). Resets
   * `weight` to zero. The terms are non-negative, so if the double sum is a safe integer, every
   * product and partial sum was below 2^53 and exact.
   */
  numerator(
    weight: Float64Array,
    live: readonly number[],
    cost: bigint,
    costNumber: number,
  ): number | bigint {
    const small = this.small
    if (small !== undefined) {
      let sum = costNumber * this.smallDenominator
      for (const k of live) sum += weight[k]! * small[k]!
      if (sum <= MAX_SAFE) {
        for (const k of live) weight[k] = 0
        return sum
      }
      this.widen()
    }
    let sum = cost * this.bigDenominator
    for (const k of live) {
      const w = weight[k]!
      if (w === 0) continue
      weight[k] = 0
      // Class 0 has load 0.
      if (k !== 0) sum += BigInt(w) * this.big[k]!
    }
    return sum
  }

  /** Sign of tA / sA - tB / sB (both s positive), by cross-multiplication. */
  compare(tA: number | bigint, sA: number, tB: number | bigint, sB: number): number {
    if (typeof tA === 'number' && typeof tB === 'number') {
      const left = tA * sB
      const right = tB * sA
      if (left <= MAX_SAFE && right <= MAX_SAFE) return left - right
    }
    const left = BigInt(tA) * BigInt(sB)
    const right = BigInt(tB) * BigInt(sA)
    return left < right ? -1 : left > right ? 1 : 0
  }

  /**
   * Adds the class of load t / (D · s), t being the numerator of the funded project's t and s
   * its supporters. With g = gcd(t, D · s) the load in lowest terms is (t / g) / (D · s / g);
   * the common denominator becomes lcm(D, D · s / g) = D · factor with factor = s / gcd(s, g)
   * (compare the exponent of each prime: max(0, v(s) - v(g))), and the new numerator over it
   * is t / gcd(s, g). Returns the class index, the exact load as text and as a double.
   */
  add(t: number | bigint, s: number, live: readonly number[]): { index: number; text: string; load: number } {
    const small = this.small
    if (small !== undefined && typeof t === 'number') {
      const denominator = this.smallDenominator * s
      const g = denominator <= MAX_SAFE ? gcdOfSafe(t, denominator) : 0
      const common = gcdOfSafe(s, g % s)
      const factor = s / common
      if (g !== 0 && live.every((k) => small[k]! * factor <= MAX_SAFE)) {
        if (factor !== 1) {
          for (const k of live) small[k] = small[k]! * factor
          this.smallDenominator *= factor
          this.recordFactor(factor)
        }
        small.push(t / common)
        const num = t / g
        const den = denominator / g
        return { index: small.length - 1, text: fractionText(num, den), load: num / den }
      }
      this.widen()
    }
    const big = this.big
    const bigT = BigInt(t)
    const bigS = BigInt(s)
    const denominator = this.bigDenominator * bigS
    const g = this.gcdWithDenominator(bigT, s, denominator)
    const common = gcdOfSafe(s, Number(g % bigS))
    if (common !== s) {
      const factor = BigInt(s / common)
      for (const k of live) big[k] = big[k]! * factor
      this.bigDenominator *= factor
      this.recordFactor(s / common)
    }
    big.push(bigT / BigInt(common))
    const num = bigT / g
    const den = denominator / g
    return { index: big.length - 1, text: fractionText(num, den), load: ratioToNumber(num, den) }
  }

  private recordFactor(factor: number): void {
    let primes = this.primes
    if (primes === undefined) return
    if (primes === NO_PRIMES) {
      primes = new Map()
      this.primes = primes
    }
    const exponents = factorize(factor)
    if (exponents === undefined) {
      this.primes = undefined
      return
    }
    for (const [p, e] of exponents) primes.set(p, (primes.get(p) ?? 0) + e)
  }

  /**
   * gcd(t, D · s) from the factorization of D · s: for each prime power p^e of it, p divides
   * gcd as often as it divides t mod p^e (at most e times). Prime powers are grouped into
   * moduli below 2^53, so each group costs one BigInt remainder; the rest is in doubles.
   */
  private gcdWithDenominator(t: bigint, s: number, denominator: bigint): bigint {
    const ofD = this.primes
    const ofS = factorize(s)
    if (ofD === undefined || ofS === undefined) return gcd(t, denominator)
    const powers = new Map(ofD)
    for (const [p, e] of ofS) powers.set(p, (powers.get(p) ?? 0) + e)
    let g = 1n
    let group: [number, number, number][] = []
    let modulus = 1
    const flush = (): void => {
      const r = Number(t % BigInt(modulus))
      let part = 1
      for (const [p, e, pe] of group) {
        let rest = r % pe
        if (rest === 0) {
          part *= pe
          continue
        }
        for (let i = 0; i < e && rest % p === 0; i++) {
          rest /= p
          part *= p
        }
      }
      if (part !== 1) g *= BigInt(part)
      group = []
      modulus = 1
    }
    for (const [p, e] of powers) {
      let pe = 1
      for (let i = 0; i < e && pe <= MAX_SAFE; i++) pe *= p
      if (pe > MAX_SAFE) return gcd(t, denominator)
      if (modulus * pe > MAX_SAFE) flush()
      group.push([p, e, pe])
      modulus *= pe
    }
    flush()
    return g
  }

  private widen(): void {
    this.big = this.small!.map((n) => BigInt(n))
    this.bigDenominator = BigInt(this.smallDenominator)
    this.small = undefined
  }
}

/**
 * Sequential Phragmén (approval and choose-1 ballots), exact.
 *
 * Loads only take the values of past `t`s, and all supporters of a funded project get the same
 * load, so voters fall into few load classes. Each class k has load N[k] / D over one common
 * denominator D (see ClassLoads). For a project p with weight[k] of its supporters in class k
 * (a safe integer, at most the number of voters, summed over p's supporters when p is a
 * candidate), sum of loads = (Σ_k weight·N[k]) / D and t(p) = (Σ_k weight·N[k] + cost·D) /
 * (D · supporters): comparing two t's is one cross-multiplication.
 */
export const phragmen: Rule = (election, context): Outcome => {
  const { tieRank, options } = context
  if (options.categoryQuotas?.some((q) => (q.minBps ?? 0) > 0)) {
    throw new RangeError('phragmen does not support category minimums')
  }
  const projects = election.projects
  const m = projects.length
  const supporters = supportersOf(election)
  const constraints = new RoundConstraints(election, options, supporters)
  const arrays = arraysOf(election)
  const ballots = arrays.ballots

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
  const { classWeight, candidateWeight, loads, loadSum, floatT, classOf, entries, ends } = freshWorkspace(
    election,
    ballots,
    arrays.work,
  )
  const costs = ballots.costs
  const exact = new ClassLoads()
  const liveClasses = [0]

  /** The numerator of t(p) over D · supporters(p). */
  const exactT = (p: number): number | bigint => {
    const { weights, supportersStart, supporters: members } = ballots
    for (let i = supportersStart[p]!; i < supportersStart[p + 1]!; i++) {
      const b = members[i]!
      candidateWeight[classOf[b]!]! += weights[b]!
    }
    return exact.numerator(candidateWeight, liveClasses, projects[p]!.cost, costs[p]!)
  }

  const funded: number[] = []
  const steps: Step[] = []
  let remaining = election.budget
  let stoppedAt: number | undefined

  while (active.length > 0) {
    for (let i = active.length - 1; i >= 0; i--) {
      const reason = constraints.blocked(active[i]!)
      if (reason !== undefined) {
        unfunded.push({ project: active[i]!, reason })
        removeAt(active, i)
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
    let bestT: number | bigint = 0
    let bestS = 0
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!
      if (minFloat === Number.POSITIVE_INFINITY) {
        best.push(p)
        continue
      }
      if (floatT[i]! > limit) continue
      const s = supporters[p]!
      const t = exactT(p)
      if (bestS === 0) {
        best = [p]
        bestT = t
        bestS = s
        continue
      }
      const sign = exact.compare(t, s, bestT, bestS)
      if (sign < 0) {
        best = [p]
        bestT = t
        bestS = s
      } else if (sign === 0) {
        best.push(p)
      }
    }

    let short = false
    for (const p of best) if (projects[p]!.cost > remaining) short = true
    if (short) {
      const tooExpensive = best.filter((p) => projects[p]!.cost > remaining)
      tooExpensive.sort((a, b) => tieRank[a]! - tieRank[b]!)
      stoppedAt = tooExpensive[0]
      const expensive = new Set(tooExpensive)
      const left = formatAmount(remaining, election.scale)
      for (const p of active) {
        const reason = expensive.has(p) ? 'did_not_fit' : supporters[p] === 0 ? 'no_support' : 'rule_stopped'
        unfunded.push({ project: p, reason, detail: { left } })
      }
      break
    }
    const chosen = best.reduce((a, b) => (tieRank[b]! < tieRank[a]! ? b : a))
    removeAt(active, active.indexOf(chosen))
    funded.push(chosen)
    remaining -= projects[chosen]!.cost
    constraints.fund(chosen)

    if (bestS === 0) {
      steps.push({ project: chosen, cost: projects[chosen]!.cost, score: 'inf', detail: { supporters: 0 } })
      continue
    }
    // When several projects tie, the load and the reported supporters are those of the first
    // one found, as they always were (the load is the same for all of them).
    const { index: K, text, load } = exact.add(bestT, bestS, liveClasses)
    steps.push({
      project: chosen,
      cost: projects[chosen]!.cost,
      score: text,
      detail: { supporters: bestS },
    })
    loads[K] = load
    moveSupporters(ballots, chosen, K, entries, ends, classOf, classWeight, loads, loadSum)
    liveClasses.push(K)
    let live = 0
    for (const k of liveClasses) if (classWeight[k]! > 0) liveClasses[live++] = k
    // (Setting the length calls a builtin; pop() is inlined.)
    while (liveClasses.length > live) liveClasses.pop()
  }
  return withLeftover(
    {
      rule: 'phragmen',
      funded,
      totalCost: election.budget - remaining,
      leftover: remaining,
      steps,
      unfunded,
    },
    options,
    remaining,
    stoppedAt,
  )
}
