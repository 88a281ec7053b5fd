import { gcd, ratio } from './mes-exact.js'
import type { MesProfile } from './mes-profile.js'

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
  /** Exact remaining budget of p's supporters, in minor units: [num, den]. */
  remainingSupport(project: number): [bigint, bigint]
}

class Heap {
  private readonly keys: Float64Array
  private readonly items: Int32Array
  size = 0
  constructor(capacity: number) {
    this.keys = new Float64Array(capacity)
    this.items = new Int32Array(capacity)
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

export function runMes(input: MesRunInput): MesRunResult {
  return new MesRun(input).run()
}

class MesRun {
  private readonly pr: MesProfile
  private readonly P: number
  private readonly n: number
  private readonly T: bigint
  private readonly TF: number
  private readonly C: bigint[]
  private readonly CF: Float64Array
  private readonly div: bigint[]
  private readonly divF: Float64Array
  private readonly input: MesRunInput
  private readonly EB: number

  private D = 1n
  private TD: bigint
  private readonly a: bigint[] = []
  private readonly stepProject: number[] = []
  private readonly stepOf: Int32Array
  private readonly steps: MesRunStep[] = []
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
  private cnt = new Int32Array(0)
  private gB = new Float64Array(0)
  private gW = new Float64Array(0)
  private gPat: Int32Array[] = []
  private gChild = new Int32Array(0)
  private gPoor = new Uint8Array(0)
  private order = new Int32Array(0)
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
  private sIdx: number[] = []

  constructor(input: MesRunInput) {
    const pr = input.profile
    this.input = input
    this.pr = pr
    this.P = pr.nProjects
    this.n = pr.nVoters
    const n = BigInt(pr.nVoters)
    this.T = input.budgetScaled
    this.TF = Number(this.T)
    this.TD = this.T
    this.C = input.cost.map((c) => c * n)
    this.CF = Float64Array.from(this.C, (c) => Number(c))
    this.div = input.compareByCost ? this.C : this.C.map(() => 1n)
    this.divF = Float64Array.from(this.div, (c) => Number(c))
    this.EB = 4 * (this.P + 2) * EPS * this.TF
    this.stepOf = new Int32Array(this.P).fill(-1)
    this.fate = new Uint8Array(this.P)
    this.aliveW = Float64Array.from(pr.supporters)
    this.dirty = new Uint8Array(this.P)
    this.heap = new Heap(this.P)
    this.cacheNum = new Array(this.P).fill(undefined)
    this.cacheDen = new Array(this.P).fill(1n)
    this.N = new Float64Array(this.P)
    const maxSupport = pr.projectStart.length > 1 ? maxClassesPerProject(pr) : 0
    this.sId = new Int32Array(maxSupport)
    this.sW = new Float64Array(maxSupport)
    this.sU = new Float64Array(maxSupport)
    this.sKey = new Float64Array(maxSupport)
    this.classGroup = new Int32Array(pr.unit ? pr.nClasses : 0)
    this.cB = new Float64Array(pr.unit ? 0 : pr.nClasses).fill(this.TF)
    this.cPoor = new Uint8Array(pr.unit ? 0 : pr.nClasses)
    if (pr.unit) {
      this.growGroups(64)
      const g = this.newGroup(new Int32Array(0), this.TF)
      const P = this.P
      for (let c = 0; c < pr.nClasses; c++) {
        const w = pr.classWeight[c]!
        this.gW[g]! += w
        for (let i = pr.classStart[c]!; i < pr.classStart[c + 1]!; i++)
          this.cnt[g * P + pr.classProject[i]!]! += w
      }
      this.order = new Int32Array(64)
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
    for (let p = 0; p < P; p++) {
      if (fate[p] !== Fate.Open) continue
      const key = this.floatKey(p)
      if (key >= 0) this.heap.push(key, p)
    }
    const heap = this.heap
    const candidates: number[] = []
    while (heap.size > 0) {
      let best = -1
      let bestNum = 0n
      let bestDen = 1n
      let bound = Number.POSITIVE_INFINITY
      candidates.length = 0
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
          continue
        }
        candidates.push(p)
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
      for (const p of candidates) {
        if (p !== best) heap.push(this.lowerKeyOfCache(p), p)
      }
      this.fund(best)
    }
    return {
      steps: this.steps,
      fate,
      totalCost: this.totalCost,
      remainingSupport: (p) => this.remainingSupport(p),
    }
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
      if (this.fate[r] === Fate.Open) this.fate[r] = Fate.Removed
    }
  }

  // ---- groups (unit utilities) ----

  private growGroups(cap: number): void {
    const P = this.P
    const cnt = new Int32Array(cap * P)
    cnt.set(this.cnt)
    this.cnt = cnt
    const gB = new Float64Array(cap)
    gB.set(this.gB)
    this.gB = gB
    const gW = new Float64Array(cap)
    gW.set(this.gW)
    this.gW = gW
    const gChild = new Int32Array(cap).fill(-1)
    gChild.set(this.gChild)
    this.gChild = gChild
    const gPoor = new Uint8Array(cap)
    gPoor.set(this.gPoor)
    this.gPoor = gPoor
    this.gCap = cap
  }

  private newGroup(pattern: Int32Array, budget: number): number {
    if (this.nG === this.gCap) this.growGroups(this.gCap * 2)
    const g = this.nG++
    this.gPat[g] = pattern
    this.gB[g] = budget
    this.gW[g] = 0
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
      return -1
    }
    const C = this.CF[p]!
    let Pb = 0
    let m = 0
    let q = Number.NaN
    let R = 0
    if (this.pr.unit) {
      const { order, cnt, gB, P } = this
      let Pw = 0
      const len = this.orderLen
      for (let i = 0; i < len; i++) {
        const g = order[i]!
        const c = cnt[g * P + p]!
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
        Pw += c
      }
    } else {
      const k = this.gatherClasses(p)
      const idx = this.sortedGathered(k)
      let Ru = 0
      for (let j = 0; j < k; j++) Ru += this.sW[j]! * this.sU[j]!
      for (const j of idx) {
        m++
        R = Ru
        const x = (C - Pb) / R
        if (x <= this.sKey[j]!) {
          q = x
          break
        }
        Pb += this.sW[j]! * this.sKey[j]! * this.sU[j]!
        Ru -= this.sW[j]! * this.sU[j]!
      }
    }
    const errSum = (m * EPS * this.TF + this.EB) * W
    if (Number.isNaN(q)) {
      if (Pb + 2 * errSum < C * (1 - 4 * EPS)) {
        this.fate[p] = Fate.Unaffordable
        return -1
      }
      // Too close to call: let the exact computation decide when p is popped.
      return 0
    }
    const errQ = 4 * ((errSum + EPS * C) / R + EPS * q)
    const low = ((q - errQ) / this.divF[p]!) * (1 - 4 * EPS)
    return Math.max(low, 0)
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

  private sortedGathered(k: number): number[] {
    const idx = this.sIdx
    idx.length = k
    for (let j = 0; j < k; j++) idx[j] = j
    const key = this.sKey
    idx.sort((x, y) => key[x]! - key[y]!)
    return idx
  }

  private gatherGroups(p: number): number {
    const { order, cnt, gB, P } = this
    let k = 0
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      const c = cnt[g * P + p]!
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
      for (const step of this.gPat[id]!) s -= this.a[step]!
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
      for (const step of this.gPat[id]!) N[step]! += c
    } else {
      const pr = this.pr
      const w = this.sW[j]!
      for (let i = pr.classStart[id]!; i < pr.classStart[id + 1]!; i++) {
        const step = this.stepOf[pr.classProject[i]!]!
        if (step >= 0) N[step]! += w * pr.classUtil[i]!
      }
    }
  }

