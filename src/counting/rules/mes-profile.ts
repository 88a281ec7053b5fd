import { filled, Slab } from '../slab.js'
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
  /**
   * Data derived from the profile by the engine (mes-engine.ts) and restrictProfile, kept with it
   * rather than in WeakMaps: a count of a new election builds a new profile, and WeakMap entries
   * cost more (their values also outlive V8's minor GCs).
   */
  readonly cache: ProfileCache
  /**
   * The slabs holding the profile's arrays and those of its first runs (adopt), whose buffers are
   * reused once the profile leaves the perElection cache (retireProfile).
   */
  readonly slabs: Slab[]
}

/**
 * Every field from the start (newCache), so that all caches share one hidden class: added one by
 * one in varying orders they made V8's loads of `cache.arena` megamorphic.
 */
export interface ProfileCache {
  statics: unknown
  arena: unknown
  restrictions: Map<string, RestrictedProfile> | undefined
  /** The order in which restrictProfile visits the classes, with each class's projects ranked (rankedClasses). */
  ranked: RankedClasses | undefined
}

/**
 * Projects ranked by supporters (most first, ties by id), and the classes sorted by the ranks of
 * their first projects: classes that pay for the same early winners come out next to each other.
 */
interface RankedClasses {
  /** The project of each rank. */
  readonly byRank: Int32Array
  /** The classes in that order: their projects' ranks, ascending, in ranks[start[o] .. start[o+1]). */
  readonly order: Int32Array
  readonly start: Int32Array
  readonly ranks: Int32Array
}

function newCache(): ProfileCache {
  return { statics: undefined, arena: undefined, restrictions: undefined, ranked: undefined }
}

/** Runs keep no more slabs than this with their profile; later ones are retired when their count ends. */
const ADOPTED_SLABS = 4

/** Hands `slab` to the profile: its buffer is reused when the profile is retired. False when the profile has enough. */
export function adopt(pr: MesProfile, slab: Slab): boolean {
  if (pr.slabs.length >= ADOPTED_SLABS) return false
  pr.slabs.push(slab)
  return true
}

/**
 * For the perElection cache, when it drops the profile: its slabs' buffers (those of its arrays,
 * its restrictions' shared ones and its first runs') are reused after the count in progress. Nothing
 * may read the profile, its restrictions or its runs afterwards.
 */
export function retireProfile(pr: MesProfile): void {
  // (Pops: setting the length calls a builtin.)
  const slabs = pr.slabs
  while (slabs.length > 0) slabs.pop()!.retire()
}

/**
 * Classes are the ballots as grouped by the parser (Ballot.weight). With unit utilities on ranked
 * or cumulative ballots a class is a set of projects: ballots naming the same set in another order
 * or with other points are merged (they always hold equal budgets), which leaves far fewer classes
 * for the engine to move (Mechanical Turk Ranking_value_8: 76 rankings, 1 set; Kraków 2023
 * Bieńczyce: 1,067 rankings, 736 sets). Written straight into typed arrays sized by the ballot
 * lengths (a profile is built for every count of a new election, so on small ones its allocations
 * were a good part of a count).
 */
