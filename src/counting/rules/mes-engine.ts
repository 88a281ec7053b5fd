import { gcdOfSafe } from '../profile.js'
import { filled, retireAfterCount, Slab } from '../slab.js'
import { ratio } from './mes-exact.js'
import { adopt, type MesProfile, restrictProfile } from './mes-profile.js'

/*
 * One run of the Method of Equal Shares (README of ../shared/pabulib), exact and fast.
 *
 * Money is scaled by n (the number of voters): a per-voter budget of B/n minor units is the integer
 * T = B, a cost c is c·n. Voter i's budget is T - Σ q_f·u_i(f) over the funded projects f it
 * supports, or 0 once it has paid its whole budget ("poor"); q_f is the price per utility unit of f.
 * All q_f share one denominator D (q_f = a_f / D), so any budget, and any sum of budgets, is an
 * integer over D computed from integer counts N_f (≤ n·max utility < 2^53, checked) and the a_f.
 *
 * Speed: doubles drive every search and exact bigint arithmetic decides. A double budget carries an
 * error below EB = 4(P+2)·2^-52·T (it is T minus at most P prices, each rounded from an exact value),
 * a sum of m budgets below (m·2^-52·T + EB)·W more; `errQ` bounds the error of a float price. The
 * float price of any poor/rich split is a lower bound of the true price (Σ min(b_i, q·u_i) ≤ Σ_poor b_i
 * + q·Σ_rich u_i), so a lazy heap keyed on (float price - error) / divisor pops every project that may
 * be the minimum; the winner and every project that may tie with it are then computed exactly.
 * Voters are merged into classes (identical ballots); with unit utilities, classes that paid for the
 * same funded projects hold the same budget and are merged into groups, which are kept sorted by
 * budget, so a price is one linear scan.
 */

const EPS = 2 ** -52
/** Horizons H, H/4, H/16, H/64 of the sequence certificate's chords. */
const CHORD_LEVELS = 4

export interface MesRunInput {
  readonly profile: MesProfile
  /** Costs in minor units. */
  readonly cost: readonly bigint[]
  /** Per-voter budget times the number of voters, in minor units. */
  readonly budgetScaled: bigint
  /** mes_cost: projects are compared on price / cost instead of price. */
  readonly compareByCost: boolean
  readonly tieRank: Int32Array
  /** 1 where the project may be funded (options may exclude some up front). */
  readonly eligible: Uint8Array
  /** Called after each funding (cost-0 projects included); returns projects to remove for good. */
  readonly afterFunding?: (project: number) => readonly number[]
  /** Unit utilities only: also compute MesRunResult.stableFor (used by the add1 completion). */
  readonly certify?: boolean
  /**
   * With `certify`: keep a copy of the state before the first paid step whose certificate falls
   * below this (scaled units), and below 4, 16, 64, … times this, for resume(): it resumes from the
   * deepest copy still certified at its budget. (Budapest 2024: the first steps, which move the
   * most voters, often stay certified for hundreds of increments, the later ones for a few.)
   */
  readonly snapshotBelow?: number
  /**
   * With `certify`: the sequence certificate is sought up to this much (scaled units) beyond
   * budgetScaled; voters who paid their whole budget and surely keep nothing that far do not weigh
   * on it. Default: unbounded.
   */
  readonly horizon?: number
  /**
   * With `certify`: also compute MesRunResult.sequenceStableFor beyond stableFor (some more work
   * per step; worth it where decisions change much more often than the sequence of winners).
   */
  readonly sequence?: boolean
  /**
   * Unit utilities, no afterFunding hook: drop the projects the voters cannot afford
   * at the start from the ballots (restrictProfile), worth it when many runs share the restriction.
   */
  readonly restrict?: boolean
  /**
   * With `restrict`: keep the projects affordable at the start with this scaled per-voter budget
   * (at least budgetScaled): runs at nearby budgets then share one restriction.
   */
  readonly restrictBudget?: bigint
  /**
   * The add1 loop's budget B (minor units), for unit utilities without an afterFunding hook: the
   * run stops as soon as its outcome is sure to cost at most B and to leave unfunded a supported
   * project that fits in what is left, i.e. the loop's verdict on it is sure ("raise the
   * budget"). MesRunResult.stopped says so; its steps are then the first steps of the whole run.
   * Sure means: the cheapest project already unaffordable (it stays so: budgets only fall) costs
   * at most B − cost so far − the cost of every project still open (at most what is left to fund).
   * That depends on the steps taken and the projects dropped so far only, so the certificates of a
   * stopped run (which cover those: every dropped project's drop limit is in sequenceStableFor)
   * certify its verdict too, and resume() continues it from where it stopped.
   */
  readonly stopBelow?: bigint
}

export interface MesRunStep {
  readonly project: number
  /** Price per utility unit, scaled by n: qNum / qDen. 0 for free projects. */
  readonly qNum: bigint
  readonly qDen: bigint
  /** Voters who paid, and among them those who paid their whole remaining budget. */
  readonly payers: number
  readonly poorPayers: number
}

export enum Fate {
  Open = 0,
  Funded = 1,
  NoSupport = 2,
  Unaffordable = 3,
  Removed = 4,
  Ineligible = 5,
}

export interface MesRunResult {
  readonly steps: readonly MesRunStep[]
  readonly fate: Uint8Array
  readonly totalCost: bigint
  /** Exact remaining budget of p's supporters (p not funded; 0 for funded ones), in minor units, in lowest terms: [num, den]. */
  remainingSupport(project: number): [bigint, bigint]
  /** The run stopped early (MesRunInput.stopBelow): steps, fate and totalCost are those of that moment. */
  readonly stopped: boolean
  /**
   * With `certify`: the run takes exactly the same decisions (same winners, same poor payers, same
   * drops) for every scaled per-voter budget T' with budgetScaled <= T' < budgetScaled + stableFor.
   * 0 without `certify` (or with non-unit utilities).
   */
  readonly stableFor: number
  /**
   * With `certify`: the run funds exactly the same projects in the same order (poor payers may
   * change) for every T' with budgetScaled <= T' < budgetScaled + sequenceStableFor (>= stableFor).
   */
  readonly sequenceStableFor: number
}

class Heap {
  private readonly keys: Float64Array
  private readonly items: Int32Array
  size = 0
  constructor(keys: Float64Array, items: Int32Array) {
    this.keys = keys
    this.items = items
  }
  get capacity(): number {
    return this.keys.length
  }
  push(key: number, item: number): void {
    const keys = this.keys
    const items = this.items
    let i = this.size++
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (keys[parent]! <= key) break
      keys[i] = keys[parent]!
      items[i] = items[parent]!
      i = parent
    }
    keys[i] = key
    items[i] = item
  }
  topKey(): number {
    return this.keys[0]!
  }
  pop(): number {
    const keys = this.keys
    const items = this.items
    const top = items[0]!
    const n = --this.size
    const key = keys[n]!
    const item = items[n]!
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && keys[child + 1]! < keys[child]!) child++
      if (keys[child]! >= key) break
      keys[i] = keys[child]!
      items[i] = items[child]!
      i = child
    }
    keys[i] = key
    items[i] = item
    return top
  }
}

interface Exact {
  /** Price q = num / den (scaled), den = D·R at the time of computation. */
  num: bigint
  den: bigint
}

/** The state after `paid` paid steps, minus what resume() recomputes (prices, float budgets, search). */
interface Snapshot {
  /** The run's budgetScaled when it was taken (exAt is relative to it). */
  T: bigint
  paid: number
  steps: number
  totalCost: bigint
  nG: number
  /** Counts of the nG groups then in use, row by row (rows kept × nG). */
  cnt: Int32Array<ArrayBuffer>
  /** Per project: its row in cnt, -1 when its counts were not kept (closed for good). */
  rows: Int32Array<ArrayBuffer>
  gW: Float64Array<ArrayBuffer>
  gS: Float64Array<ArrayBuffer>
  gU: Float64Array<ArrayBuffer>
  gL: Float64Array<ArrayBuffer>
  exS: Float64Array<ArrayBuffer>
  exAt: Float64Array<ArrayBuffer>
  exSoon: Uint8Array<ArrayBuffer>
  exW: Float64Array<ArrayBuffer>
  uMax: number
  gNode: number[]
  nNodes: number
  gFree: number[]
  order: Int32Array<ArrayBuffer>
  classGroup: Int32Array
  aliveW: Float64Array
  fate: Uint8Array
  stepOf: Int32Array
}

interface Arena {
  cap: number
  used: number
  cnt: Int32Array<ArrayBuffer>
  gB: Float64Array<ArrayBuffer>
  gS: Float64Array<ArrayBuffer>
  gU: Float64Array<ArrayBuffer>
  gL: Float64Array<ArrayBuffer>
  gW: Float64Array<ArrayBuffer>
  gLive: Float64Array<ArrayBuffer>
  gChild: Int32Array<ArrayBuffer>
  gPoor: Uint8Array<ArrayBuffer>
}

// Shared empty arrays for the group fields until growGroups() replaces them (each new empty typed
// array costs ~0.2 µs, two thirds of a small election's MesRun constructor; writes to them do nothing).
const EMPTY_I32: Int32Array<ArrayBuffer> = new Int32Array(0)
const EMPTY_F64: Float64Array<ArrayBuffer> = new Float64Array(0)
const EMPTY_U8: Uint8Array<ArrayBuffer> = new Uint8Array(0)
// The chords and their horizons of the winner being certified (certifyWinner fills them, chordReach
// reads them), shared by all runs: they never interleave.
const CHORDS = new Float64Array(CHORD_LEVELS)
const REACH = new Float64Array(CHORD_LEVELS)
/** Initial capacity of the step tree's nodes. */
const NODES = 64
/** The largest safe integer, as a bigint: up to it a bigint converts to a double exactly. */
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

/** Per-profile data that does not change between runs (the add1 loop runs MES hundreds of times). */
interface Statics {
  readonly cost: readonly bigint[]
  readonly byCost: boolean
  readonly C: bigint[]
  readonly CF: Float64Array
  readonly div: bigint[]
  readonly divF: Float64Array
  readonly scratch: typeof scratch
}

/**
 * Empty arrays already of the elements kind of what they will hold: an empty literal starts as
 * small integers, and the first object, bigint or fraction pushed changes its map, which made the
 * optimized code of fund() bail out once in every new run (3 to 5 ms each on Warszawa 2026).
 */
function objects<T>(): T[] {
  return OBJECTS.slice() as T[]
}

function doubles(): number[] {
  return DOUBLES.slice()
}

// Templates: a slice keeps their elements kind (and costs what a literal does; setting the length
// of a new array to 0 cost twice as much, 10% of a count of the smallest files).
const OBJECTS: unknown[] = [null]
OBJECTS.length = 0
const DOUBLES = [0.5]
DOUBLES.length = 0
/** The certificate lists of a run that does not certify: nothing reads nor writes them (frozen to be sure). */
const NEVER_WRITTEN: never[] = Object.freeze([]) as unknown as never[]

export function runMes(input: MesRunInput): MesRunResult {
  return new MesRun(input).run()
}

