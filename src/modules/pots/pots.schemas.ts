import { z } from 'zod'
import { localizedText } from '../../lib/i18n.js'

const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Integer minor units (cents)')
const bps = z.number().int().min(0).max(10_000)

export const MunicipalityWidePotSchema = z
  .union([
    z.strictObject({ amount: money }),
    z.strictObject({ bps: bps.describe('Share of the total in basis points') }),
  ])
  .describe('A municipality-wide pot taken from the total first')

/** How a round's money becomes pots; the variant must match the round's method. */
export const PotPlanSchema = z
  .discriminatedUnion('method', [
    z.strictObject({
      method: z.literal('sector'),
      sectors: z
        .array(z.strictObject({ sectorId: z.uuid(), amount: money }))
        .min(1)
        .max(100),
    }),
    z.strictObject({
      method: z.literal('area'),
      total: money,
      split: z.enum(['fixed', 'equal', 'population']),
      amounts: z
        .array(z.strictObject({ areaId: z.uuid(), amount: money }))
        .min(1)
        .max(500)
        .optional()
        .describe(
          'split fixed: the amount of each area; they must sum to the total (less the municipality pot)',
        ),
      areaIds: z
        .array(z.uuid())
        .min(1)
        .max(500)
        .optional()
        .describe("split equal or population: the areas (default: all of the organization's areas)"),
      floor: money.optional().describe('split population: the minimum each area receives'),
      municipalityWide: MunicipalityWidePotSchema.optional(),
    }),
    z.strictObject({
      method: z.literal('project'),
      amount: money,
      name: localizedText(300).optional().describe("The project's name (default: the round's title)"),
    }),
    z.strictObject({
      method: z.literal('percentage'),
      budgetLine: z.strictObject({
        code: z.string().min(1).max(64),
        name: localizedText(300).optional(),
        amount: money.describe('The budget line, in minor units'),
      }),
      shareBps: bps.min(1).describe('The share of the budget line, in basis points (100 = 1 %)'),
    }),
  ])
  .meta({
    id: 'PotPlan',
    examples: [
      {
        method: 'area',
        total: 10_000_000,
        split: 'population',
        floor: 1_000_000,
        municipalityWide: { bps: 2000 },
      },
    ],
  })

export const PotSchema = z
  .object({
    id: z.uuid().nullable().describe('null in a preview'),
    code: z.string(),
    kind: z.enum(['sector', 'area', 'municipality', 'project', 'percentage']),
    name: z.record(z.string(), z.string()),
    localized: z.object({ language: z.string(), name: z.string() }),
    amount: money,
    exactAmount: z.string().nullable().describe('The exact amount before rounding, "p/q", for split pots'),
    areaId: z.uuid().nullable(),
    sectorId: z.uuid().nullable(),
    shareBps: z.number().int().nullable(),
    budgetLine: z.object({ code: z.string(), amount: money }).nullable(),
    position: z.number().int(),
  })
  .meta({ id: 'Pot' })

export const PotsSchema = z
  .object({
    roundId: z.uuid(),
    method: z.enum(['sector', 'area', 'project', 'percentage']).nullable(),
    total: money,
    pots: z.array(PotSchema),
    steps: z.array(z.record(z.string(), z.unknown())).describe('How the amounts were computed, for checking'),
  })
  .meta({ id: 'Pots' })

export type PotPlan = z.output<typeof PotPlanSchema>
export type PotView = z.output<typeof PotSchema>
export type PotsView = z.output<typeof PotsSchema>