  private markPoor(j: number): void {
    if (this.pr.unit) this.gPoor[this.sId[j]!] = 1
    else this.cPoor[this.sId[j]!] = 2
  }

  /**
   * The exact price of p, or undefined when its supporters cannot afford it. With `mark`, flags the
   * poor groups/classes (those who pay their whole budget).
   */
  private exact(p: number, mark: boolean): Exact | undefined {
    const first = this.exactSplit(p, mark, true)
    if (first !== null) return first
    return this.exactSplit(p, mark, false) ?? undefined
  }

  /** null: the float split could not be confirmed (retry with all entries compared exactly). */
  private exactSplit(p: number, mark: boolean, useFloat: boolean): Exact | undefined | null {
    const k = this.pr.unit ? this.gatherGroups(p) : this.gatherClasses(p)
    const { sW, sU, sKey, N } = this
    const steps = this.a.length
    N.fill(0, 0, steps)
    let qF = Number.NaN
    let Wtot = 0
    let Rtot = 0
    for (let j = 0; j < k; j++) {
      Wtot += sW[j]!
      Rtot += sW[j]! * sU[j]!
    }
    if (useFloat) {
      // Float split over all entries in key order, as in floatKey.
      const idx = this.sortedGathered(k)
      const C = this.CF[p]!
      let Pb = 0
      let Ru = Rtot
      for (const j of idx) {
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
    const margin = Math.max(1e-9 * this.TF, 1e-12 * qF)
    let WP = 0
    let R = Rtot
    const amb: number[] = []
    for (let j = 0; j < k; j++) {
      const key = sKey[j]!
      if (useFloat && key < qF - margin) {
        WP += sW[j]!
        R -= sW[j]! * sU[j]!
        this.addPoor(j)
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
    const bn = new Map<number, bigint>()
    for (const j of amb) bn.set(j, this.budgetNum(j))
    amb.sort((x, y) => {
      const l = bn.get(x)! * BigInt(sU[y]!)
      const r = bn.get(y)! * BigInt(sU[x]!)
      return l < r ? -1 : l > r ? 1 : 0
    })
    let stop = amb.length
    let Rb = BigInt(R)
    for (let i = 0; i < amb.length; i++) {
      const j = amb[i]!
      const b = bn.get(j)!
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
    if (mark) {
      for (let j = 0; j < k; j++) {
        if (useFloat && sKey[j]! < qF - margin) this.markPoor(j)
      }
      for (let i = 0; i < stop; i++) this.markPoor(amb[i]!)
    }
    void Wtot
    return { num: base, den }
  }

  // ---- funding ----

  private fund(p: number): void {
    const ex = this.exact(p, true)!
    const pr = this.pr
    // q = ex.num / ex.den; bring it over the common denominator D.
    let num = ex.num
    let den = ex.den
    const g1 = gcd(num, den)
    if (g1 > 1n) {
      num /= g1
      den /= g1
    }
    const g2 = gcd(this.D, den)
    const factor = den / g2
    if (factor !== 1n) {
      const a = this.a
      for (let s = 0; s < a.length; s++) a[s] = a[s]! * factor
      this.D *= factor
      this.TD = this.T * this.D
    }
    const step = this.a.length
    this.a.push(num * (this.D / den))
    this.stepProject.push(p)
    this.stepOf[p] = step
    const qF = ratio(num, den)
    this.fate[p] = Fate.Funded
    this.totalCost += this.input.cost[p]!
    let payers = 0
    let poorPayers = 0
    const dirty = this.dirty
    const aliveW = this.aliveW
    if (pr.unit) {
      const P = this.P
      const touched: number[] = []
      for (let i = pr.projectStart[p]!; i < pr.projectStart[p + 1]!; i++) {
        const c = pr.projectClass[i]!
        const g = this.classGroup[c]!
        if (g < 0) continue
        const w = pr.classWeight[c]!
        payers += w
        const start = pr.classStart[c]!
        const end = pr.classStart[c + 1]!
        if (this.gPoor[g]) {
          poorPayers += w
          this.classGroup[c] = -1
          for (let t = start; t < end; t++) {
            const x = pr.classProject[t]!
            this.cnt[g * P + x]! -= w
            aliveW[x]! -= w
            dirty[x] = 1
          }
        } else {
          let h = this.gChild[g]!
          if (h < 0) {
            const pat = new Int32Array(this.gPat[g]!.length + 1)
            pat.set(this.gPat[g]!)
            pat[pat.length - 1] = step
            h = this.newGroup(pat, this.gB[g]! - qF)
            this.gChild[g] = h
            touched.push(g)
          }
          this.classGroup[c] = h
          const cnt = this.cnt
          for (let t = start; t < end; t++) {
            const x = pr.classProject[t]!
            cnt[g * P + x]! -= w
            cnt[h * P + x]! += w
            dirty[x] = 1
          }
          this.gW[h]! += w
        }
        this.gW[g]! -= w
      }
      this.rebuildOrder()
      for (const g of touched) this.gChild[g] = -1
      this.gPoor.fill(0, 0, this.nG)
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
    this.steps.push({ project: p, qNum: num, qDen: den, payers, poorPayers })
    this.removeAfter(p)
  }

  private rebuildOrder(): void {
    const { order, gW, gChild, gB } = this
    const kept: number[] = []
    const children: number[] = []
    for (let i = 0; i < this.orderLen; i++) {
      const g = order[i]!
      if (gChild[g]! >= 0) children.push(gChild[g]!)
      if (gW[g]! > 0) kept.push(g)
    }
    const total = kept.length + children.length
    if (this.order.length < total) this.order = new Int32Array(Math.max(total, this.order.length * 2))
    const out = this.order
    let i = 0
    let j = 0
    let o = 0
    while (i < kept.length && j < children.length) {
      if (gB[kept[i]!]! <= gB[children[j]!]!) out[o++] = kept[i++]!
      else out[o++] = children[j++]!
    }
    while (i < kept.length) out[o++] = kept[i++]!
    while (j < children.length) out[o++] = children[j++]!
    this.orderLen = o
  }

  private remainingSupport(p: number): [bigint, bigint] {
    const k = this.pr.unit ? this.gatherGroups(p) : this.gatherClasses(p)
    let s = 0n
    for (let j = 0; j < k; j++) s += BigInt(this.sW[j]!) * this.budgetNum(j)
    return [s, this.D * BigInt(this.n)]
  }
}

function maxClassesPerProject(pr: MesProfile): number {
  let best = 1
  for (let p = 0; p < pr.nProjects; p++) best = Math.max(best, pr.projectStart[p + 1]! - pr.projectStart[p]!)
  return best
}