export class MesRun {
  private readonly pr: MesProfile
  /** input.profile; pr is a restriction of it when classOf is set (its class of each whole class). */
  private readonly full: MesProfile
  private readonly classOf: Int32Array | undefined
  /** With classOf: 0 for the projects left out of pr (1 for those kept). */
  private readonly outside: Uint8Array | undefined
  private readonly P: number
  private readonly n: number
  private T: bigint
  private TF: number
  private readonly C: readonly bigint[]
  private readonly CF: Float64Array
  private readonly div: readonly bigint[]
  private readonly divF: Float64Array
  private readonly input: MesRunInput
  private EB: number
  private readonly certify: boolean
  /** Also the sequence certificate (input.sequence). */
  private readonly sequence: boolean
  /** See MesRunResult.stableFor; lowered by every decision that could change with T. */
  private stable = Number.POSITIVE_INFINITY
  /**
   * With `certify`, per paid step: `stable` once it was taken, and what its exact price needs at any
   * T (poor weight, counts N_s of the poor payers' earlier steps, rich weight R), so that resume()
   * can recompute the prefix; dropAt: number of paid steps when a project was found unaffordable.
   */
  private readonly stableAt: number[]
  private readonly stepWP: number[]
  private readonly stepN: Float64Array[]
  private readonly stepR: bigint[]
  private readonly dropAt: Int32Array
  /** Snapshots of this run's steps (shallowest first), kept across resumes that keep their steps. */
  private readonly snaps: Snapshot[]
  /** Per project: a lower bound of rho at T and of its slope in T, from its last computation. */
  private readonly certKey: Float64Array
  private readonly certSlope: Float64Array
  /**
   * Sequence certificate (see MesRunResult.sequenceStableFor): `seqStable`, per project a lower
   * bound of the slope of its rho in T whatever the poor payers (with certKey), the Σ w·(upper
   * slope) of its supporters who paid their whole budget (exS), and for projects found unaffordable
   * how long they surely stay so (dropLimit) and a lower bound of their rho should they become
   * affordable (dropRhoLow).
   */
  private seqStable = Number.POSITIVE_INFINITY
  private readonly certSlopeU: Float64Array
  /**
   * Per project, with its key: the part of its upper slope due to voters who paid their whole
   * budget earlier and may hold some (exS), and how far (scaled units from T) none of them can
   * (exAt then): before that its rho falls at most at certSlopeU, after at certSlopeU + certSlopeX.
   */
  private readonly certSlopeX: Float64Array
  private readonly certExAt: Float64Array
  /**
   * Per project: how far (scaled units from T) every voter counted in exS surely still holds
   * nothing (the least of their slacks over closing rates when they paid their whole budget).
   */
  private readonly exAt: Float64Array
  private readonly exS: Float64Array
  /** Per class: it paid its whole budget and may keep some before the horizon. */
  private readonly exSoon: Uint8Array
  /** Per project: Σ w of its supporters who paid their whole budget and may keep some before the horizon. */
  private readonly exW: Float64Array
  /** An upper bound of every group's gU and every such supporter's upper slope. */
  private uMax = 1
  /** input.horizon, from the current T on (resume() moves T). */
  private horizon: number
  private readonly dropLimit: Float64Array
  private readonly dropRhoLow: Float64Array
  /** Per paid step: seqStable once it was taken (like stableAt). */
  private readonly seqAt: number[]
  /** Q of the winner being funded: an upper bound of -d q / d T of its price along the sequence. */
  private winnerQ = 0
  /** Per project: its last exact price had no poor payer (then it does not depend on T). */
  private readonly noPoor: Uint8Array

  /** MesRunInput.stopBelow where it applies (unit utilities, no hook), else -1n. */
  private readonly stopBelow: bigint = -1n
  /** The last search stopped early (stopBelow). */
  private stopped = false

  private D = 1n
  /** D is the product of these factors, each below 2^53. */
  private readonly dFactors: bigint[] = objects()
  private TD: bigint
  private readonly a: bigint[] = objects()
  private readonly stepProject: number[] = []
  private readonly stepOf: Int32Array
  private readonly steps: MesRunStep[] = objects()
  readonly fate: Uint8Array
  private totalCost = 0n

  private readonly aliveW: Float64Array
  private readonly dirty: Uint8Array
  private readonly heap: Heap
  private readonly cacheNum: (bigint | undefined)[]
  private readonly cacheDen: bigint[]
  private readonly N: Float64Array

  // Unit utilities: groups of classes with equal budgets.
  private gCap = 0
  private nG = 0
  private cnt = EMPTY_I32
  private gB = EMPTY_F64
  /** d budget / d T of each group along the current decisions (>= 1, a sum of non-negative terms). */
  private gS = EMPTY_F64
  /**
   * An upper bound of d budget / d T of each group along the current sequence of winners whatever
   * the poor payers (sequence certificate): 1 + Σ Q_s over the steps s it paid for.
   */
  private gU = EMPTY_F64
  /**
   * A lower bound of d budget / d T of each group over the horizon along the current sequence:
   * 1 + Σ λ_s over the steps s it paid for, λ_s > 0 only when the poor payers of s surely stay poor.
   */
  private gL = EMPTY_F64
  /** λ of the winner being funded. */
  private winnerLambda = 0
  private gW = EMPTY_F64
  /**
   * Without certificates: per group, Σ over its classes of weight × open projects (prune). A group
   * at 0 can never pay again (its voters back no open project): it leaves the budget order, which
   * on Warszawa 2026 was mostly such groups by the middle of a run (every step walks the order).
   */
  private gLive = EMPTY_F64
  private readonly prune: boolean
  /**
   * The paid steps of each group (its pattern), as a node of a tree of steps shared by all groups:
   * node x stands for step nodeStep[x] after the steps of node nodeUp[x] (-1: none). A group that
   * splits hands its node on instead of copying an array (copies were most of a run's garbage).
   */
  private gNode: number[] = []
  private nodeStep = EMPTY_I32
  private nodeUp = EMPTY_I32
  private nNodes = 0
  /** Emptied groups, reused (their counts are all 0). */
  private readonly gFree: number[] = []
  private gChild = EMPTY_I32
  private gPoor = EMPTY_U8
  private order = EMPTY_I32
  private keptBuf = EMPTY_I32
  private movedBuf = EMPTY_I32
  /**
   * orderKey[i]: the budget of order[i] when the order was last rebuilt (sorted; valid when
   * keysValid), so that a step that changes few groups moves only those (rebuildOrder).
   */
  private orderKey = EMPTY_F64
  private keysValid = false
  private spareOrder = EMPTY_I32
  private spareKey = EMPTY_F64
  /** Groups flagged in gPoor by the current step. */
  private readonly poorGroups: number[] = []
  private orderLen = 0
  private readonly classGroup: Int32Array
  // General utilities: one budget per class.
  private readonly cB: Float64Array
  private readonly cPoor: Uint8Array
  // Scratch for gathering a project's supporters.
  private readonly sId: Int32Array
  private readonly sW: Float64Array
  private readonly sU: Float64Array
  private readonly sKey: Float64Array
  private sIdx = EMPTY_I32

  constructor(input: MesRunInput) {
    let pr = input.profile
    this.input = input
    this.full = pr
    if (pr.unit && input.restrict === true && input.afterFunding === undefined) {
      // Projects the supporters cannot afford at the start never can later in the run: runs of the
      // add1 loop drop them from the ballots (fewer, merged classes). Their counts stay in group 0
      // for the first float test, which drops them; the sequence certificate then keeps their drop
      // limit from the start (refreshDropLimit), exact for the whole run.
      const n = BigInt(pr.nVoters)
      const at =
        input.restrictBudget !== undefined && input.restrictBudget > input.budgetScaled
          ? input.restrictBudget
          : input.budgetScaled
      const keep = new Uint8Array(pr.nProjects)
      let dropped = 0
      for (let p = 0; p < pr.nProjects; p++) {
        const cost = input.cost[p]!
        keep[p] = input.eligible[p] && cost > 0n && BigInt(pr.supporters[p]!) * at >= cost * n ? 1 : 0
        if (!keep[p] && pr.supporters[p]! > 0) dropped++
      }
      if (dropped > 0) {
        const restricted = restrictProfile(pr, keep)
        pr = restricted.profile
        this.classOf = restricted.classOf
        this.outside = keep
      }
    }
    this.pr = pr
    this.P = pr.nProjects
    this.n = pr.nVoters
    const n = BigInt(pr.nVoters)
    this.T = input.budgetScaled
    this.TF = Number(this.T)
    this.TD = this.T
    let st = pr.cache.statics as Statics | undefined
    if (st === undefined || st.cost !== input.cost || st.byCost !== input.compareByCost) {
      const cost = input.cost
      const P = cost.length
      const C: bigint[] = new Array(P)
      const floats = new Slab(2 * P, 0, 0)
      adopt(this.full, floats)
      const CF = floats.f64(P)
      for (let p = 0; p < P; p++) {
        C[p] = cost[p]! * n
        CF[p] = Number(C[p]!)
      }
      let div = C
      if (!input.compareByCost) {
        div = new Array(P)
        for (let p = 0; p < P; p++) div[p] = 1n
      }
      const maxSupport = maxClassesPerProject(pr)
      st = {
        cost: input.cost,
        byCost: input.compareByCost,
        C,
        CF,
        div,
        divF: input.compareByCost ? CF : filled(floats.f64(P), 1),
        // Shared by every profile (one object, sized for the largest): not spread, which cost ~2%
        // of a count of the smallest files.
        scratch: gatherScratch(maxSupport),
      }
      pr.cache.statics = st
    }
    this.C = st.C
    this.CF = st.CF
    this.div = st.div
    this.divF = st.divF
    this.EB = 4 * (this.P + 2) * EPS * this.TF
    this.certify = input.certify === true && pr.unit
    this.prune = pr.unit && !this.certify
    this.sequence = this.certify && input.sequence === true
    // Written only when certifying (a new array each costs about as much as a step of a tiny run).
    this.stableAt = this.certify ? doubles() : NEVER_WRITTEN
    this.stepWP = this.certify ? doubles() : NEVER_WRITTEN
    this.seqAt = this.certify ? doubles() : NEVER_WRITTEN
    this.stepN = this.certify ? objects() : NEVER_WRITTEN
    this.stepR = this.certify ? objects() : NEVER_WRITTEN
    this.snaps = this.certify ? objects() : NEVER_WRITTEN
    if (input.stopBelow !== undefined && pr.unit && input.afterFunding === undefined)
      this.stopBelow = input.stopBelow
    // Certificate arrays only when certifying: never read nor written otherwise.
    const P = this.P
    const certified = this.certify ? P : 0
    const nC = pr.nClasses
    const unit = pr.unit
    // Group arrays are reused from run to run (the add1 loop runs MES hundreds of times); the first
    // run of a profile makes them from the slab, for the first few groups.
    const arena = unit ? (this.full.cache.arena as Arena | undefined) : undefined
    const cap = unit && arena === undefined ? Math.min(nC + 1, 256) : 0
    // The budget order's capacity, and the step tree's.
    const oc = unit ? Math.min(nC + 1, 256) : 0
    const nodes = unit ? NODES : 0
    const slab = new Slab(
      10 * certified + 3 * P + (unit ? 0 : nC) + 6 * cap + oc,
      3 * P + (unit ? nC : 0) + 5 * oc + 2 * nodes + cap * (P + 1),
      certified + (this.certify ? nC : 0) + 2 * P + (unit ? 0 : nC) + cap,
    )
    // A run whose slab holds none of the group arrays handed on to the next runs (cap = 0): its
    // arrays die with the count.
    if (!adopt(this.full, slab) && cap === 0) retireAfterCount(slab)
    this.certKey = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.certSlope = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.certSlopeU = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.certSlopeX = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.certExAt = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.exAt = certified > 0 ? slab.f64(certified).fill(Number.POSITIVE_INFINITY) : EMPTY_F64
    this.exS = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.exW = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.dropLimit = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.dropRhoLow = certified > 0 ? slab.f64(certified) : EMPTY_F64
    this.aliveW = slab.f64(P)
    this.aliveW.set(pr.supporters)
    this.N = slab.f64(P)
    const heapKeys = slab.f64(P)
    if (unit) this.orderKey = slab.f64(oc)
    this.cB = unit ? EMPTY_F64 : slab.f64(nC).fill(this.TF)
    if (cap > 0) {
      this.gB = slab.f64(cap)
      this.gS = slab.f64(cap)
      this.gU = slab.f64(cap)
      this.gL = slab.f64(cap)
      this.gW = slab.f64(cap)
      this.gLive = slab.f64(cap)
    }
    this.stepOf = filled(slab.i32(P), -1)
    this.dropAt = slab.i32(P)
    this.heap = new Heap(heapKeys, slab.i32(P))
    this.classGroup = unit ? slab.i32(nC) : EMPTY_I32
    if (unit) {
      this.order = slab.i32(oc)
      this.keptBuf = slab.i32(2 * oc)
      this.movedBuf = slab.i32(2 * oc)
      this.nodeStep = slab.i32(nodes)
      this.nodeUp = slab.i32(nodes)
    }
    if (cap > 0) {
      this.cnt = slab.i32(cap * P)
      this.gChild = filled(slab.i32(cap), -1)
    }
    this.noPoor = certified > 0 ? slab.u8(certified) : EMPTY_U8
    this.exSoon = this.certify ? slab.u8(nC) : EMPTY_U8
    this.fate = slab.u8(P)
    this.dirty = slab.u8(P)
    this.cPoor = unit ? EMPTY_U8 : slab.u8(nC)
    if (cap > 0) {
      this.gPoor = slab.u8(cap)
      this.gCap = cap
    }
    this.horizon = input.horizon ?? Number.POSITIVE_INFINITY
    this.seqStable = this.horizon
    // (Loops: fill() costs more on the few projects of small elections.)
    const cacheNum: (bigint | undefined)[] = new Array(P)
    const cacheDen: bigint[] = new Array(P)
    for (let p = 0; p < P; p++) {
      cacheNum[p] = undefined
      cacheDen[p] = 1n
    }
    this.cacheNum = cacheNum
    this.cacheDen = cacheDen
    // Scratch arrays: runs never interleave (they are synchronous), so one set per profile serves all.
    this.sId = st.scratch.sId
    this.sW = st.scratch.sW
    this.sU = st.scratch.sU
    this.sKey = st.scratch.sKey
    if (pr.unit) {
      if (arena !== undefined) {
        this.full.cache.arena = undefined
        this.gCap = arena.cap
        this.cnt = arena.cnt
        for (let p = 0; p < this.P; p++) this.cnt.fill(0, p * arena.cap, p * arena.cap + arena.used)
        this.gB = arena.gB
        this.gS = arena.gS
        this.gU = arena.gU
        this.gL = arena.gL
        this.gW = arena.gW
        this.gLive = arena.gLive
        this.gChild = arena.gChild
        this.gChild.fill(-1)
        this.gPoor = arena.gPoor
        this.gPoor.fill(0)
      }
      const g = this.newGroup(-1, this.TF, 1, 1, 1)
      for (let p = 0; p < this.P; p++) this.cnt[p * this.gCap + g] = pr.supporters[p]!
      let total = 0
      for (let c = 0; c < pr.nClasses; c++) total += pr.classWeight[c]!
      this.gW[g] = total
      this.order[0] = g
      this.orderLen = 1
    }
  }

