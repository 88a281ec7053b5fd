import fc from 'fast-check'
import t from 'tap'
import { Fraction } from '../../src/counting/fraction.js'
import { count } from '../../src/counting/index.js'
import { mesCardinal, mesCardinality, mesCost, mesCostAdd1 } from '../../src/counting/rules/mes.js'
import { MesRun, type MesRunResult } from '../../src/counting/rules/mes-engine.js'
import { buildMesProfile } from '../../src/counting/rules/mes-profile.js'
import { idTieRank } from '../../src/counting/tie-break.js'
import type { Election, TieRank } from '../../src/counting/types.js'
import { add1Verdict } from './fixtures/add1.js'
import { approvalElection } from './fixtures/arbitraries.js'

/** Where the naive MES below start: supported free projects funded, the other supported ones open. */
function startOf(e: Election, supporters: readonly (readonly number[])[]) {
  const funded: number[] = []
  const open = new Set<number>()
  e.projects.forEach((project, p) => {
    if (supporters[p]!.length === 0) return
    if (project.cost === 0n) funded.push(p)
    else open.add(p)
  })
  return { funded, open }
}

/** The README's MES, voter by voter, with Fraction budgets: slow and obviously right. */
function naiveMes(e: Election, byCost: boolean, perVoter: Fraction, rank: TieRank): number[] {
  const voters: (readonly number[])[] = []
  for (const b of e.ballots) for (let i = 0; i < b.weight; i++) voters.push(b.projects)
  const budget = voters.map(() => perVoter)
  const supporters = e.projects.map((_, p) => voters.flatMap((v, i) => (v.includes(p) ? [i] : [])))
  const { funded, open } = startOf(e, supporters)
  for (;;) {
    let best: { p: number; rho: Fraction; price: Fraction } | undefined
    for (const p of [...open]) {
      const cost = Fraction.of(e.projects[p]!.cost)
      const held = supporters[p]!.map((i) => budget[i]!).sort((x, y) => x.compare(y))
      if (held.reduce((s, b) => s.add(b), Fraction.ZERO).compare(cost) < 0) {
        open.delete(p)
        continue
      }
      let poor = Fraction.ZERO
      let price = Fraction.ZERO
      for (let i = 0; i < held.length; i++) {
        price = cost.sub(poor).div(Fraction.of(held.length - i))
        if (price.compare(held[i]!) <= 0) break
        poor = poor.add(held[i]!)
      }
      const rho = byCost ? price.div(cost) : price
      const c = best === undefined ? -1 : rho.compare(best.rho)
      if (c < 0 || (c === 0 && rank[p]! < rank[best!.p]!)) best = { p, rho, price }
    }
    if (best === undefined) return funded
    for (const i of supporters[best.p]!) {
      const b = budget[i]!
      budget[i] = b.compare(best.price) <= 0 ? Fraction.ZERO : b.sub(best.price)
    }
    open.delete(best.p)
    funded.push(best.p)
  }
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)

/**
 * The README's MES with points as utilities (mes_cardinal), voter by voter, with Fraction
 * budgets: each supporter pays the price per point times its points, or its whole budget.
 */
function naiveMesCardinal(e: Election, rank: TieRank): number[] {
  const voters: { points: Map<number, number> }[] = []
  for (const b of e.ballots) {
    const points = new Map(b.projects.map((p, i) => [p, b.points![i]!] as const).filter(([, u]) => u > 0))
    for (let i = 0; i < b.weight; i++) voters.push({ points })
  }
  const perVoter = Fraction.of(e.budget, voters.length)
  const budget = voters.map(() => perVoter)
  const supporters = e.projects.map((_, p) => voters.flatMap((v, i) => (v.points.has(p) ? [i] : [])))
  const { funded, open } = startOf(e, supporters)
  for (;;) {
    let best: { p: number; q: Fraction } | undefined
    for (const p of [...open]) {
      const cost = Fraction.of(e.projects[p]!.cost)
      const who = supporters[p]!
      if (who.reduce((s, i) => s.add(budget[i]!), Fraction.ZERO).compare(cost) < 0) {
        open.delete(p)
        continue
      }
      // By budget per point: the first ones may pay everything they hold.
      const byRatio = [...who].sort((x, y) =>
        budget[x]!.div(Fraction.of(voters[x]!.points.get(p)!)).compare(
          budget[y]!.div(Fraction.of(voters[y]!.points.get(p)!)),
        ),
      )
      let paid = Fraction.ZERO
      let points = byRatio.reduce((s, i) => s + voters[i]!.points.get(p)!, 0)
      let q = Fraction.ZERO
      for (const i of byRatio) {
        const u = voters[i]!.points.get(p)!
        q = cost.sub(paid).div(Fraction.of(points))
        if (q.mul(Fraction.of(u)).compare(budget[i]!) <= 0) break
        paid = paid.add(budget[i]!)
        points -= u
      }
      const c = best === undefined ? -1 : q.compare(best.q)
      if (c < 0 || (c === 0 && rank[p]! < rank[best!.p]!)) best = { p, q }
    }
    if (best === undefined) return funded
    for (const i of supporters[best.p]!) {
      const owe = best.q.mul(Fraction.of(voters[i]!.points.get(best.p)!))
      budget[i] = budget[i]!.compare(owe) <= 0 ? Fraction.ZERO : budget[i]!.sub(owe)
    }
    open.delete(best.p)
    funded.push(best.p)
  }
}