export function buildMesProfile(election: Election, utility: MesUtility): MesProfile {
  const nProjects = election.projects.length
  const ballots = election.ballots
  const unit = utility === 'cost' || utility === 'cardinality'
  let entries = 0
  for (let b = 0; b < ballots.length; b++) entries += ballots[b]!.projects.length
  const B = ballots.length
  // Unit utilities on ranked or cumulative ballots: an open-addressing table of the classes by set
  // (a hash of the set, the same in any order: a sum over its projects), at most half full.
  // Approval ballots are grouped by the parser already (the same set in another order is rare):
  // hashing them made a count of the smallest files 9% slower.
  const merge = unit && (election.voteType === 'ordinal' || election.voteType === 'cumulative')
  const tableSize = merge ? 2 ** Math.ceil(Math.log2(2 * B + 2)) : 0
  const slab = new Slab(nProjects, 3 * nProjects + 2 * B + 2 + 4 * entries + tableSize, 0)
  const supporters = slab.f64(nProjects)
  // A ballot's entries with utility > 0, each project once: at most its length.
  const seen = filled(slab.i32(nProjects), -1)
  const table = filled(slab.i32(tableSize), -1)
  let classWeight = slab.i32(B)
  let classStart = slab.i32(B + 1)
  let classProject = slab.i32(entries)
  let classUtil = slab.i32(entries)
  const projectStart = slab.i32(nProjects + 1)
  let nVoters = 0
  let maxUtil = 0
  let nClasses = 0
  let total = 0
  for (let b = 0; b < ballots.length; b++) {
    const ballot = ballots[b]!
    const weight = ballot.weight
    if (!Number.isSafeInteger(weight) || weight < 1) {
      throw new RangeError(`ballot weight must be a positive integer, got ${weight}`)
    }
    nVoters += weight
    const projects = ballot.projects
    const points = ballot.points
    const length = projects.length
    const before = total
    let hash = 0
    for (let i = 0; i < length; i++) {
      const p = projects[i]!
      if (seen[p] === b) continue
      seen[p] = b
      let u = 1
      if (utility === 'cardinal') u = points?.[i] ?? 0
      else if (utility === 'borda') u = length - 1 - i
      if (!Number.isSafeInteger(u) || u < 0)
        throw new RangeError(`MES needs non-negative integer points, got ${u}`)
      if (u === 0) continue
      if (u > maxUtil) maxUtil = u
      classProject[total] = p
      classUtil[total] = u
      total++
      projectStart[p + 1]!++
      supporters[p]! += weight
      if (merge) hash = (hash + mixed(p)) | 0
    }
    if (total === before) continue
    if (merge) {
      // The class of this set, if an earlier ballot named it: its projects are those marked seen = b.
      const size = total - before
      let slot = mixed(hash ^ size) & (tableSize - 1)
      let same = -1
      for (let x = table[slot]!; x >= 0; x = table[slot]!) {
        const from = classStart[x]!
        if (classStart[x + 1]! - from === size) {
          let i = from
          while (i < from + size && seen[classProject[i]!] === b) i++
          if (i === from + size) {
            same = x
            break
          }
        }
        slot = (slot + 1) & (tableSize - 1)
      }
      if (same >= 0) {
        classWeight[same]! += weight
        for (let i = before; i < total; i++) projectStart[classProject[i]! + 1]!--
        total = before
        continue
      }
      table[slot] = nClasses
    }
    classWeight[nClasses] = weight
    classStart[++nClasses] = total
  }
  // Weights are summed into float64 and Int32 counters: keep every count exact.
  if (nVoters > 2 ** 31 - 1) throw new RangeError('MES supports at most 2^31 - 1 voters')
  // Counts N_f = Σ weight·utility are kept in float64 by the engine: they must stay below 2^53.
  if (nVoters * maxUtil >= 2 ** 53) throw new RangeError('MES: voters × utility must stay below 2^53')
  // Empty ballots, zero utilities and repeated projects leave some room (views of the used part).
  if (nClasses < B) {
    classWeight = classWeight.subarray(0, nClasses)
    classStart = classStart.subarray(0, nClasses + 1)
  }
  if (total < entries) {
    classProject = classProject.subarray(0, total)
    classUtil = classUtil.subarray(0, total)
  }
  for (let p = 0; p < nProjects; p++) projectStart[p + 1]! += projectStart[p]!
  const fill = slab.i32(nProjects)
  // (A loop: subarray() makes an object, set() is a builtin call.)
  for (let p = 0; p < nProjects; p++) fill[p] = projectStart[p]!
  const projectClass = slab.i32(total)
  // Unit utilities: classUtil is all ones and serves the other direction too (one write per entry
  // instead of two).
  const projectUtil = unit ? classUtil : slab.i32(total)
  if (unit) transposeClasses(nClasses, classStart, classProject, fill, projectClass)
  else {
    for (let c = 0; c < nClasses; c++) {
      for (let i = classStart[c]!; i < classStart[c + 1]!; i++) {
        const at = fill[classProject[i]!]!++
        projectClass[at] = c
        projectUtil[at] = classUtil[i]!
      }
    }
  }
  return {
    utility,
    unit,
    nProjects,
    nVoters,
    nClasses,
    classWeight,
    classStart,
    classProject,
    classUtil,
    projectStart,
    projectClass,
    projectUtil,
    supporters,
    cache: newCache(),
    slabs: [slab],
  }
}