  run(): MesRunResult {
    const { P, fate, input } = this
    for (let p = 0; p < P; p++) {
      if (!input.eligible[p]) fate[p] = Fate.Ineligible
      else if (this.aliveW[p] === 0) fate[p] = Fate.NoSupport
    }
    for (let p = 0; p < P; p++) {
      if (fate[p] === Fate.Open && input.cost[p] === 0n) this.fundFree(p)
    }
    if (this.prune) {
      // One group, everyone's: its open projects' supporters.
      const g = this.order[0]!
      let live = 0
      for (let p = 0; p < P; p++) if (fate[p] === Fate.Open) live += this.cnt[p * this.gCap + g]!
      this.gLive[g] = live
    }
    return this.search()
  }

  /**
   * With `certify` and no afterFunding hook: whether resume(T) may serve budgetScaled T, i.e. every
   * paid step of this run is certified to stay the same at T.
   */
  canResume(T: bigint): boolean {
    return this.resumeAt(T) > 0
  }

  /** The number of paid steps resume(T) keeps, 0 if none. */
  private resumeAt(T: bigint): number {
    const L = this.a.length
    if (!this.certify || this.input.afterFunding !== undefined || L === 0 || T <= this.T) return 0
    const d = Number(T - this.T)
    // Not when the kept steps' sequence certificate (capped by the horizon, which resumes do not
    // move) ends within d/2 after T: a fresh run at T usually certifies further, its horizon starting
    // at T, and a chain of resumes would soon certify no more than the decisions (Amsterdam 179).
    const room = (paid: number) => !this.sequence || 2 * (this.seqAt[paid - 1]! - d) >= d
    if (d < this.stableAt[L - 1]! && room(L)) return L
    for (let i = this.snaps.length - 1; i >= 0; i--) {
      const paid = this.snaps[i]!.paid
      if (paid > 0 && d < this.stableAt[paid - 1]! && room(paid)) return paid
    }
    return 0
  }

  private restore(snap: Snapshot): void {
    // Counts go back into the live array (its capacity only grew since), the columns of groups made
    // after the snapshot emptied; the other arrays of the snapshot, used once, are taken over.
    const cap = this.gCap
    const nG = snap.nG
    const cnt = this.cnt
    const saved = snap.cnt
    for (let p = 0; p < this.P; p++) {
      const row = p * cap
      const from = snap.rows[p]! * nG
      if (from >= 0) for (let g = 0; g < nG; g++) cnt[row + g] = saved[from + g]!
      if (this.nG > nG) cnt.fill(0, row + nG, row + this.nG)
    }
    this.nG = nG
    this.gW = widened(snap.gW, cap)
    this.gS = widened(snap.gS, cap)
    this.gU = widened(snap.gU, cap)
    this.gL = widened(snap.gL, cap)
    this.exS.set(snap.exS)
    this.exAt.set(snap.exAt)
    // Taken at an earlier T when this run was resumed since: exAt relative to this.T, as the others.
    const since = Number(this.T - snap.T)
    if (since > 0)
      for (let p = 0; p < this.exAt.length; p++) this.exAt[p] = Math.max(0, this.exAt[p]! - since)
    this.exSoon.set(snap.exSoon)
    this.exW.set(snap.exW)
    this.uMax = snap.uMax
    this.gB = new Float64Array(cap)
    this.gChild = new Int32Array(cap).fill(-1)
    this.gPoor = new Uint8Array(cap)
    this.gNode = snap.gNode
    this.nNodes = snap.nNodes
    this.gFree.length = 0
    this.gFree.push(...snap.gFree)
    this.order = snap.order
    this.orderLen = snap.order.length
    this.keysValid = false
    this.classGroup.set(snap.classGroup)
    this.aliveW.set(snap.aliveW)
    this.fate.set(snap.fate)
    this.stepOf.set(snap.stepOf)
    this.totalCost = snap.totalCost
    this.steps.length = snap.steps
    this.stepProject.length = snap.paid
    this.stepWP.length = snap.paid
    this.stepN.length = snap.paid
    this.stepR.length = snap.paid
  }

  private takeSnapshot(p: number, paid: number): void {
    const used = this.order.subarray(0, this.orderLen)
    const stepOf = this.stepOf.slice()
    stepOf[p] = -1
    // The counts of the groups in use only (the capacity can be 8 times more: Budapest 2024), of the
    // projects that can be open after resume(): open ones and those dropped at this step (the others'
    // counts are no longer kept).
    const nG = this.nG
    const cap = this.gCap
    const { fate, dropAt } = this
    const rows = new Int32Array(this.P).fill(-1)
    let kept = 0
    for (let x = 0; x < this.P; x++) {
      if (fate[x] === Fate.Open || (fate[x] === Fate.Unaffordable && dropAt[x] === paid)) rows[x] = kept++
    }
    const cnt = new Int32Array(kept * nG)
    for (let x = 0; x < this.P; x++) {
      if (rows[x]! < 0) continue
      const row = x * cap
      const to = rows[x]! * nG
      for (let g = 0; g < nG; g++) cnt[to + g] = this.cnt[row + g]!
    }
    this.snaps.push({
      T: this.T,
      paid,
      steps: this.steps.length,
      totalCost: this.totalCost,
      nG,
      cnt,
      rows,
      gW: this.gW.slice(),
      gS: this.gS.slice(),
      gU: this.gU.slice(),
      gL: this.gL.slice(),
      exS: this.exS.slice(),
      exAt: this.exAt.slice(),
      exSoon: this.exSoon.slice(),
      exW: this.exW.slice(),
      uMax: this.uMax,
      gNode: this.gNode.slice(),
      nNodes: this.nNodes,
      gFree: this.gFree.slice(),
      order: used.slice(),
      classGroup: this.classGroup.slice(),
      aliveW: this.aliveW.slice(),
      fate: this.fate.slice(),
      stepOf,
    })
  }