/**
 * The inputs of MesRun for mes_cost on e, with two profiles: runs of one profile share arrays, so
 * an engine kept for resume() and the fresh runs it is compared with must not share one.
 */
function engineSetup(e: Election) {
  return {
    mine: buildMesProfile(e, 'cost'),
    fresh: buildMesProfile(e, 'cost'),
    input: {
      cost: e.projects.map((p) => p.cost),
      compareByCost: true,
      tieRank: idTieRank(e),
      eligible: new Uint8Array(e.projects.length).fill(1),
    },
  }
}
const votersOf = (e: Election) => e.ballots.reduce((n, b) => n + b.weight, 0)

t.test(
  'when compared with a voter-by-voter Fraction MES, then mes_cost and mes_cardinality agree',
  async () => {
    fc.assert(
      fc.property(approvalElection(), (e) => {
        const n = votersOf(e)
        if (n === 0) return true
        const rank = idTieRank(e)
        const perVoter = Fraction.of(e.budget, n)
        const cost = mesCost(e, { tieRank: rank, options: {} })
        const card = mesCardinality(e, { tieRank: rank, options: {} })
        return (
          JSON.stringify(sorted(cost.funded)) === JSON.stringify(sorted(naiveMes(e, true, perVoter, rank))) &&
          JSON.stringify(sorted(card.funded)) === JSON.stringify(sorted(naiveMes(e, false, perVoter, rank)))
        )
      }),
      { numRuns: 150 },
    )
  },
)

t.test('when compared with a voter-by-voter Fraction MES with points, then mes_cardinal agrees', async () => {
  fc.assert(
    fc.property(
      approvalElection({ maxCost: 40, maxBallots: 12 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 64, maxLength: 64 }),
      (approval, draws) => {
        let d = 0
        const e: Election = {
          ...approval,
          voteType: 'cumulative',
          ballots: approval.ballots.map((b) => ({ ...b, points: b.projects.map(() => draws[d++ % 64]!) })),
        }
        if (votersOf(e) === 0) return true
        const rank = idTieRank(e)
        const got = mesCardinal(e, { tieRank: rank, options: {} })
        return JSON.stringify(sorted(got.funded)) === JSON.stringify(sorted(naiveMesCardinal(e, rank)))
      },
    ),
    { numRuns: 300 },
  )
})

t.test(
  'when add1 skips budget increments, then it returns what the plain k = 0, 1, 2, … loop returns',
  async () => {
    fc.assert(
      fc.property(approvalElection({ maxCost: 30 }), (e) => {
        const n = votersOf(e)
        if (n === 0) return true
        const rank = idTieRank(e)
        const supported = new Set(e.ballots.flatMap((b) => b.projects))
        const outcomeAt = (k: number) => naiveMes(e, true, Fraction.of(e.budget + BigInt(k * n), n), rank)
        const costOf = (ps: number[]) => ps.reduce((s, p) => s + e.projects[p]!.cost, 0n)
        let expected: number[] = []
        let previous: number[] = []
        for (let k = 0; ; k++) {
          const now = outcomeAt(k)
          if (costOf(now) > e.budget) {
            expected = previous
            break
          }
          const left = e.budget - costOf(now)
          const fits = e.projects.some(
            (p, i) => !now.includes(i) && supported.has(i) && p.cost > 0n && p.cost <= left,
          )
          if (!fits) {
            expected = now
            break
          }
          previous = now
        }
        const got = mesCostAdd1(e, { tieRank: rank, options: {} })
        return JSON.stringify(sorted(got.funded)) === JSON.stringify(sorted(expected))
      }),
      { numRuns: 100 },
    )
  },
)