/** projectClass: the classes of each project, in class order (fill: each project's next slot). */
function transposeClasses(
  nClasses: number,
  classStart: Int32Array,
  classProject: Int32Array,
  fill: Int32Array,
  projectClass: Int32Array,
): void {
  for (let c = 0; c < nClasses; c++) {
    const end = classStart[c + 1]!
    for (let i = classStart[c]!; i < end; i++) projectClass[fill[classProject[i]!]!++] = c
  }
}

/** A 32-bit mix of x (murmur3's finalizer): hashes of sets are sums of these over their projects. */
function mixed(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** A unit profile restricted to some projects (restrictProfile). */
export interface RestrictedProfile {
  readonly profile: MesProfile
  /** The restricted class of each class of the whole profile, -1 for classes left with no project. */
  readonly classOf: Int32Array
}

const scratch = { flat: new Int32Array(0), table: new Int32Array(0) }

/**
 * The unit profile `pr` with only the projects where keep[p] = 1 in the ballots, classes that become
 * identical merged (Łódź 2022: 23,571 classes, 2,638 over the 45 projects its supporters can afford at
 * the start). Project ids, nVoters and `supporters` (counted over the whole ballots) are unchanged; the
 * other projects have no supporter classes. Cached per profile and set of projects.
 */
export function restrictProfile(pr: MesProfile, keep: Uint8Array): RestrictedProfile {
  let byKeep = pr.cache.restrictions
  if (byKeep === undefined) {
    byKeep = new Map()
    pr.cache.restrictions = byKeep
  }
  let key = ''
  for (let p = 0; p < keep.length; p++) key += keep[p] ? '1' : '0'
  const cached = byKeep.get(key)
  if (cached !== undefined) return cached
  const classOf = new Int32Array(pr.nClasses)
  // Restricted sets, as sorted ranks, in one flat array; an open-addressing table by hash finds equal ones.
  // Both are scratch space shared by all calls (large typed arrays cost a GC when allocated often).
  if (scratch.flat.length < pr.classProject.length) scratch.flat = new Int32Array(pr.classProject.length)
  const size = 2 ** Math.ceil(Math.log2(2 * pr.nClasses + 2))
  if (scratch.table.length < size) scratch.table = new Int32Array(size)
  const flat = scratch.flat
  const table = scratch.table
  table.fill(-1, 0, size)
  pr.cache.ranked ??= rankedClasses(pr)
  const { byRank, order, start, ranks } = pr.cache.ranked
  const keptRank = new Uint8Array(pr.nProjects)
  for (let r = 0; r < pr.nProjects; r++) keptRank[r] = keep[byRank[r]!]!
  // Typed and sized for every class (growing arrays by push was 40% of a restriction).
  const starts = new Int32Array(pr.nClasses + 1)
  const weights = new Int32Array(pr.nClasses)
  let nClasses = 0
  let used = 0
  for (let o = 0; o < pr.nClasses; o++) {
    const from = used
    for (let i = start[o]!; i < start[o + 1]!; i++) {
      const r = ranks[i]!
      if (keptRank[r]) flat[used++] = r
    }
    const c = order[o]!
    const len = used - from
    if (len === 0) {
      classOf[c] = -1
      continue
    }
    // Sorted classes often restrict to the set just made: compared first, without hashing.
    let r = nClasses - 1
    let created = false
    if (r >= 0) {
      const xs = starts[r]!
      let same = from - xs === len
      for (let i = 0; i < len && same; i++) same = flat[xs + i] === flat[from + i]
      if (!same) r = -1
    }
    if (r < 0) {
      let h = len
      for (let i = from; i < used; i++) h = Math.imul(h ^ flat[i]!, 0x9e3779b1) ^ (h >>> 15)
      let slot = h & (size - 1)
      for (;;) {
        const x = table[slot]!
        if (x < 0) break
        const xs = starts[x]!
        if (starts[x + 1]! - xs === len) {
          let same = true
          for (let i = 0; i < len && same; i++) same = flat[xs + i] === flat[from + i]
          if (same) {
            r = x
            break
          }
        }
        slot = (slot + 1) & (size - 1)
      }
      if (r < 0) {
        r = nClasses++
        table[slot] = r
        starts[nClasses] = used
        created = true
      }
    }
    if (!created) used = from
    weights[r]! += pr.classWeight[c]!
    classOf[c] = r
  }
  const classStart = starts.slice(0, nClasses + 1)
  const classProject = new Int32Array(used)
  for (let i = 0; i < used; i++) classProject[i] = byRank[flat[i]!]!
  const projectStart = new Int32Array(pr.nProjects + 1)
  for (let i = 0; i < used; i++) projectStart[classProject[i]! + 1]!++
  for (let p = 0; p < pr.nProjects; p++) projectStart[p + 1]! += projectStart[p]!
  const fill = projectStart.slice(0, pr.nProjects)
  const projectClass = new Int32Array(used)
  for (let c = 0; c < nClasses; c++) {
    for (let i = classStart[c]!; i < classStart[c + 1]!; i++) projectClass[fill[classProject[i]!]!++] = c
  }
  const ones = new Int32Array(used).fill(1)
  const restricted: RestrictedProfile = {
    profile: {
      utility: pr.utility,
      unit: true,
      nProjects: pr.nProjects,
      nVoters: pr.nVoters,
      nClasses,
      classWeight: weights.slice(0, nClasses),
      classStart,
      classProject,
      classUtil: ones,
      projectStart,
      projectClass,
      projectUtil: ones,
      supporters: pr.supporters,
      cache: newCache(),
      slabs: [],
    },
    classOf,
  }
  // A handful of sets serve a whole add1 loop; keep the latest few.
  if (byKeep.size >= 8) byKeep.delete(byKeep.keys().next().value!)
  byKeep.set(key, restricted)
  return restricted
}

/**
 * See RankedClasses. Funding a project moves its paying classes between groups of the engine
 * (mes-engine.ts, fund): in this order, neighbouring classes mostly move between the same groups,
 * whose counts then stay in the cache (Warszawa 2026, mes_cost_add1: 12% faster).
 */
function rankedClasses(pr: MesProfile): RankedClasses {
  const P = pr.nProjects
  const byRank = new Int32Array(P)
  for (let p = 0; p < P; p++) byRank[p] = p
  byRank.sort((x, y) => pr.supporters[y]! - pr.supporters[x]! || x - y)
  const rank = new Int32Array(P)
  for (let r = 0; r < P; r++) rank[byRank[r]!] = r
  const nC = pr.nClasses
  // Each class's ranks, sorted (insertion: ballots are short).
  const sorted = new Int32Array(pr.classProject.length)
  for (let c = 0; c < nC; c++) {
    const from = pr.classStart[c]!
    for (let i = from; i < pr.classStart[c + 1]!; i++) {
      const r = rank[pr.classProject[i]!]!
      let j = i
      while (j > from && sorted[j - 1]! > r) {
        sorted[j] = sorted[j - 1]!
        j--
      }
      sorted[j] = r
    }
  }
  // Keys: the first 1 to 4 ranks (P when fewer) in base P + 1, below 2^33, times 2^20 plus the
  // class (when there are fewer than 2^20 classes): a plain numeric sort.
  const order = new Int32Array(nC)
  const levels = Math.max(1, Math.min(4, Math.floor(33 / Math.log2(P + 1))))
  if (nC < 2 ** 20) {
    const keys = new Float64Array(nC)
    for (let c = 0; c < nC; c++) {
      const from = pr.classStart[c]!
      const to = pr.classStart[c + 1]!
      let key = 0
      for (let l = 0; l < levels; l++) key = key * (P + 1) + (from + l < to ? sorted[from + l]! : P)
      keys[c] = key * 2 ** 20 + c
    }
    keys.sort()
    for (let o = 0; o < nC; o++) order[o] = keys[o]! % 2 ** 20
  } else for (let o = 0; o < nC; o++) order[o] = o
  const start = new Int32Array(nC + 1)
  const ranks = new Int32Array(sorted.length)
  let at = 0
  for (let o = 0; o < nC; o++) {
    const c = order[o]!
    for (let i = pr.classStart[c]!; i < pr.classStart[c + 1]!; i++) ranks[at++] = sorted[i]!
    start[o + 1] = at
  }
  return { byRank, order, start, ranks }
}