  /**
   * The run at budgetScaled T (canResume(T)), reusing this run's paid steps: they take the same
   * decisions at T, so the groups, counts and poor sets are unchanged; only the exact prices (and the
   * float budgets from them) are recomputed, by the same operations as a fresh run at T, and the
   * search resumes after the last step. This run's earlier result must not be used any more.
   */
  resume(T: bigint): MesRunResult {
    const L = this.resumeAt(T)
    this.poorOf = -1
    if (L < this.a.length) {
      // Snapshots of the steps redone are stale; the one restored gives its arrays away.
      this.restore(this.snaps.find((snap) => snap.paid === L)!)
      let kept = 0
      for (const snap of this.snaps) if (snap.paid < L) this.snaps[kept++] = snap
      this.snaps.length = kept
    }
    const d = Number(T - this.T)
    // Each kept step was certified for [T0, T0 + stableAt): what is left from T on (rounded down by
    // far more than 2^-53), step by step, so that a later resume may still stop at a snapshot.
    const shrink = 1 - 2 ** -40
    const stableAt = this.stableAt.slice(0, L).map((x) => (x - d) * shrink)
    this.stableAt.length = 0
    this.stable = stableAt[L - 1]!
    // The kept steps keep their sequence certificate; so do the projects dropped among them, from
    // the new T on.
    this.horizon -= d
    const seqAt = this.seqAt.slice(0, L).map((x) => Math.max(0, Math.min((x - d) * shrink, this.horizon)))
    this.seqAt.length = 0
    this.seqStable = seqAt[L - 1]!
    for (let p = 0; p < this.P; p++) {
      if (this.fate[p] === Fate.Unaffordable && this.dropAt[p] < L) this.dropLimit[p]! -= d
    }
    for (let p = 0; p < this.exAt.length; p++) this.exAt[p] = Math.max(0, this.exAt[p]! - d)
    this.T = T
    this.TF = Number(T)
    this.EB = 4 * (this.P + 2) * EPS * this.TF
    this.D = 1n
    this.TD = T
    this.dFactors.length = 0
    this.supportNum = undefined
    const a = this.a
    a.length = 0
    const oldSteps = this.steps.slice()
    this.steps.length = 0
    const qFs = new Float64Array(L)
    let paid = 0
    for (const st of oldSteps) {
      if (!(st instanceof PricedStep)) {
        this.steps.push(st)
        continue
      }
      const j = paid++
      const p = st.project
      const Nj = this.stepN[j]!
      let base = this.C[p]! * this.D - BigInt(this.stepWP[j]!) * this.TD
      for (let s = 0; s < j; s++) {
        const x = Nj[s]!
        if (x !== 0) base += a[s]! * BigInt(x)
      }
      const R = this.stepR[j]!
      const g = smallGcd(base, R)
      const num = base / g
      const factor = R / g
      const den = this.D * factor
      if (factor !== 1n) {
        for (let s = 0; s < a.length; s++) a[s] = a[s]! * factor
        this.D = den
        this.TD = T * den
        this.dFactors.push(factor)
      }
      a.push(num)
      qFs[j] = ratio(num, den)
      this.steps.push(new PricedStep(p, num, den, this.dFactors.slice(), st.payers, st.poorPayers))
      this.stableAt.push(stableAt[j]!)
      this.seqAt.push(seqAt[j]!)
    }
    const { order, gB, gNode, nodeStep, nodeUp } = this
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      let b = this.TF
      for (let x = gNode[g]!; x >= 0; x = nodeUp[x]!) b -= qFs[nodeStep[x]!]!
      gB[g] = b
    }
    const sorted = Array.from(order.subarray(0, this.orderLen)).sort((x, y) => gB[x]! - gB[y]!)
    order.set(sorted)
    this.keysValid = false
    const { P, fate } = this
    for (let p = 0; p < P; p++) {
      if (fate[p] === Fate.Unaffordable && this.dropAt[p] === L) fate[p] = Fate.Open
      this.cacheNum[p] = undefined
    }
    this.heap.size = 0
    return this.search()
  }

  private search(): MesRunResult {
    const { P, fate, input } = this
    this.stopped = false
    for (let p = 0; p < P; p++) {
      if (fate[p] !== Fate.Open) continue
      const key = this.floatKey(p)
      if (key >= 0) this.heap.push(key, p)
    }
    const heap = this.heap
    // The projects priced exactly at this step: candidates[0 .. nCandidates).
    const candidates: number[] = []
    let nCandidates = 0
    while (heap.size > 0) {
      // Before each step, so that a resumed run stops where a fresh one would (or goes on).
      if (this.stopBelow >= 0n && this.sureToGoOn()) {
        this.stopped = true
        break
      }
      let best = -1
      let bestNum = 0n
      let bestDen = 1n
      let bound = Number.POSITIVE_INFINITY
      nCandidates = 0
      while (heap.size > 0 && heap.topKey() <= bound) {
        const p = heap.pop()
        if (fate[p] !== Fate.Open) continue
        if (this.dirty[p]) {
          const key = this.floatKey(p)
          if (key >= 0) heap.push(key, p)
          continue
        }
        const ex = this.exactOf(p)
        if (ex === undefined) {
          fate[p] = Fate.Unaffordable
          this.closeLive(p)
          this.dropAt[p] = this.a.length
          // Exactly unaffordable, but too close for the float test: no margin left to certify.
          if (this.certify) {
            this.stable = 0
            // No margin: certifyWinner and sequenceStable look at it again.
            this.dropLimit[p] = 0
            this.dropRhoLow[p] = 0
          }
          continue
        }
        candidates[nCandidates++] = p
        // compare num/(den·div) values exactly
        const num = ex.num
        const den = ex.den * this.div[p]!
        if (best < 0) {
          best = p
          bestNum = num
          bestDen = den
        } else {
          const lhs = num * bestDen
          const rhs = bestNum * den
          if (lhs < rhs || (lhs === rhs && input.tieRank[p]! < input.tieRank[best]!)) {
            best = p
            bestNum = num
            bestDen = den
          }
        }
        bound = ratio(bestNum, bestDen) * (1 + 8 * EPS)
      }
      if (best < 0) break
      for (let i = 0; i < nCandidates; i++) {
        const p = candidates[i]!
        if (p !== best) heap.push(this.lowerKeyOfCache(p), p)
      }
      this.fund(best)
    }
    if (this.pr.unit) {
      // Explanations later read classGroup and gNode only: the counts can serve the next run.
      this.full.cache.arena = {
        cap: this.gCap,
        used: this.nG,
        cnt: this.cnt,
        gB: this.gB,
        gS: this.gS,
        gU: this.gU,
        gL: this.gL,
        gW: this.gW,
        gLive: this.gLive,
        gChild: this.gChild,
        gPoor: this.gPoor,
      }
    }
    return {
      steps: this.steps,
      fate,
      totalCost: this.totalCost,
      stopped: this.stopped,
      remainingSupport: (p) => this.remainingSupport(p),
      // Without `certify`, nothing is certified beyond budgetScaled itself.
      stableFor: this.certify ? this.stable : 0,
      sequenceStableFor: this.sequence
        ? Math.max(this.stable, this.sequenceStable())
        : this.certify
          ? this.stable
          : 0,
    }
  }

  /**
   * MesRunInput.stopBelow: whether the outcome is sure to cost at most B and to leave a supported
   * project that fits in what is left. The cheapest unaffordable supported project stays unfunded
   * (budgets only fall), and the steps to come fund open projects only: it fits if
   * cost(it) + cost(every open project) <= B − cost so far. (Bounding what is left to spend by
   * the budgets of the voters who support an open project as well stopped Bemowo 2023's runs 1%
   * sooner, Warszawa 2026's and Toulouse 2024's not at all.)
   */
  private sureToGoOn(): boolean {
    const { fate, CF, P } = this
    const supporters = this.full.supporters
    let open = 0
    let dead = Number.POSITIVE_INFINITY
    for (let x = 0; x < P; x++) {
      const f = fate[x]!
      if (f === Fate.Open) open += CF[x]!
      else if (f === Fate.Unaffordable && supporters[x]! > 0 && CF[x]! > 0 && CF[x]! < dead) dead = CF[x]!
    }
    if (dead === Number.POSITIVE_INFINITY) return false
    // Costs times n, in doubles: each term and sum is within a relative 2^-45 of the exact one,
    // far inside the margin.
    const left = Number(this.stopBelow - this.totalCost) * this.n
    return dead + open <= left - 1e-9 * (Math.abs(left) + open + dead)
  }

  private lowerKeyOfCache(p: number): number {
    const v = ratio(this.cacheNum[p]!, this.cacheDen[p]! * this.div[p]!)
    return v * (1 - 8 * EPS)
  }

  private fundFree(p: number): void {
    this.fate[p] = Fate.Funded
    this.steps.push({ project: p, qNum: 0n, qDen: 1n, payers: 0, poorPayers: 0 })
    this.removeAfter(p)
  }

  private removeAfter(p: number): void {
    const hook = this.input.afterFunding
    if (hook === undefined) return
    for (const r of hook(p)) {
      if (this.fate[r] === Fate.Open) {
        this.fate[r] = Fate.Removed
        this.closeLive(r)
      }
    }
  }

  // ---- groups (unit utilities) ----

  /** Open project x was closed (not funded): its supporters' groups lose it (gLive). */
  private closeLive(x: number): void {
    if (!this.prune) return
    const { order, cnt, gLive } = this
    const row = x * this.gCap
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      gLive[g]! -= cnt[row + g]!
    }
  }

  private growGroups(cap: number): void {
    const P = this.P
    const cnt = new Int32Array(cap * P)
    const old = this.gCap
    for (let p = 0; p < P && old > 0; p++) cnt.set(this.cnt.subarray(p * old, (p + 1) * old), p * cap)
    this.cnt = cnt
    this.gB = widened(this.gB, cap)
    this.gS = widened(this.gS, cap)
    this.gU = widened(this.gU, cap)
    this.gL = widened(this.gL, cap)
    this.gW = widened(this.gW, cap)
    this.gLive = widened(this.gLive, cap)
    this.gChild = widened(this.gChild, cap, -1)
    this.gPoor = widened(this.gPoor, cap)
    this.gCap = cap
  }

  /** The node of `step` after `up`. */
  private newNode(step: number, up: number): number {
    if (this.nNodes === this.nodeStep.length) {
      const size = Math.max(64, 2 * this.nNodes)
      this.nodeStep = widened(this.nodeStep, size)
      this.nodeUp = widened(this.nodeUp, size)
    }
    const x = this.nNodes++
    this.nodeStep[x] = step
    this.nodeUp[x] = up
    return x
  }

  private newGroup(
    pattern: number,
    budget: number,
    slope: number,
    slopeUp: number,
    slopeLow: number,
  ): number {
    let g = this.gFree.pop()
    if (g === undefined) {
      // Not a power of two: rows of cnt a power-of-two apart would share the same cache sets.
      if (this.nG === this.gCap) this.growGroups(this.gCap * 2 + 16)
      g = this.nG++
    }
    this.gNode[g] = pattern
    this.gB[g] = budget
    this.gS[g] = slope
    this.gU[g] = slopeUp
    this.gL[g] = slopeLow
    this.gW[g] = 0
    this.gLive[g] = 0
    this.gChild[g] = -1
    return g
  }

  // ---- float search ----

  /** A lower bound of p's comparison value (rho), or -1 when p is surely unaffordable (then dropped). */
  private floatKey(p: number): number {
    this.dirty[p] = 0
    this.cacheNum[p] = undefined
    const W = this.aliveW[p]!
    if (W === 0) {
      this.fate[p] = Fate.Unaffordable
      this.dropAt[p] = this.a.length
      if (this.sequence) this.recordDrop(p, this.CF[p]!, 0)
      return -1
    }
    const C = this.CF[p]!
    let Pb = 0
    let m = 0
    let q = Number.NaN
    let R = 0
    let Ps = 0
    let Pu = 0
    if (this.pr.unit) {
      q = this.unitSplit(p, W)
      Pb = this.spPb
      m = this.spM
      R = this.spR
      Ps = this.spPs
      Pu = this.spPu
    } else {
      // Water-filling without sorting: the classes whose budget per utility point (sKey) is below
      // the price pay their whole budget. Each pass adds those below the current price, which only
      // rises (what they add is less than the price would take from them), to the same fixed point
      // as a scan in sKey order; usually within two or three passes, where sorting every
      // gathering was a third of mes_cardinal on Zurich D10. Ru is exact (sums of integer
      // products), and Pb sums the same terms in another order: the same error bounds hold.
      const k = this.gatherClasses(p)
      const { sW, sU, sKey } = this
      let Ru = 0
      for (let j = 0; j < k; j++) Ru += sW[j]! * sU[j]!
      let poor = 0
      while (poor < k) {
        const x = (C - Pb) / Ru
        let added = 0
        for (let j = 0; j < k; j++) {
          if (sKey[j]! < x) {
            Pb += sW[j]! * sKey[j]! * sU[j]!
            Ru -= sW[j]! * sU[j]!
            // Marked as paid up (the gathered entries are rebuilt by the next gathering).
            sKey[j] = Number.POSITIVE_INFINITY
            added++
          }
        }
        if (added === 0) {
          q = x
          R = Ru
          break
        }
        poor += added
      }
      // The terms of Pb, plus one, as the scan in sKey order counted them.
      m = poor + 1
    }
    const errSum = (m * EPS * this.TF + this.EB) * W
    if (Number.isNaN(q)) {
      if (Pb + 2 * errSum < C * (1 - 4 * EPS)) {
        this.fate[p] = Fate.Unaffordable
        this.closeLive(p)
        this.dropAt[p] = this.a.length
        if (this.certify) this.certifyDrop(C - Pb - 2 * errSum, Ps)
        if (this.sequence) this.recordDrop(p, C - Pb - 2 * errSum, Pu)
        return -1
      }
      // Too close to call: let the exact computation decide when p is popped.
      if (this.certify) {
        this.certKey[p] = 0
        this.certSlope[p] = Number.NEGATIVE_INFINITY
        this.certSlopeU[p] = Number.NEGATIVE_INFINITY
        this.certSlopeX[p] = 0
      }
      return 0
    }
    const errQ = 4 * ((errSum + EPS * C) / R + EPS * q)
    const low = Math.max(((q - errQ) / this.divF[p]!) * (1 - 4 * EPS), 0)
    // rho of this split moves with T at slope -Ps / (R·div) (a sum of non-negative terms: relative error
    // below (m + P + 4)·2^-52, far below the 1e-9 taken).
    if (this.certify) this.setCertKey(p, low, R, Ps, Pu)
    return low
  }

  /**
   * p's certificate key: `low` and how it moves with T, from a split with rich weight R whose poor
   * payers' budgets grow at Ps (upper bound Pu). rho(T) >= rho(T0) - d·Σ_poor S_i / (R·div)
   * whatever the poor payers (README of mes.ts, add1), and the voters who paid their whole budget
   * add their exS once they may hold some (exAt).
   */
  private setCertKey(p: number, low: number, R: number, Ps: number, Pu: number): void {
    const scale = (1 + 1e-9) / (R * this.divF[p]!)
    this.certKey[p] = low
    this.certSlope[p] = -Ps * scale
    this.certSlopeU[p] = -Pu * scale
    this.certSlopeX[p] = -this.exS[p]! * scale
    this.certExAt[p] = this.exAt[p]!
  }

  /** unitSplit's sums: budgets, entries, rich weight, slopes and upper slopes of the poor. */
  private spPb = 0
  private spM = 0
  private spR = 0
  private spPs = 0
  private spPu = 0

  /**
   * Unit utilities: the float price of p (whose alive weight is W) over its groups in budget order,
   * NaN when its supporters fall short in floats; the sums it took are left in spPb, spM, spR, spPs
   * and spPu.
   */
  private unitSplit(p: number, W: number): number {
    const { order, cnt, gB, gS, gU } = this
    const C = this.CF[p]!
    const row = p * this.gCap
    let Pb = 0
    let m = 0
    let q = Number.NaN
    let R = 0
    let Ps = 0
    let Pu = 0
    let Pw = 0
    const len = this.orderLen
    for (let i = 0; i < len; i++) {
      const g = order[i]!
      const c = cnt[row + g]!
      if (c === 0) continue
      m++
      const b = gB[g]!
      R = W - Pw
      const x = (C - Pb) / R
      if (x <= b) {
        q = x
        break
      }
      Pb += c * b
      Ps += c * gS[g]!
      Pu += c * gU[g]!
      Pw += c
    }
    this.spPb = Pb
    this.spM = m
    this.spR = R
    this.spPs = Ps
    this.spPu = Pu
    return q
  }

  /**
   * The sequence certificate of the pair (winner at rhoUp, open project o) from o's price at the
   * current step, when its supporters paid since its key was computed (it was not popped: its stale
   * key was already above the winner's price). Rho only rises from step to step, so a higher key
   * (and its slopes) holds for this step and the later ones: it replaces the stale one in certKey,
   * for the certificates only (o stays dirty for the search). If o's supporters cannot afford it
   * now, it cannot take the step while their money falls short (as a dropped project,
   * recordDrop), nor ever while its price once affordable stays above the winner's. 0 when its
   * float price is not conclusive.
   */
  private freshReach(o: number, rhoUp: number, levels: number): number {
    const W = this.aliveW[o]!
    if (W === 0) return 0
    const q = this.unitSplit(o, W)
    const C = this.CF[o]!
    const errSum = (this.spM * EPS * this.TF + this.EB) * W
    if (Number.isNaN(q)) {
      if (!(this.spPb + 2 * errSum < C * (1 - 4 * EPS))) return 0
      const up = (this.spPu + this.exS[o]!) * (1 + 1e-9)
      const atLeast =
        (Math.max(C / this.pr.supporters[o]!, this.raisedPriceLow(o)) / this.divF[o]!) * (1 - 1e-9)
      if (atLeast > rhoUp) return Number.POSITIVE_INFINITY
      return up > 0 ? (C - this.spPb - 2 * errSum) / up : Number.POSITIVE_INFINITY
    }
    const R = this.spR
    const errQ = 4 * ((errSum + EPS * C) / R + EPS * q)
    const low = Math.max(((q - errQ) / this.divF[o]!) * (1 - 4 * EPS), 0)
    if (low > this.certKey[o]!) this.setCertKey(o, low, R, this.spPs, this.spPu)
    const gap = this.certKey[o]! - rhoUp
    return gap > 0 ? this.chordReach(gap, o, levels) : 0
  }

  /**
   * Sequence certificate of a project found unaffordable with `slack` below its cost (supporters
   * still alive, upper slope sum `slopeUp`): it stays unaffordable while slack is not used up, and
   * should it become affordable its price is at least cost / supporters.
   */
  private recordDrop(p: number, slack: number, slopeUp: number): void {
    const up = (slopeUp + this.exS[p]!) * (1 + 1e-9)
    this.dropLimit[p] = !(slack > 0) ? 0 : up > 0 ? slack / up : Number.POSITIVE_INFINITY
    // Its price bound once affordable (dropRhoLowOf), only when a step asks; at once for a project
    // left out of a restricted profile, whose counts are only right now.
    this.dropRhoLow[p] = Number.NaN
    if (this.outside !== undefined && this.outside[p] === 0) this.dropRhoLowOf(p)
  }

  /**
   * A lower bound of p's price over the horizon: every budget is at most its value now plus
   * uMax·horizon (the same raise for all keeps the groups' order), voters who paid their whole
   * budget and may keep some hold at most uMax·horizon, the others nothing. 0 when no bound.
   */
  private raisedPriceLow(p: number, H = this.horizon): number {
    if (!Number.isFinite(H) || !this.pr.unit) return 0
    const shift = this.uMax * H
    const { order, cnt, gB } = this
    const row = p * this.gCap
    const C = this.CF[p]!
    let R = this.aliveW[p]! + this.exW[p]!
    // The voters who paid their whole budget come first (budget at most `shift`).
    let x = C / R
    if (x <= shift) return 0
    let Pb = this.exW[p]! * shift
    R -= this.exW[p]!
    let m = 1
    let q = Number.NaN
    for (let i = 0; i < this.orderLen && R > 0; i++) {
      const g = order[i]!
      const c = cnt[row + g]!
      if (c === 0) continue
      m++
      const b = gB[g]! + shift
      x = (C - Pb) / R
      if (x <= b) {
        q = x
        break
      }
      Pb += c * b
      R -= c
    }
    // Still unaffordable with the raise: it cannot be funded before the horizon (then the drop limit holds).
    if (Number.isNaN(q)) return Number.POSITIVE_INFINITY
    const W = this.aliveW[p]! + this.exW[p]!
    const err = 4 * (((m * EPS * (this.TF + shift) + this.EB) * W + EPS * C) / R + EPS * q)
    return Math.max(0, q - err)
  }

  /**
   * A lower bound of the rho of a project found unaffordable, should it become affordable over the
   * horizon (at least cost / supporters), computed when first asked from the budgets then (they only
   * fell since it was dropped; its counts are rebuilt, fund() no longer keeps them).
   */
  private dropRhoLowOf(o: number): number {
    const known = this.dropRhoLow[o]!
    if (!Number.isNaN(known)) return known
    if (this.outside === undefined || this.outside[o] !== 0) this.rebuildRow(o)
    const atLeast = this.CF[o]! / this.pr.supporters[o]!
    const low = (Math.max(atLeast, this.raisedPriceLow(o)) / this.divF[o]!) * (1 - 1e-9)
    this.dropRhoLow[o] = low
    return low
  }

  /**
   * How long (scaled units from T, H/4, H/16 or H/64, else 0) a project found unaffordable cannot
   * take a step whose winner's rho is rhoUp even once affordable: its price over that shorter
   * horizon, from the budgets now (they only fell since it was dropped), stays above (recordDrop
   * judges the whole horizon).
   */
  private dropSafeFor(o: number, rhoUp: number): number {
    if (this.outside !== undefined && this.outside[o] === 0) return 0
    this.rebuildRow(o)
    const atLeast = this.CF[o]! / this.pr.supporters[o]!
    for (let H = this.horizon / 4, k = 0; k < 3; k++, H /= 4) {
      const low = (Math.max(atLeast, this.raisedPriceLow(o, H)) / this.divF[o]!) * (1 - 1e-9)
      if (low > rhoUp) return H
    }
    return 0
  }

  /** The counts of a project from its supporter classes' groups (fund() keeps only open ones'). */
  private rebuildRow(p: number): void {
    const pr = this.pr
    const { cnt, classGroup } = this
    const row = p * this.gCap
    cnt.fill(0, row, row + this.nG)
    for (let i = pr.projectStart[p]!; i < pr.projectStart[p + 1]!; i++) {
      const c = pr.projectClass[i]!
      const g = classGroup[c]!
      if (g >= 0) cnt[row + g]! += pr.classWeight[c]!
    }
  }

  /**
   * seqStable, lowered by every project found unaffordable that might become affordable: the run
   * would then fund it after its last step (README of mes.ts, add1).
   */
  private sequenceStable(): number {
    let seq = this.seqStable
    for (let o = 0; o < this.P && seq > 0; o++) {
      if (this.fate[o] === Fate.Unaffordable && this.dropLimit[o]! < seq)
        seq = Math.min(seq, this.refreshDropLimit(o))
    }
    return seq
  }

  /**
   * dropLimit of an unaffordable project from the current budgets (its counts are kept up to date
   * while certifying): they only fall from step to step, so the limit only grows.
   */
  private refreshDropLimit(o: number): number {
    // Left out of a restricted profile: unaffordable while n·T' < supporters·cost, from the start of
    // the run on (its limit from the first float test, moved by resume()); its counts are not kept.
    if (this.outside !== undefined && this.outside[o] === 0) return this.dropLimit[o]!
    // Over its supporter classes: the counts of an unaffordable project are not kept (fund()).
    const pr = this.pr
    const { classGroup, gB, gU } = this
    let Pb = 0
    let Pu = 0
    let m = 0
    for (let i = pr.projectStart[o]!; i < pr.projectStart[o + 1]!; i++) {
      const c = pr.projectClass[i]!
      const g = classGroup[c]!
      if (g < 0) continue
      const w = pr.classWeight[c]!
      m++
      Pb += w * gB[g]!
      Pu += w * gU[g]!
    }
    const errSum = (m * EPS * this.TF + this.EB) * this.aliveW[o]!
    const slack = this.CF[o]! - Pb - 2 * errSum
    const up = (Pu + this.exS[o]!) * (1 + 1e-9)
    const limit = !(slack > 0) ? 0 : up > 0 ? slack / up : Number.POSITIVE_INFINITY
    this.dropLimit[o] = limit
    return limit
  }

  /** A dropped project must stay unaffordable: its supporters' budget (slack below the cost, slope) must not reach it. */
  private certifyDrop(slack: number, slope: number): void {
    if (!(slack > 0)) this.stable = 0
    else if (slope > 0) this.stable = Math.min(this.stable, slack / (slope * (1 + 1e-9)))
  }

  private gatherClasses(p: number): number {
    const pr = this.pr
    let k = 0
    for (let i = pr.projectStart[p]!; i < pr.projectStart[p + 1]!; i++) {
      const c = pr.projectClass[i]!
      if (this.cPoor[c]) continue
      const u = pr.projectUtil[i]!
      this.sId[k] = c
      this.sW[k] = pr.classWeight[c]!
      this.sU[k] = u
      this.sKey[k] = this.cB[c]! / u
      k++
    }
    return k
  }

  /** Indices 0..k-1 of the gathered entries by increasing sKey (read only the first k). */
  private sortedGathered(k: number): Int32Array {
    if (this.sIdx.length < k) this.sIdx = new Int32Array(Math.max(k, 2 * this.sIdx.length))
    const idx = this.sIdx
    for (let j = 0; j < k; j++) idx[j] = j
    sortIndices(idx, this.sKey, 0, k - 1)
    return idx
  }

  /** How far from the float price q exactSplit compares budgets exactly (and gatherSplit gathers). */
  private splitMargin(q: number): number {
    return Math.max(1e-9 * this.TF, 1e-12 * q)
  }

  /** gatherSplit's float split (NaN when the supporters fall short in floats). */
  private splitQ = Number.NaN

  /**
   * Unit utilities: the float split of p's price as in floatKey (splitQ), and the groups in budget
   * order up to the first one beyond it by more than exactSplit's margin (the others surely pay
   * the price and keep some): the number gathered.
   */
  private gatherSplit(p: number): number {
    const { order, cnt, gB, sId, sW, sU, sKey } = this
    const row = p * this.gCap
    const C = this.CF[p]!
    let Pb = 0
    let Ru = this.aliveW[p]!
    let q = Number.NaN
    let limit = Number.POSITIVE_INFINITY
    let k = 0
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      const c = cnt[row + g]!
      if (c === 0) continue
      const b = gB[g]!
      if (Number.isNaN(q)) {
        const x = (C - Pb) / Ru
        if (x <= b) {
          q = x
          limit = q + this.splitMargin(q)
        } else {
          Pb += c * b
          Ru -= c
        }
      }
      if (b > limit) break
      sId[k] = g
      sW[k] = c
      sU[k] = 1
      sKey[k] = b
      k++
    }
    this.splitQ = q
    return k
  }

  private gatherGroups(p: number): number {
    const { order, cnt, gB } = this
    const row = p * this.gCap
    let k = 0
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      const c = cnt[row + g]!
      if (c === 0) continue
      this.sId[k] = g
      this.sW[k] = c
      this.sU[k] = 1
      this.sKey[k] = gB[g]!
      k++
    }
    return k
  }

  // ---- exact ----

  private exactOf(p: number): Exact | undefined {
    const cached = this.cacheNum[p]
    if (cached !== undefined) return { num: cached, den: this.cacheDen[p]! }
    const ex = this.exact(p, false)
    if (ex !== undefined) {
      this.cacheNum[p] = ex.num
      this.cacheDen[p] = ex.den
    }
    return ex
  }

  /** Exact budget numerator (over D) of a gathered entry j. */
  private budgetNum(j: number): bigint {
    const id = this.sId[j]!
    let s = this.TD
    if (this.pr.unit) {
      const { a, nodeStep, nodeUp } = this
      for (let x = this.gNode[id]!; x >= 0; x = nodeUp[x]!) s -= a[nodeStep[x]!]!
    } else {
      const pr = this.pr
      for (let i = pr.classStart[id]!; i < pr.classStart[id + 1]!; i++) {
        const step = this.stepOf[pr.classProject[i]!]!
        if (step >= 0) s -= this.a[step]! * BigInt(pr.classUtil[i]!)
      }
    }
    return s
  }

  private addPoor(j: number): void {
    const id = this.sId[j]!
    const N = this.N
    if (this.pr.unit) {
      const c = this.sW[j]!
      const { nodeStep, nodeUp } = this
      for (let x = this.gNode[id]!; x >= 0; x = nodeUp[x]!) N[nodeStep[x]!]! += c
    } else {
      const pr = this.pr
      const w = this.sW[j]!
      for (let i = pr.classStart[id]!; i < pr.classStart[id + 1]!; i++) {
        const step = this.stepOf[pr.classProject[i]!]!
        if (step >= 0) N[step]! += w * pr.classUtil[i]!
      }
    }
  }

  /** Flags group or class `id` as paying its whole budget at the step being funded. */
  private markPoor(id: number): void {
    if (this.pr.unit) {
      this.gPoor[id] = 1
      this.poorGroups.push(id)
    } else this.cPoor[id] = 2
  }

  /**
   * The poor groups (or classes) of the last price exactSplit found, for project `poorOf` (-1: none
   * valid): fund() flags them instead of computing the winner's price a second time (that was half
   * of the gathering on Warszawa 2026). Valid until the next step is funded.
   */
  private poorOf = -1
  private poorIds = poorScratch
  private nPoor = 0

  private notePoor(id: number): void {
    if (this.nPoor === this.poorIds.length) {
      poorScratch = widened(this.poorIds, 2 * this.nPoor)
      this.poorIds = poorScratch
    }
    this.poorIds[this.nPoor++] = id
  }

  /**
   * The exact price of p, or undefined when its supporters cannot afford it. With `mark`, flags the
   * poor groups/classes (those who pay their whole budget).
   */
  private exact(p: number, mark: boolean): Exact | undefined {
    const first = this.exactSplit(p, true)
    const ex = first !== null ? first : (this.exactSplit(p, false) ?? undefined)
    if (ex !== undefined && mark) for (let i = 0; i < this.nPoor; i++) this.markPoor(this.poorIds[i]!)
    return ex
  }

  /**
   * null: the float split could not be confirmed (retry with all entries compared exactly). With a
   * price, its poor groups (classes) are left in poorIds.
   */
  private exactSplit(p: number, useFloat: boolean): Exact | undefined | null {
    this.poorOf = -1
    this.nPoor = 0
    const unitFloat = useFloat && this.pr.unit
    const k = unitFloat ? this.gatherSplit(p) : this.pr.unit ? this.gatherGroups(p) : this.gatherClasses(p)
    const { sW, sU, sKey, N } = this
    const steps = this.a.length
    N.fill(0, 0, steps)
    let qF = Number.NaN
    let Rtot = 0
    if (unitFloat) {
      // The groups up to the float split and just beyond it (gatherSplit): all that is not surely rich.
      qF = this.splitQ
      if (Number.isNaN(qF)) return null
      Rtot = this.aliveW[p]!
    } else for (let j = 0; j < k; j++) Rtot += sW[j]! * sU[j]!
    if (useFloat && !unitFloat) {
      // Float split over all entries in key order, as in floatKey (groups are gathered in order).
      const C = this.CF[p]!
      let Pb = 0
      let Ru = Rtot
      const idx = this.pr.unit ? undefined : this.sortedGathered(k)
      for (let i = 0; i < k; i++) {
        const j = idx === undefined ? i : idx[i]!
        const x = (C - Pb) / Ru
        if (x <= sKey[j]!) {
          qF = x
          break
        }
        Pb += sW[j]! * sKey[j]! * sU[j]!
        Ru -= sW[j]! * sU[j]!
      }
      if (Number.isNaN(qF)) return null
    }
    const margin = this.splitMargin(qF)
    let WP = 0
    let R = Rtot
    const amb: number[] = []
    for (let j = 0; j < k; j++) {
      const key = sKey[j]!
      if (useFloat && key < qF - margin) {
        WP += sW[j]!
        R -= sW[j]! * sU[j]!
        this.addPoor(j)
        this.notePoor(this.sId[j]!)
      } else if (!useFloat || key <= qF + margin) {
        amb.push(j)
      }
    }
    const D = this.D
    let base = this.C[p]! * D - BigInt(WP) * this.TD
    for (let s = 0; s < steps; s++) {
      const x = N[s]!
      if (x !== 0) base += this.a[s]! * BigInt(x)
    }
    const bn: bigint[] = []
    for (const j of amb) bn[j] = this.budgetNum(j)
    if (amb.length > 1) {
      amb.sort((x, y) => {
        const l = bn[x]! * BigInt(sU[y]!)
        const r = bn[y]! * BigInt(sU[x]!)
        return l < r ? -1 : l > r ? 1 : 0
      })
    }
    let stop = amb.length
    let Rb = BigInt(R)
    for (let i = 0; i < amb.length; i++) {
      const j = amb[i]!
      const b = bn[j]!
      const u = BigInt(sU[j]!)
      if (base * u <= b * Rb) {
        stop = i
        break
      }
      base -= BigInt(sW[j]!) * b
      Rb -= BigInt(sW[j]!) * u
    }
    if (Rb === 0n) {
      if (!useFloat) return undefined
      return null
    }
    const den = D * Rb
    if (useFloat) {
      const q = ratio(base, den)
      if (!(Math.abs(q - qF) <= margin / 2)) return null
    } else if (stop === amb.length) {
      return undefined
    }
    for (let i = 0; i < stop; i++) this.notePoor(this.sId[amb[i]!]!)
    this.poorOf = p
    if (this.certify) this.noPoor[p] = WP === 0 && stop === 0 ? 1 : 0
    return { num: base, den }
  }

  // ---- funding ----

  private fund(p: number): void {
    let ex: Exact
    const cached = this.cacheNum[p]
    if (this.poorOf === p && cached !== undefined) {
      // The search just computed p's price at this step: its poor groups are known.
      ex = { num: cached, den: this.cacheDen[p]! }
      for (let i = 0; i < this.nPoor; i++) this.markPoor(this.poorIds[i]!)
    } else ex = this.exact(p, true)!
    this.poorOf = -1
    const pr = this.pr
    // q = num / (D·R): reduce by gcd(num, R) (R < 2^53), then D·R/g becomes the new common denominator.
    const R = ex.den / this.D
    const g = smallGcd(ex.num, R)
    const num = ex.num / g
    const factor = R / g
    const den = this.D * factor
    if (factor !== 1n) {
      const a = this.a
      for (let s = 0; s < a.length; s++) a[s] = a[s]! * factor
      this.D = den
      this.TD = this.T * den
    }
    if (factor !== 1n) this.dFactors.push(factor)
    const step = this.a.length
    this.a.push(num)
    this.stepProject.push(p)
    this.stepOf[p] = step
    const qF = ratio(num, den)
    if (this.certify) this.recordStep(p, step, R)
    const slopeQ = this.certify ? this.certifyWinner(p, qF, ratio(num, den * this.div[p]!)) : 0
    if (this.certify) {
      const below = this.input.snapshotBelow
      const before = step > 0 ? this.stableAt[step - 1]! : 0
      if (below !== undefined && this.stable < before) {
        // A copy when the certificate falls past one of below·4^i (stable is finite here).
        let level = below
        while (level <= this.stable) level *= 4
        if (level <= before) this.takeSnapshot(p, step)
      }
      this.stableAt.push(this.stable)
      this.seqAt.push(this.seqStable)
    }
    this.fate[p] = Fate.Funded
    this.totalCost += this.input.cost[p]!
    let payers = 0
    let poorPayers = 0
    const dirty = this.dirty
    const aliveW = this.aliveW
    if (pr.unit) {
      const fate = this.fate
      const touched: number[] = []
      // Their budgets before this step (the order's keys): a group that moves as a whole changes its own.
      const touchedBudget: number[] = doubles()
      const { projectClass, classWeight, classStart, classProject } = pr
      let cnt = this.cnt
      let cap = this.gCap
      let gW = this.gW
      let gChild = this.gChild
      let gPoor = this.gPoor
      let gLive = this.gLive
      const prune = this.prune
      const certify = this.sequence
      // Sequence certificate: the alive weights and exS of unaffordable projects are kept too
      // (refreshDropLimit), not their counts (it sums over their classes; dropSafeFor rebuilds them).
      const tracked = certify ? Fate.Unaffordable : Fate.Open
      const Q = certify ? this.winnerQ : 0
      const lambda = certify ? this.winnerLambda : 0
      const errB = this.EB + 4 * EPS * qF
      // Every upper slope grows by at most Q at this step.
      if (certify) this.uMax = (this.uMax + Q) * (1 + 1e-9)
      const exS = this.exS
      const end0 = pr.projectStart[p + 1]!
      for (let i = pr.projectStart[p]!; i < end0; i++) {
        const c = projectClass[i]!
        const g = this.classGroup[c]!
        if (g < 0) {
          // Voters who paid their whole budget earlier may hold some at a larger T, and pay here.
          if (Q > 0 && this.exSoon[c]) {
            const wQ = classWeight[c]! * Q
            for (let t = classStart[c]!; t < classStart[c + 1]!; t++) {
              const x = classProject[t]!
              if (fate[x] === Fate.Open || fate[x] === tracked) exS[x]! += wQ
            }
          }
          continue
        }
        const w = classWeight[c]!
        payers += w
        // p is closed for this class (the moves below count its other open projects).
        if (prune) gLive[g]! -= w
        const start = classStart[c]!
        const end = classStart[c + 1]!
        if (gPoor[g]) {
          poorPayers += w
          this.classGroup[c] = -1
          let wS = 0
          let wSoon = 0
          let at = Number.POSITIVE_INFINITY
          if (certify) {
            // Its budget stays 0 while b_g(T) <= q(T): slack qF - b_g closing at most at gU + Q.
            const up = (this.gU[g]! + Q) * (1 + 1e-9)
            const slack = (qF - this.gB[g]! - errB) / up
            const soon = !(slack >= this.horizon)
            this.exSoon[c] = soon ? 1 : 0
            if (soon) {
              wS = w * up
              wSoon = w
              at = Number.isNaN(slack) ? 0 : Math.max(slack, 0)
            }
          }
          // Counts of closed projects are never read again (a reused group may keep stale ones).
          for (let t = start; t < end; t++) {
            const x = classProject[t]!
            if (fate[x] !== Fate.Open && fate[x] !== tracked) continue
            if (fate[x] === Fate.Open) {
              cnt[x * cap + g]! -= w
              if (prune) gLive[g]! -= w
            }
            aliveW[x]! -= w
            if (certify) {
              exS[x]! += wS
              this.exW[x]! += wSoon
              if (at < this.exAt[x]!) this.exAt[x] = at
            }
            dirty[x] = 1
          }
          gW[g]! -= w
          continue
        }
        let h = gChild[g]!
        if (h < 0) {
          touchedBudget.push(this.gB[g]!)
          if (cnt[p * cap + g] === gW[g]) {
            // The whole group pays: it moves as a whole.
            h = g
            this.gNode[g] = this.newNode(step, this.gNode[g]!)
            this.gB[g]! -= qF
            this.gS[g]! -= slopeQ
            this.gU[g]! += Q
            this.gL[g]! += lambda
          } else {
            h = this.newGroup(
              this.newNode(step, this.gNode[g]!),
              this.gB[g]! - qF,
              this.gS[g]! - slopeQ,
              this.gU[g]! + Q,
              this.gL[g]! + lambda,
            )
            cnt = this.cnt
            cap = this.gCap
            gW = this.gW
            gChild = this.gChild
            gPoor = this.gPoor
            gLive = this.gLive
          }
          gChild[g] = h
          touched.push(g)
        }
        if (h !== g) {
          this.classGroup[c] = h
          let live = 0
          for (let t = start; t < end; t++) {
            const x = classProject[t]!
            if (fate[x] !== Fate.Open) continue
            const r = x * cap
            cnt[r + g]! -= w
            cnt[r + h]! += w
            live += w
            dirty[x] = 1
          }
          if (prune) {
            gLive[g]! -= live
            gLive[h]! += live
          }
          gW[h]! += w
          gW[g]! -= w
        } else {
          for (let t = start; t < end; t++) dirty[classProject[t]!] = 1
        }
      }
      this.rebuildOrder(touched, touchedBudget)
      for (const g of touched) this.gChild[g] = -1
    } else {
      for (let i = pr.projectStart[p]!; i < pr.projectStart[p + 1]!; i++) {
        const c = pr.projectClass[i]!
        const state = this.cPoor[c]!
        if (state === 1) continue
        const w = pr.classWeight[c]!
        payers += w
        const start = pr.classStart[c]!
        const end = pr.classStart[c + 1]!
        if (state === 2) {
          poorPayers += w
          this.cPoor[c] = 1
          for (let t = start; t < end; t++) {
            const x = pr.classProject[t]!
            aliveW[x]! -= w
            dirty[x] = 1
          }
        } else {
          this.cB[c]! -= qF * pr.projectUtil[i]!
          for (let t = start; t < end; t++) dirty[pr.classProject[t]!] = 1
        }
      }
    }
    this.steps.push(new PricedStep(p, num, den, this.dFactors.slice(), payers, poorPayers))
    this.removeAfter(p)
  }

  /** What resume() needs to recompute step `step` (funding p, rich weight R) at another T: its poor payers. */
  private recordStep(p: number, step: number, R: bigint): void {
    const { order, cnt, gPoor, gNode, nodeStep, nodeUp } = this
    const row = p * this.gCap
    const N = new Float64Array(step)
    let WP = 0
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      if (!gPoor[g]) continue
      const c = cnt[row + g]!
      if (c === 0) continue
      WP += c
      for (let x = gNode[g]!; x >= 0; x = nodeUp[x]!) N[nodeStep[x]!]! += c
    }
    this.stepWP.push(WP)
    this.stepN.push(N)
    this.stepR.push(R)
  }

  /**
   * The certificate of one funding (README of mes.ts: add1): poor payers must stay poor, and the
   * winner's rho must stay below every open project's lower bound, as T grows. Budgets grow with T
   * and prices fall, so rich payers stay rich. Returns d q / d T of the winner's price (<= 0).
   */
  private certifyWinner(p: number, qF: number, rhoF: number): number {
    const { order, cnt, gB, gS, gU, gPoor, P } = this
    const row = p * this.gCap
    let Ps = 0
    let Pu = 0
    let Pw = 0
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      if (!gPoor[g]) continue
      const c = cnt[row + g]!
      Ps += c * gS[g]!
      Pu += c * gU[g]!
      Pw += c
    }
    const R = this.aliveW[p]! - Pw
    const slopeQ = -Ps / R
    // Poor payers only turn rich as T grows and rich ones stay rich: |dq/dT| <= Σ_poor S / R.
    const errB = this.EB + 4 * EPS * qF
    if (this.sequence) {
      this.winnerQ = ((Pu + this.exS[p]!) / R) * (1 + 1e-9)
      // Over the horizon the price falls at rate Σ_poor w·(budget slope) / R_rich. Poor payers
      // only turn rich, and rich ones stay rich, so the payers surely poor over the whole horizon
      // keep paying their whole budget, growing at least at their lower slope, while the rich weight
      // grows at most by the poor who may turn rich and the voters who paid their whole budget
      // earlier and may hold some (exW): the price falls at least at Σ_surely w·gL / (R + those),
      // and so do the budgets of the rich payers grow faster.
      let low = 0
      let maybe = this.exW[p]!
      for (let i = 0; i < this.orderLen; i++) {
        const g = order[i]!
        if (!gPoor[g]) continue
        const slack = qF - gB[g]! - errB
        if (slack / ((gU[g]! + this.winnerQ) * (1 + 1e-9)) >= this.horizon) low += cnt[row + g]! * this.gL[g]!
        else maybe += cnt[row + g]!
      }
      this.winnerLambda = low > 0 ? (low / (R + maybe)) * (1 - 1e-9) : 0
    }
    let stable = this.stable
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      if (!gPoor[g]) continue
      // b_g(T) <= q(T): slack qF - b_g, closing at rate gS[g] - slopeQ (> 0).
      const slack = qF - gB[g]! - errB
      if (!(slack > 0)) {
        stable = 0
        break
      }
      stable = Math.min(stable, slack / ((gS[g]! - slopeQ) * (1 + 1e-9)))
    }
    const rhoUp = rhoF * (1 + 8 * EPS)
    const slopeUp = (slopeQ / this.divF[p]!) * (1 - 1e-9)
    const rank = this.input.tieRank
    const sequence = this.sequence
    let seq = sequence ? this.seqStable : 0
    // Along the sequence, budgets of voters who never paid their whole budget grow at least as fast
    // as T: the winner's price is at most the price q̄(d) with those budgets raised by d, a convex
    // function of d, hence below the chord from q(T0) to q̄(horizon) (README of mes.ts, add1).
    // Several horizons: the chord over a short one is steeper (closer to the tangent), over a long
    // one it reaches further; each pair takes the best certificate among them.
    const H = this.horizon
    const levels = sequence && Number.isFinite(H) ? CHORD_LEVELS : 1
    const chords = CHORDS
    const reach = REACH
    // p's groups, gathered once for all horizons.
    const k = levels > 1 ? this.gatherGroups(p) : 0
    for (let i = 0; i < levels; i++) {
      reach[i] = levels === 1 ? Number.POSITIVE_INFINITY : H / 4 ** i
      chords[i] = levels === 1 ? 0 : (rhoUp - this.raisedRhoUp(p, k, reach[i]!)) / reach[i]!
    }
    for (let o = 0; o < P && (stable > 0 || seq > 0); o++) {
      if (o === p || this.fate[o] !== Fate.Open) continue
      let gap = this.certKey[o]! - rhoUp
      // Along the sequence the winner's rho falls at least along the chord; o's falls at most at its
      // upper slope.
      let best = sequence && gap > 0 ? this.chordReach(gap, o, levels) : 0
      // o's key is stale (its supporters paid since; it was not popped, being above p's price) and
      // bounds the sequence certificate: its price at this step may say more (freshReach). Both hold.
      if (sequence && this.dirty[o] && best < seq) {
        best = Math.max(best, this.freshReach(o, rhoUp, levels))
        gap = this.certKey[o]! - rhoUp
      }
      if (gap > 0 || best > 0) {
        const rate = slopeUp - this.certSlope[o]!
        if (!(gap > 0)) stable = 0
        else if (rate > 0) stable = Math.min(stable, gap / rate)
        if (sequence) seq = Math.min(seq, best)
        continue
      }
      // A tie: harmless only if both prices are exact, equal, without poor payers (constant in T),
      // and p wins it. For the sequence, p's price may fall: o's must be constant.
      const cn = this.cacheNum[o]
      const tie =
        cn !== undefined &&
        !this.dirty[o] &&
        this.noPoor[o] === 1 &&
        rank[p]! < rank[o]! &&
        cn * this.cacheDen[p]! * this.div[p]! === this.cacheNum[p]! * this.cacheDen[o]! * this.div[o]!
      if (!tie || this.noPoor[p] !== 1) stable = 0
      if (!tie || this.exS[o] !== 0) seq = 0
    }
    if (!sequence) {
      this.stable = stable
      return slopeQ
    }
    // A project found unaffordable earlier could take this step should it become affordable and
    // beat p: only if its rho can fall below p's, and only while its supporters' money falls short.
    for (let o = 0; o < P && seq > 0; o++) {
      if (this.fate[o] !== Fate.Unaffordable || this.dropLimit[o]! >= seq || this.dropRhoLowOf(o) > rhoUp)
        continue
      let limit = this.refreshDropLimit(o)
      if (limit < seq) limit = Math.max(limit, this.dropSafeFor(o, rhoUp))
      seq = Math.min(seq, limit)
    }
    this.seqStable = seq
    this.stable = stable
    return slopeQ
  }

  /**
   * How far (scaled units) the winner's price stays below the lower bound of o's, `gap` above it
   * now: o's falls at most at its upper slope, the winner's at least along the chords (certifyWinner
   * filled chords and reach for `levels` horizons).
   */
  private chordReach(gap: number, o: number, levels: number): number {
    const chords = CHORDS
    const reach = REACH
    const at = this.certExAt[o]!
    const extra = -this.certSlopeX[o]!
    let best = 0
    for (let i = 0; i < levels; i++) {
      // The gap closes at most at `rate` until `at`, at rate + extra after.
      const rate = -this.certSlopeU[o]! - chords[i]!
      let d = Number.POSITIVE_INFINITY
      if (rate > 0 && gap <= rate * at) d = gap / rate
      else if (at < Number.POSITIVE_INFINITY) {
        const after = rate + extra
        if (after > 0) d = at + (gap - Math.max(rate, 0) * at) / after
      }
      best = Math.max(best, Math.min(reach[i]!, d))
    }
    return best
  }

  /**
   * An upper bound of p's rho when every alive supporter group holds gL·H more (scaled units) and
   * voters who paid their whole budget hold nothing.
   */
  private raisedRhoUp(p: number, k: number, H: number): number {
    // The k groups gathered (gatherGroups) in budget order; raised by their lower slope × H they
    // come out of a heap in raised order: a group's raised budget is at least its budget + H (gL >= 1),
    // so the groups whose budget + H passes the heap's least raised budget can wait, and the scan
    // stops at the price, usually after few groups (a full sort cost more).
    const { sW, sKey, sId, gL } = this
    const heap = raiseHeap(k)
    const C = this.CF[p]!
    const W = this.aliveW[p]!
    let Pb = 0
    let Pw = 0
    let m = 0
    let q = Number.NaN
    let R = W
    let next = 0
    for (;;) {
      while (next < k && (heap.size === 0 || sKey[next]! + H <= heap.topKey())) {
        heap.push(sKey[next]! + gL[sId[next]!]! * H, next)
        next++
      }
      if (heap.size === 0) break
      const b = heap.topKey()
      const j = heap.pop()
      const c = sW[j]!
      m++
      R = W - Pw
      const x = (C - Pb) / R
      if (x <= b) {
        q = x
        break
      }
      Pb += c * b
      Pw += c
    }
    // Affordable at T0 already, so with more; NaN only from rounding: no bound then.
    if (Number.isNaN(q)) return Number.POSITIVE_INFINITY
    const errSum = (m * EPS * (this.TF + this.uMax * H) + this.EB) * W
    const errQ = 4 * ((errSum + EPS * C) / R + EPS * q)
    return ((q + errQ) / this.divF[p]!) * (1 + 1e-9)
  }

  /**
   * The order after a step: groups emptied leave it, groups that moved as a whole and new groups
   * (touched[i]'s child) enter at their budget. A step usually changes a few groups out of many
   * (Toulouse 2024: 22 of ~1,200 on average): they are found by binary search on orderKey and the
   * rest is copied in blocks; when more than 1 group in 32 changes (its sorts then cost more: Bemowo
   * 2023 ran 50% slower with 1 in 8), and when no keys are known, everything is merged anew.
   */
  private rebuildOrder(touched: readonly number[], touchedBudget: readonly number[]): void {
    const len = this.orderLen
    if (!this.keysValid || 32 * touched.length > len || !this.rebuildFew(touched, touchedBudget)) {
      this.rebuildAll()
      if (this.orderKey.length < this.order.length) this.orderKey = new Float64Array(this.order.length)
      const { order, orderKey, gB } = this
      for (let i = 0; i < this.orderLen; i++) orderKey[i] = gB[order[i]!]!
      this.keysValid = true
    }
    const gPoor = this.gPoor
    // (Pops: setting the length calls a builtin.)
    const poorGroups = this.poorGroups
    while (poorGroups.length > 0) gPoor[poorGroups.pop()!] = 0
  }

  /** rebuildOrder for few changes; false (nothing changed) if a group is not where its key says. */
  private rebuildFew(touched: readonly number[], touchedBudget: readonly number[]): boolean {
    const { order, orderKey, gW, gChild, gB } = this
    const len = this.orderLen
    const removed: number[] = []
    const freed: number[] = []
    for (let i = 0; i < touched.length; i++) {
      const g = touched[i]!
      const h = gChild[g]!
      if (h !== g && gW[g]! > 0) continue
      const at = positionOf(order, orderKey, len, touchedBudget[i]!, g)
      if (at < 0) return false
      removed.push(at)
      if (h !== g) freed.push(g)
    }
    for (const g of this.poorGroups) {
      if (gW[g]! > 0 || gChild[g]! >= 0) continue
      const at = positionOf(order, orderKey, len, gB[g]!, g)
      if (at < 0) return false
      removed.push(at)
      freed.push(g)
    }
    removed.sort((x, y) => x - y)
    const moved = touched.map((g) => gChild[g]!)
    moved.sort((x, y) => gB[x]! - gB[y]!)
    const total = len - removed.length + moved.length
    if (this.spareOrder.length < total) {
      // Sized by what it must hold, not by the order in use: restore() puts a snapshot's short order
      // in use beside a long spare, and sizing by it doubled the spare at every swap.
      this.spareOrder = new Int32Array(2 * total)
      this.spareKey = new Float64Array(this.spareOrder.length)
    }
    const out = this.spareOrder
    const outKey = this.spareKey
    let src = 0
    let o = 0
    let r = 0
    let m = 0
    // Moved groups go after the kept ones of equal budget.
    let nextIn = moved.length > 0 ? upperBound(orderKey, len, gB[moved[0]!]!) : len + 1
    for (;;) {
      const nextOut = r < removed.length ? removed[r]! : len + 1
      const to = Math.min(nextIn, nextOut, len)
      if (to > src) {
        out.set(order.subarray(src, to), o)
        outKey.set(orderKey.subarray(src, to), o)
        o += to - src
        src = to
      }
      if (nextIn === src && m < moved.length) {
        const h = moved[m++]!
        out[o] = h
        outKey[o++] = gB[h]!
        nextIn = m < moved.length ? upperBound(orderKey, len, gB[moved[m]!]!) : len + 1
        continue
      }
      if (nextOut === src) {
        src++
        r++
        continue
      }
      if (src >= len) break
    }
    for (const g of freed) this.gFree.push(g)
    this.spareOrder = this.order
    this.spareKey = this.orderKey
    this.order = out
    this.orderKey = outKey
    this.orderLen = o
    return true
  }

  private rebuildAll(): void {
    const { order, gW, gChild, gB, gPoor } = this
    const len = this.orderLen
    if (this.keptBuf.length < len) {
      this.keptBuf = new Int32Array(2 * len)
      this.movedBuf = new Int32Array(2 * len)
    }
    const kept = this.keptBuf
    const moved = this.movedBuf
    let nk = 0
    let nm = 0
    const { prune, gLive } = this
    for (let i = 0; i < len; i++) {
      const g = order[i]!
      gPoor[g] = 0
      const h = gChild[g]!
      if (h >= 0 && (!prune || gLive[h]! > 0)) moved[nm++] = h
      if (h === g) continue
      // A group that can no longer pay leaves the order, but keeps its voters (explanations).
      if (gW[g]! > 0) {
        if (!prune || gLive[g]! > 0) kept[nk++] = g
      } else this.gFree.push(g)
    }
    const total = nk + nm
    if (this.order.length < total) this.order = new Int32Array(2 * total)
    const out = this.order
    let i = 0
    let j = 0
    let o = 0
    while (i < nk && j < nm) {
      if (gB[kept[i]!]! <= gB[moved[j]!]!) out[o++] = kept[i++]!
      else out[o++] = moved[j++]!
    }
    while (i < nk) out[o++] = kept[i++]!
    while (j < nm) out[o++] = moved[j++]!
    this.orderLen = o
  }

  /** Exact remaining budget of each project's supporters, in minor units, [num, den]; one pass over the classes. */
  private remainingSupport(p: number): [bigint, bigint] {
    if (this.supportNum === undefined) this.supportNum = this.allRemainingSupport()
    const num = this.supportNum[p]!
    const den = this.D * BigInt(this.n)
    if (num <= MAX_SAFE_BIG && den <= MAX_SAFE_BIG) {
      // Both safe integers: one gcd in doubles instead of BigInt remainders per factor (0 → 0/1).
      const nf = Number(num)
      const df = Number(den)
      const g = gcdOfSafe(nf, df)
      return [BigInt(nf / g), BigInt(df / g)]
    }
    return reduceOver(num, den, [...this.dFactors, BigInt(this.n)])
  }

  private supportNum: bigint[] | undefined

  private allRemainingSupport(): bigint[] {
    const pr = this.pr
    const P = this.P
    const F = this.a.length
    const fate = this.fate
    const slab = new Slab(P + P * F + 2 * F, F, 0)
    const W = slab.f64(P)
    // N[x·F + s]: Σ w·u_c(f_s) over live classes supporting x (< n·max utility < 2^53). Funded
    // projects are not asked for (their rows stay 0).
    const N = slab.f64(P * F)
    const patU = slab.f64(F)
    // The step prices in doubles, for the last pass.
    const aF = slab.f64(F)
    const patF = slab.i32(F)
    // Over the whole ballots: the run may have followed a restriction of them (classOf).
    const full = this.full
    const classOf = this.classOf
    for (let c = 0; c < full.nClasses; c++) {
      const r = classOf === undefined ? c : classOf[c]!
      if (pr.unit ? r >= 0 && this.classGroup[r]! < 0 : this.cPoor[c] === 1) continue
      const w = full.classWeight[c]!
      let len = 0
      if (pr.unit) {
        // A class left with no project of the restriction never paid.
        for (let x = r < 0 ? -1 : this.gNode[this.classGroup[r]!]!; x >= 0; x = this.nodeUp[x]!) {
          patF[len] = this.nodeStep[x]!
          patU[len++] = w
        }
      } else {
        for (let i = pr.classStart[c]!; i < pr.classStart[c + 1]!; i++) {
          const step = this.stepOf[pr.classProject[i]!]!
          if (step >= 0) {
            patF[len] = step
            patU[len++] = w * pr.classUtil[i]!
          }
        }
      }
      for (let i = full.classStart[c]!; i < full.classStart[c + 1]!; i++) {
        const x = full.classProject[i]!
        if (fate[x] === Fate.Funded) continue
        W[x]! += w
        const row = x * F
        for (let t = 0; t < len; t++) N[row + patF[t]!]! += patU[t]!
      }
    }
    const out: bigint[] = new Array(P)
    // In doubles while every product is a safe integer (then exact: the partial sums lie between the
    // result, >= 0, and W·TD), as on small elections: BigInt operations cost ~0.1 µs, more in a
    // process whose BigInt code also saw large values.
    const TDF = this.TD <= MAX_SAFE_BIG ? Number(this.TD) : Number.NaN
    for (let t = 0; t < F; t++) aF[t] = this.a[t]! <= MAX_SAFE_BIG ? Number(this.a[t]!) : Number.NaN
    for (let x = 0; x < P; x++) {
      if (fate[x] === Fate.Funded) {
        out[x] = 0n
        continue
      }
      let f = W[x]! * TDF
      for (let t = 0; t < F && Number.isSafeInteger(f); t++) {
        const v = N[x * F + t]!
        if (v === 0) continue
        const m = aF[t]! * v
        f = Number.isSafeInteger(m) ? f - m : Number.NaN
      }
      if (Number.isSafeInteger(f) && f >= 0) {
        out[x] = BigInt(f)
        continue
      }
      let s = BigInt(W[x]!) * this.TD
      for (let t = 0; t < F; t++) {
        const v = N[x * F + t]!
        if (v !== 0) s -= this.a[t]! * BigInt(v)
      }
      out[x] = s
    }
    slab.release()
    return out
  }
}