t.test('when a MES run is resumed at a larger budget, then it equals a fresh run there', async (tt) => {
  let resumed = 0
  fc.assert(
    fc.property(
      approvalElection({ maxCost: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (e, snapAt, restrict) => {
        const n = votersOf(e)
        if (n === 0) return true
        const { mine, fresh, input: base } = engineSetup(e)
        // restrict: the engine drops the projects nobody can afford at the start from the ballots.
        const input = { ...base, certify: true, restrict }
        const sig = (r: MesRunResult) =>
          JSON.stringify(r.steps, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) +
          `${r.totalCost} ${Array.from(r.fate)} ${e.projects.map((_, p) => r.remainingSupport(p).join('/'))}`
        let engine: MesRun | undefined
        for (let k = 0n; k < 40n; k++) {
          const T = e.budget + k * BigInt(n)
          const expected = new MesRun({ ...input, profile: fresh, budgetScaled: T }).run()
          if (engine?.canResume(T)) {
            resumed++
            if (sig(engine.resume(T)) !== sig(expected)) return false
          } else {
            engine = new MesRun({ ...input, profile: mine, budgetScaled: T, snapshotBelow: snapAt * n })
            if (sig(engine.run()) !== sig(expected)) return false
          }
        }
        return true
      },
    ),
    { numRuns: 150 },
  )
  tt.ok(resumed > 0, `${resumed} resumed runs`)
})

t.test(
  'when a run certifies its sequence of winners up to some budget, then fresh runs anywhere below it fund the same projects in the same order',
  async (tt) => {
    let checked = 0
    let beyondDecisions = 0
    fc.assert(
      fc.property(
        fc.oneof(
          approvalElection({ maxCost: 40, maxProjects: 8 }),
          approvalElection({ maxCost: 300, maxProjects: 8, maxBallots: 30, maxWeight: 5 }),
          approvalElection({ maxCost: 2000, maxProjects: 8, maxBallots: 40, maxWeight: 20 }),
        ),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(Number.POSITIVE_INFINITY, 1, 2, 3, 10, 40),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
        fc.boolean(),
        (e, k0, horizonSteps, resumes, restrict) => {
          const n = votersOf(e)
          if (n === 0) return true
          const { mine, fresh, input } = engineSetup(e)
          const order = (r: MesRunResult) => r.steps.map((s) => s.project).join(',')
          const T0 = e.budget + BigInt(k0 * n)
          const engine = new MesRun({
            ...input,
            profile: mine,
            budgetScaled: T0,
            certify: true,
            sequence: true,
            horizon: horizonSteps * n,
            snapshotBelow: n,
            restrict,
          })
          let base = engine.run()
          let from = T0
          // Also certificates of resumed runs (their kept steps carry the earlier run's certificate),
          // resumed one after another, from snapshots kept across resumes.
          for (const after of resumes) {
            const T1 = from + BigInt(after)
            if (!engine.canResume(T1)) break
            base = engine.resume(T1)
            from = T1
          }
          const reach = base.sequenceStableFor
          if (!(reach >= base.stableFor)) return false
          if (reach > base.stableFor + 1) beyondDecisions++
          // Every scaled budget the certificate covers, up to 600 of them.
          const last = Math.min(Math.ceil(reach) - 1, 600)
          for (let d = 1; d <= last; d++) {
            const run = new MesRun({ ...input, profile: fresh, budgetScaled: from + BigInt(d) }).run()
            checked++
            if (order(run) !== order(base)) return false
          }
          return true
        },
      ),
      { numRuns: 400 },
    )
    tt.ok(checked > 1000, `${checked} budgets checked`)
    tt.ok(beyondDecisions > 0, `${beyondDecisions} certificates reach beyond the decision certificate`)
  },
)

/** Small elections on which add1's runs often stop early (with k = 0 to 3). */
const stoppingElections = fc.oneof(
  approvalElection({ maxCost: 30, maxProjects: 8, maxBallots: 20 }),
  approvalElection({ maxCost: 300, maxProjects: 8, maxBallots: 30, maxWeight: 5 }),
)

t.test(
  'when a run may stop once the add1 verdict is sure, then it stops only on "go on", after some of the steps of the whole run',
  async (tt) => {
    let stopped = 0
    fc.assert(
      fc.property(stoppingElections, fc.integer({ min: 0, max: 3 }), fc.boolean(), (e, k, restrict) => {
        const n = votersOf(e)
        if (n === 0) return true
        const { mine, fresh, input } = engineSetup(e)
        const T = e.budget + BigInt(k * n)
        const whole = new MesRun({ ...input, profile: fresh, budgetScaled: T, restrict }).run()
        const run = new MesRun({
          ...input,
          profile: mine,
          budgetScaled: T,
          restrict,
          stopBelow: e.budget,
        }).run()
        const order = (r: MesRunResult) => r.steps.map((s) => s.project)
        if (!run.stopped) return JSON.stringify(order(run)) === JSON.stringify(order(whole))
        stopped++
        const supported = (p: number) => mine.supporters[p]! > 0
        return (
          add1Verdict(e, whole, supported) === 'go on' &&
          JSON.stringify(order(run)) === JSON.stringify(order(whole).slice(0, run.steps.length))
        )
      }),
      { numRuns: 2000 },
    )
    tt.ok(stopped > 50, `${stopped} runs stopped early`)
  },
)

t.test(
  'when a certified run stops once the add1 verdict is sure, then its certificates hold that verdict, resumed or not',
  async (tt) => {
    let stopped = 0
    let checked = 0
    let resumed = 0
    fc.assert(
      fc.property(
        stoppingElections,
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
        (e, k0, sequence, restrict, resumes) => {
          const n = votersOf(e)
          if (n === 0) return true
          const { mine, fresh, input } = engineSetup(e)
          const supported = (p: number) => mine.supporters[p]! > 0
          const order = (r: MesRunResult) => r.steps.map((s) => s.project).join(',')
          const options = { ...input, certify: true, sequence, restrict, stopBelow: e.budget }
          let from = e.budget + BigInt(k0 * n)
          const engine = new MesRun({ ...options, profile: mine, budgetScaled: from, snapshotBelow: n })
          let run = engine.run()
          for (const after of [0, ...resumes]) {
            if (after > 0) {
              const T = from + BigInt(after)
              if (!engine.canResume(T)) break
              run = engine.resume(T)
              from = T
              resumed++
            }
            if (!run.stopped) {
              // (A resumed run may stop at another step than a fresh one: it keeps the drops certified
              // before, which a fresh run finds when it gets to them.)
              const whole = new MesRun({ ...input, profile: fresh, budgetScaled: from }).run()
              if (order(run) !== order(whole)) return false
              continue
            }
            stopped++
            // Every scaled budget the certificate covers, up to 300 of them: the whole run there goes on.
            const last = Math.min(Math.ceil(run.sequenceStableFor) - 1, 300)
            for (let d = 0; d <= last; d++) {
              const whole = new MesRun({ ...input, profile: fresh, budgetScaled: from + BigInt(d) }).run()
              checked++
              if (add1Verdict(e, whole, supported) !== 'go on') return false
              if (!order(whole).startsWith(order(run))) return false
            }
          }
          return true
        },
      ),
      { numRuns: 1500 },
    )
    tt.ok(stopped > 50, `${stopped} runs stopped early`)
    tt.ok(checked > 1000, `${checked} budgets checked`)
    tt.ok(resumed > 50, `${resumed} resumed runs`)
  },
)

t.test(
  'when approval ballots are counted as rankings or points in any order, then unit-utility MES gives the same count',
  async (t) => {
    // Each ballot twice, once reversed: as rankings (or points) these are different ballots of one
    // set, merged into one class by the profile; as approvals they stay two (or one) as given.
    fc.assert(
      fc.property(
        approvalElection(),
        fc.constantFrom('ordinal' as const, 'cumulative' as const),
        (e, voteType) => {
          const ballots = e.ballots.flatMap((b) => [b, { ...b, projects: [...b.projects].reverse() }])
          const approval: Election = { ...e, ballots }
          const other: Election = {
            ...e,
            voteType,
            ballots: ballots.map((b) =>
              voteType === 'cumulative' ? { ...b, points: b.projects.map((_, i) => i + 1) } : b,
            ),
          }
          for (const rule of ['mes_cost', 'mes_cardinality', 'mes_cost_add1'] as const) {
            const expected = count(approval, rule)
            const got = count(other, rule)
            t.same(got.winners, expected.winners, rule)
            t.same(got.explanation, expected.explanation, `${rule}: explanation`)
          }
        },
      ),
      { numRuns: 200 },
    )
  },
)
