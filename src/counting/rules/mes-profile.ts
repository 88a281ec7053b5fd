import type { Election } from '../types.js'

/** Which utility a supporter has for a project (README of ../shared/pabulib, "Method of Equal Shares"). */
export type MesUtility = 'cost' | 'cardinality' | 'cardinal' | 'borda'

/**
 * The ballots of an election reduced to what MES needs: voter classes (identical supporter sets and
 * utilities, merged) and, per project, its supporter classes. `unit` means every utility is 1: the
 * cost and cardinality utilities are both run with u = 1, cost utilities only change which projects
 * win a comparison (rho = price / cost), so voters who paid for the same projects hold equal budgets.
 */
export interface MesProfile {
  readonly utility: MesUtility
  readonly unit: boolean
  readonly nProjects: number
  /** Number of voters, empty ballots included: the per-voter budget is B / nVoters. */
  readonly nVoters: number
  readonly nClasses: number
  readonly classWeight: Int32Array
  /** Class c supports classProject[classStart[c] .. classStart[c+1]) with utilities classUtil[…]. */
  readonly classStart: Int32Array
  readonly classProject: Int32Array
  readonly classUtil: Int32Array
  /** Project p is supported by projectClass[projectStart[p] .. projectStart[p+1]), utility projectUtil[…]. */
  readonly projectStart: Int32Array
  readonly projectClass: Int32Array
  readonly projectUtil: Int32Array
  /** Number of voters supporting each project. */
  readonly supporters: Float64Array
}

function ballotUtilities(
  utility: MesUtility,
  projects: readonly number[],
  points: readonly number[] | undefined,
  out: Map<number, number>,
): void {
  out.clear()
  const length = projects.length
  for (let i = 0; i < length; i++) {
    const p = projects[i]!
    if (out.has(p)) continue
    let u = 1
    if (utility === 'cardinal') u = points?.[i] ?? 0
    else if (utility === 'borda') u = length - 1 - i
    if (!Number.isSafeInteger(u) || u < 0)
      throw new RangeError(`MES needs non-negative integer points, got ${u}`)
    if (u > 0) out.set(p, u)
  }
}

export function buildMesProfile(election: Election, utility: MesUtility): MesProfile {
  const nProjects = election.projects.length
  const unit = utility === 'cost' || utility === 'cardinality'
  const byKey = new Map<string, number>()
  const weights: number[] = []
  const lists: [number, number][][] = []
  const utilities = new Map<number, number>()
  let nVoters = 0
  for (const ballot of election.ballots) {
    if (!Number.isSafeInteger(ballot.weight) || ballot.weight < 1) {
      throw new RangeError(`ballot weight must be a positive integer, got ${ballot.weight}`)
    }
    nVoters += ballot.weight
    ballotUtilities(utility, ballot.projects, ballot.points, utilities)
    if (utilities.size === 0) continue
    const list = [...utilities].sort((a, b) => a[0] - b[0])
    const key = unit ? list.map((e) => e[0]).join(',') : list.map((e) => `${e[0]}:${e[1]}`).join(',')
    const c = byKey.get(key)
    if (c === undefined) {
      byKey.set(key, lists.length)
      lists.push(list)
      weights.push(ballot.weight)
    } else {
      weights[c]! += ballot.weight
    }
  }
  // Weights are summed into float64 and Int32 counters: keep every count exact.
  if (nVoters > 2 ** 31 - 1) throw new RangeError('MES supports at most 2^31 - 1 voters')
  const nClasses = lists.length
  const classStart = new Int32Array(nClasses + 1)
  for (let c = 0; c < nClasses; c++) classStart[c + 1] = classStart[c]! + lists[c]!.length
  const total = classStart[nClasses]!
  const classProject = new Int32Array(total)
  const classUtil = new Int32Array(total)
  const projectStart = new Int32Array(nProjects + 1)
  const supporters = new Float64Array(nProjects)
  for (let c = 0; c < nClasses; c++) {
    let i = classStart[c]!
    for (const [p, u] of lists[c]!) {
      classProject[i] = p
      classUtil[i++] = u
      projectStart[p + 1]!++
      supporters[p]! += weights[c]!
    }
  }
  for (let p = 0; p < nProjects; p++) projectStart[p + 1]! += projectStart[p]!
  const fill = projectStart.slice(0, nProjects)
  const projectClass = new Int32Array(total)
  const projectUtil = new Int32Array(total)
  for (let c = 0; c < nClasses; c++) {
    for (let i = classStart[c]!; i < classStart[c + 1]!; i++) {
      const at = fill[classProject[i]!]!++
      projectClass[at] = c
      projectUtil[at] = classUtil[i]!
    }
  }
  return {
    utility,
    unit,
    nProjects,
    nVoters,
    nClasses,
    classWeight: Int32Array.from(weights),
    classStart,
    classProject,
    classUtil,
    projectStart,
    projectClass,
    projectUtil,
    supporters,
  }
}