/**
 * Sorts idx[lo..hi] by increasing key[idx[…]] (quicksort, insertion sort on short ranges): the
 * non-unit MES sorts a project's supporter classes at every exact price computation (its float
 * prices fill without sorting), where Array.prototype.sort with a comparator dominated the run.
 */
function sortIndices(idx: Int32Array, key: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1
    // Median of three as the pivot.
    const a = key[idx[lo]!]!
    const b = key[idx[mid]!]!
    const c = key[idx[hi]!]!
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c))
    let i = lo
    let j = hi
    while (i <= j) {
      while (key[idx[i]!]! < pivot) i++
      while (key[idx[j]!]! > pivot) j--
      if (i <= j) {
        const t = idx[i]!
        idx[i] = idx[j]!
        idx[j] = t
        i++
        j--
      }
    }
    // Recurse into the smaller side, loop on the larger (stack depth O(log n)).
    if (j - lo < hi - i) {
      sortIndices(idx, key, lo, j)
      lo = i
    } else {
      sortIndices(idx, key, i, hi)
      hi = j
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = idx[i]!
    const kv = key[v]!
    let j = i - 1
    while (j >= lo && key[idx[j]!]! > kv) {
      idx[j + 1] = idx[j]!
      j--
    }
    idx[j + 1] = v
  }
}

