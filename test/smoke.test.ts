import t from 'tap'
import type { Project } from '../src/counting/types.js'

t.test('when a project is built, then its cost is exact', async (t) => {
  const p: Project = { id: 'a', cost: 10n, categories: [] }
  t.equal(p.cost, 10n)
})
