import t from 'tap'
import { Fraction } from '../../src/counting/fraction.js'
import { count } from '../../src/counting/index.js'
import type { Election, RuleId } from '../../src/counting/types.js'
import { loadInstance } from './fixtures/pabulib.js'

/**
 * The remaining budget of each project's supporters after the funded steps, replayed independently
 * in exact fractions (voter by ballot, unit utilities): every supporter of a step's project pays
 * min(budget, q), q the price at which the payments cover the cost.
 */
function replayedSupport(
  election: Election,
  perVoter: Fraction,
  funded: readonly string[],
): Map<string, string> {
  const index = new Map(election.projects.map((p, i) => [p.id, i]))
  const budgets = election.ballots.map(() => perVoter)
  for (const id of funded) {
    const p = index.get(id)!
    const cost = Fraction.of(election.projects[p]!.cost)
    const payers = election.ballots.flatMap((b, i) => (b.projects.includes(p) ? [i] : []))
    if (cost.equals(Fraction.ZERO)) continue
    payers.sort((a, b) => budgets[a]!.compare(budgets[b]!))
    let paid = Fraction.ZERO
    let rich = payers.reduce((w, i) => w + election.ballots[i]!.weight, 0)
    let q: Fraction | undefined
    for (const i of payers) {
      const candidate = cost.sub(paid).div(Fraction.of(rich))
      if (budgets[i]!.compare(candidate) >= 0) {
        q = candidate
        break
      }
      paid = paid.add(budgets[i]!.mul(Fraction.of(election.ballots[i]!.weight)))
      rich -= election.ballots[i]!.weight
    }
    if (q === undefined) throw new Error(`the replay cannot afford ${id}`)
    for (const i of payers) budgets[i] = budgets[i]!.compare(q) <= 0 ? Fraction.ZERO : budgets[i]!.sub(q)
  }
  const support = new Map<string, string>()
  election.projects.forEach((project, p) => {
    let sum = Fraction.ZERO
    election.ballots.forEach((b, i) => {
      if (b.projects.includes(p)) sum = sum.add(budgets[i]!.mul(Fraction.of(b.weight)))
    })
    support.set(project.id, sum.toString())
  })
  return support
}

// Small files take the double fast path of the engine, the larger ones its BigInt one (the common
// denominator outgrows 2^53 after a few steps).
const cases: [string, RuleId[]][] = [
  ['Netherlands_Amsterdam_643.pb', ['mes_cost', 'mes_cardinality', 'mes_cost_add1']],
  ['Netherlands_Assen_2024.pb', ['mes_cost', 'mes_cardinality', 'mes_cost_add1']],
  ['Worldwide_Mechanical_Turk_Utilities_6.pb', ['mes_cost', 'mes_cardinality']],
  ['France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb', ['mes_cost', 'mes_cost_add1']],
  ['Poland_Czestochowa_2024_Lisiniec.pb', ['mes_cost', 'mes_cardinality', 'mes_cost_add1']],
  ['Hungary_Budapest_2023_VIII_Jozsefvaros.pb', ['mes_cost']],
]

for (const [file, rules] of cases) {
  t.test(
    `when MES explains ${file}, then each unfunded project's supporters' budget is the exact remainder`,
    async (t) => {
      const { election } = loadInstance(file)
      const n = election.ballots.reduce((s, b) => s + b.weight, 0)
      for (const rule of rules) {
        const r = count(election, rule)
        const k = BigInt((r.extras.budgetIncrement as string | undefined) ?? '0')
        const total = election.budget + k * BigInt(n) * 10n ** BigInt(election.scale)
        const support = replayedSupport(
          election,
          Fraction.of(total, n),
          r.explanation.steps.map((s) => s.project),
        )
        const short = r.explanation.unfunded.filter((u) => u.reason === 'supporters_budget_short')
        t.ok(short.length > 0, `${rule}: some project is short of its supporters' money`)
        for (const u of short)
          t.equal(u.detail?.supportersBudget, support.get(u.project), `${rule} ${u.project}`)
      }
    },
  )
}