/** num / den in lowest terms, where den is the product of `factors` (each below 2^53). */
/**
 * A paid step, its price num / den (den the common denominator of the time, the product of
 * `factors`) put in lowest terms when first read: the add1 loop reads the prices of its last run
 * only (reducing every step of every run was ~15% of Toulouse 2024's loop).
 */
class PricedStep implements MesRunStep {
  private reduced: [bigint, bigint] | undefined
  constructor(
    readonly project: number,
    private readonly num: bigint,
    private readonly den: bigint,
    private readonly factors: readonly bigint[],
    readonly payers: number,
    readonly poorPayers: number,
  ) {}
  get qNum(): bigint {
    this.reduced ??= reduceOver(this.num, this.den, this.factors)
    return this.reduced[0]
  }
  get qDen(): bigint {
    this.reduced ??= reduceOver(this.num, this.den, this.factors)
    return this.reduced[1]
  }
  toJSON(): MesRunStep {
    const { project, qNum, qDen, payers, poorPayers } = this
    return { project, qNum, qDen, payers, poorPayers }
  }
}

function reduceOver(num: bigint, den: bigint, factors: readonly bigint[]): [bigint, bigint] {
  if (num === 0n) return [0n, 1n]
  let n = num
  let d = den
  for (const f of factors) {
    const g = smallGcd(n, f)
    if (g !== 1n) {
      n /= g
      d /= g
    }
  }
  return [n, d]
}

