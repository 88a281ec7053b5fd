import t from 'tap'
import { checkReference } from './fixtures/reference.js'

// Every instance × rule of expected.json except the two add1 MES rules, which take minutes on
// the large files and run in reference-mes-add1.test.ts, in parallel and with their own time limit.
checkReference(t, (rule) => rule !== 'mes_cost_add1' && rule !== 'mes_cost_add1_greedy')
