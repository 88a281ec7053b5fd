import t from 'tap'
import { checkReference } from './fixtures/reference.js'

// mes_cost_add1 runs MES once per unit of per-voter budget increase (hundreds of runs on some
// files); this file may take longer than tap's default limit.
t.setTimeout(20 * 60 * 1000)
checkReference(t, (rule) => rule === 'mes_cost_add1' || rule === 'mes_cost_add1_greedy')