/** gcd(x, r) for 0 < r < 2^53 (the rest in doubles, in int32 once small: gcdOfSafe). */
function smallGcd(x: bigint, r: bigint): bigint {
  return BigInt(gcdOfSafe(Number(r), Number(x % r)))
}

type GroupArray = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>

/** a itself when it has `length` entries, else a copy of it padded with `pad`. */
function widened<A extends GroupArray>(a: A, length: number, pad = 0): A {
  if (a.length === length) return a
  const out = new (a.constructor as new (length: number) => A)(length)
  ;(out as Float64Array).set(a)
  if (pad !== 0) out.fill(pad, a.length)
  return out
}

// Scratch for gathering a project's supporters, shared by all runs (they never interleave: nothing
// stays in it from one call to the next), grown as needed.
let scratch = {
  sId: EMPTY_I32 as Int32Array,
  sW: EMPTY_F64 as Float64Array,
  sU: EMPTY_F64 as Float64Array,
  sKey: EMPTY_F64 as Float64Array,
}

/**
 * The poor groups (classes) of the last exact price, shared by all runs like the above: they are
 * read only by the fund() that follows the search's exact price of the winner in the same run
 * (poorOf), before any other run can price anything. (An array per run cost 2% of a count of
 * Utilities_6.)
 */
