import fc from 'fast-check'
import t from 'tap'
import { MesRun, type MesRunResult } from '../../src/counting/rules/mes-engine.js'
import { buildMesProfile } from '../../src/counting/rules/mes-profile.js'
import { idTieRank } from '../../src/counting/tie-break.js'
import { add1Verdict } from './fixtures/add1.js'
import { loadInstance } from './fixtures/pabulib.js'

/*
 * The add1 loop skips every budget increment inside a run's certificates (mes-engine.ts). Small
 * random elections rarely have what makes those certificates long on real files (thousands of
 * voter groups whose poor/rich decisions flip at nearby budgets), so they are checked here on
 * real elections: from random budgets, fresh runs at budgets the certificates cover must take the
 * same decisions (decision certificate) or fund the same projects in the same order (sequence).
 */
// With the largest budget increment mes_cost_add1 reaches on each (k of its result). Józsefváros
// (HUF, 918 voters) is small enough for hundreds of fresh runs and has both kinds of certificates.
// Budapest 2024 (28,943 voters, a run ~10 ms) has near ties between open projects whose keys are
// stale or who cannot afford the step any more (freshReach), and voters who paid their whole
// budget coming back (exAt), at almost every run: fewer, costlier runs.
/**
 * mes_cost runs on a real file: two profiles (runs of one profile share arrays, so an engine kept
 * for resume() and the fresh runs it is compared with must not share one) and the engine's inputs.
 */
function setupOn(file: string) {
  const { election } = loadInstance(file)
  const profile = buildMesProfile(election, 'cost')
  return {
    election,
    profile,
    fresh: buildMesProfile(election, 'cost'),
    perStep: profile.nVoters * 10 ** election.scale,
    input: {
      cost: election.projects.map((p) => p.cost),
      compareByCost: true,
      tieRank: idTieRank(election),
      eligible: new Uint8Array(election.projects.length).fill(1),
    },
  }
}

/** Everything a resumed run must share with a fresh run at its budget. */
const sig = (r: MesRunResult) =>
  `${r.steps.map((s) => `${s.project}:${s.qNum}/${s.qDen}:${s.payers}:${s.poorPayers}`)} ${r.totalCost} ${r.fate}`

const FILES = [
  { file: 'Hungary_Budapest_2023_VIII_Jozsefvaros.pb', maxK: 75_000, runs: 150, minChecked: 1000 },
  { file: 'Hungary_Budapest_2024.pb', maxK: 22_000, runs: 16, minChecked: 100 },
]

for (const { file, maxK, runs, minChecked } of FILES) {
  t.test(
    `when MES runs on ${file} certify their sequence of winners, then fresh runs inside agree`,
    async (tt) => {
      const { election, profile, fresh, perStep, input } = setupOn(file)
      const order = (r: MesRunResult) => r.steps.map((s) => s.project).join(',')
      const decisions = (r: MesRunResult) => `${order(r)} ${r.steps.map((s) => s.poorPayers).join(',')}`
      let checked = 0
      let resumed = 0
      let longer = 0
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: maxK }),
          fc.constantFrom(4, 16, 64, 256),
          // Increments after which the run is resumed, one after another (when it can be). At least
          // one: with 12 cases on Budapest 2024 and none at times, none resumed once in a while.
          fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
            minLength: 8,
            maxLength: 8,
          }),
          (k0, horizon, resumes, restrict, at) => {
            const T0 = election.budget + BigInt(k0 * perStep)
            const engine = new MesRun({
              ...input,
              profile,
              budgetScaled: T0,
              certify: true,
              sequence: true,
              horizon: horizon * perStep,
              snapshotBelow: 3 * perStep,
              restrict,
            })
            let base = engine.run()
            let from = T0
            // A resumed run, from its last step or from a snapshot (kept across earlier resumes),
            // must equal a fresh run at its budget.
            for (const after of resumes) {
              const T1 = from + BigInt(after * perStep)
              if (!engine.canResume(T1)) break
              base = engine.resume(T1)
              from = T1
              resumed++
              const expected = new MesRun({ ...input, profile: fresh, budgetScaled: T1 }).run()
              if (sig(base) !== sig(expected)) return false
            }
            if (base.sequenceStableFor > base.stableFor + perStep) longer++
            // Budgets spread over each certificate, its last scaled unit included.
            const probe = (reach: number, same: (r: MesRunResult) => boolean) => {
              const last = Math.min(Math.ceil(reach) - 1, 1000 * perStep)
              if (last < 1) return true
              for (const x of [...at, 1 - 1e-12]) {
                const d = Math.max(1, Math.floor(x * last))
                const run = new MesRun({ ...input, profile: fresh, budgetScaled: from + BigInt(d) }).run()
                checked++
                if (!same(run)) return false
              }
              return true
            }
            const seq = order(base)
            const dec = decisions(base)
            return (
              probe(base.stableFor, (r) => decisions(r) === dec) &&
              probe(base.sequenceStableFor, (r) => order(r) === seq)
            )
          },
        ),
        { numRuns: runs },
      )
      tt.ok(checked > minChecked, `${checked} budgets checked`)
      tt.ok(resumed >= runs / 12, `${resumed} resumed runs equal fresh ones`)
      tt.ok(longer > runs / 15, `${longer} sequence certificates reach beyond the decision certificate`)
    },
  )
}

