import t from 'tap'
import { count, formatAmount } from '../../src/counting/index.js'
import type { RuleId } from '../../src/counting/types.js'
import { loadExpected, loadInstance } from './fixtures/pabulib.js'

// Every instance × rule of expected.json (pabutools 1.2.3): identical winner sets; for
// max_welfare_cost identical welfare, and identical winners when the optimum is unique.
for (const instance of loadExpected()) {
  t.test(`when the rules run on ${instance.file}, then they match pabutools`, async (t) => {
    const { election, numVoters } = loadInstance(instance.file)
    t.equal(numVoters, instance.num_voters, 'number of voters')
    t.equal(formatAmount(election.budget, election.scale), String(instance.budget), 'budget')
    for (const [rule, expected] of Object.entries(instance.rules) as [
      RuleId,
      NonNullable<(typeof instance.rules)[RuleId]>,
    ][]) {
      if (expected.winners === null) {
        t.skip(`${rule}: pabutools has no reference outcome (it timed out)`, async () => {})
        continue
      }
      let result: ReturnType<typeof count>
      try {
        result = count(election, rule)
      } catch (error) {
        t.fail(`${rule} threw: ${(error as Error).message}`)
        continue
      }
      const winners = [...expected.winners].sort()
      if (rule === 'max_welfare_cost') {
        t.equal(result.extras.welfare, String(expected.welfare), `${rule}: welfare`)
        t.ok(result.totalCost <= election.budget, `${rule}: within budget`)
        if (expected.unique_optimum === true) {
          t.same(result.winners, winners, `${rule}: winners (unique optimum)`)
          t.equal(result.extras.uniqueOptimum, true, `${rule}: optimum reported unique`)
        } else if (expected.unique_optimum === false) {
          t.equal(result.extras.uniqueOptimum, false, `${rule}: optimum reported not unique`)
        }
        continue
      }
      t.same(result.winners, winners, `${rule}: winners`)
      t.equal(
        formatAmount(result.totalCost, election.scale),
        String(expected.total_cost),
        `${rule}: total cost`,
      )
    }
  })
}