let poorScratch = new Int32Array(64)

// raisedRhoUp's heap, shared by all runs like the above (nothing stays in it), grown as needed.
let raise = new Heap(EMPTY_F64, EMPTY_I32)

function raiseHeap(size: number): Heap {
  if (raise.capacity < size) {
    const n = Math.max(size, 2 * raise.capacity)
    raise = new Heap(new Float64Array(n), new Int32Array(n))
  }
  raise.size = 0
  return raise
}

function gatherScratch(size: number): typeof scratch {
  if (scratch.sId.length < size) {
    const n = Math.max(size, 2 * scratch.sId.length)
    scratch = {
      sId: new Int32Array(n),
      sW: new Float64Array(n),
      sU: new Float64Array(n),
      sKey: new Float64Array(n),
    }
  }
  return scratch
}

/** The index of g in order[0..len), whose keys are sorted and g's is `key`; -1 if not there. */
function positionOf(order: Int32Array, keys: Float64Array, len: number, key: number, g: number): number {
  let lo = 0
  let hi = len
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid]! < key) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < len && keys[i] === key; i++) if (order[i] === g) return i
  return -1
}

/** The number of keys[0..len) (sorted) at most `key`. */
function upperBound(keys: Float64Array, len: number, key: number): number {
  let lo = 0
  let hi = len
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid]! <= key) lo = mid + 1
    else hi = mid
  }
  return lo
}

function maxClassesPerProject(pr: MesProfile): number {
  let best = 1
  for (let p = 0; p < pr.nProjects; p++) best = Math.max(best, pr.projectStart[p + 1]! - pr.projectStart[p]!)
  return best
}