t.test(
  'when a run is resumed at every increment for a long while, then it stays exact and its arrays stay sized to its groups',
  async (tt) => {
    // Toulouse 2024: decisions change at almost every increment, so most resumes restore a snapshot
    // (which puts the snapshot's short budget order in use beside a long spare one).
    const { election, profile, fresh, perStep, input } = setupOn('France_Toulouse_2024.pb')
    let engine: MesRun | undefined
    let resumed = 0
    let largest = 0
    for (let k = 0; k < 120; k++) {
      const T = election.budget + BigInt(k * perStep)
      let result: MesRunResult
      if (engine?.canResume(T)) {
        result = engine.resume(T)
        resumed++
        if (k % 10 === 0) {
          const expected = new MesRun({ ...input, profile: fresh, budgetScaled: T }).run()
          tt.equal(sig(result), sig(expected), `resumed run at k = ${k}`)
        }
      } else {
        engine = new MesRun({
          ...input,
          profile,
          budgetScaled: T,
          certify: true,
          restrict: true,
          snapshotBelow: 3 * perStep,
        })
        result = engine.run()
      }
      const inner = engine as unknown as { order: Int32Array; spareOrder: Int32Array }
      largest = Math.max(largest, inner.order.length, inner.spareOrder.length)
    }
    tt.ok(resumed > 60, `${resumed} of 120 runs resumed`)
    tt.ok(
      largest <= 2 * (profile.nClasses + 1),
      `budget order capacity ${largest} for ${profile.nClasses} classes`,
    )
  },
)

t.test(
  'when runs on a real file may stop once the add1 verdict is sure, then those that stop would have gone on, after the same first steps',
  async (tt) => {
    // Toulouse 2024: the add1 loop runs up to k = 669; past its first runs most of them stop early.
    const { election, profile, fresh, perStep, input } = setupOn('France_Toulouse_2024.pb')
    const goesOn = (r: MesRunResult) =>
      add1Verdict(election, r, (p) => profile.supporters[p]! > 0) === 'go on'
    let stopped = 0
    for (const k of [0, 40, 150, 300, 450, 600, 669, 670]) {
      const T = election.budget + BigInt(k * perStep)
      const whole = new MesRun({ ...input, profile: fresh, budgetScaled: T, restrict: true }).run()
      const run = new MesRun({
        ...input,
        profile,
        budgetScaled: T,
        restrict: true,
        stopBelow: election.budget,
      }).run()
      const order = (r: MesRunResult) => r.steps.map((s) => s.project).join(',')
      if (!run.stopped) {
        tt.equal(order(run), order(whole), `k = ${k}: whole run`)
        continue
      }
      stopped++
      tt.ok(goesOn(whole), `k = ${k}: the whole run leaves a project that fits`)
      tt.equal(order(whole).slice(0, order(run).length), order(run), `k = ${k}: same first steps`)
    }
    tt.ok(stopped >= 4, `${stopped} of 8 runs stopped early`)
  },
)

for (const { file, maxK, runs } of FILES) {
  t.test(
    `when certified runs on ${file} stop once the add1 verdict is sure, then whole runs inside their certificates go on after the same first steps`,
    async (tt) => {
      const { election, profile, fresh, perStep, input } = setupOn(file)
      const order = (r: MesRunResult) => r.steps.map((s) => s.project).join(',')
      const goesOn = (r: MesRunResult) =>
        add1Verdict(election, r, (p) => profile.supporters[p]! > 0) === 'go on'
      let stopped = 0
      let checked = 0
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: maxK }),
          fc.boolean(),
          fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 2 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
            minLength: 4,
            maxLength: 4,
          }),
          (k0, sequence, resumes, at) => {
            let from = election.budget + BigInt(k0 * perStep)
            const engine = new MesRun({
              ...input,
              profile,
              budgetScaled: from,
              certify: true,
              sequence,
              horizon: 64 * perStep,
              snapshotBelow: 3 * perStep,
              restrict: true,
              stopBelow: election.budget,
            })
            let run = engine.run()
            for (const after of resumes) {
              const T = from + BigInt(after * perStep)
              if (!engine.canResume(T)) break
              run = engine.resume(T)
              from = T
            }
            if (!run.stopped) return true
            stopped++
            const prefix = order(run)
            const last = Math.min(Math.ceil(run.sequenceStableFor) - 1, 1000 * perStep)
            for (const x of [0, ...at, 1 - 1e-12]) {
              const d = Math.floor(x * Math.max(last, 0))
              const whole = new MesRun({ ...input, profile: fresh, budgetScaled: from + BigInt(d) }).run()
              checked++
              if (!goesOn(whole) || !order(whole).startsWith(prefix)) return false
            }
            return true
          },
        ),
        { numRuns: runs },
      )
      tt.ok(stopped >= runs / 4, `${stopped} of ${runs} runs stopped early`)
      tt.ok(checked >= stopped, `${checked} budgets checked`)
    },
  )
}
