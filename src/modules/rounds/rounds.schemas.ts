import { z } from 'zod'
import { RULE_IDS } from '../../counting/index.js'
import { localizedText } from '../../lib/i18n.js'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'

export const PURPOSES = ['allocation', 'resource_mapping', 'co_planning', 'savings', 'cooperation'] as const
export const METHODS = ['sector', 'area', 'project', 'percentage'] as const
export const PHASES = [
  'ideation',
  'co_planning',
  'review',
  'voting',
  'counting',
  'results',
  'follow_up',
] as const
export const STATUSES = ['draft', 'published', 'closed', 'archived'] as const

export const SAVINGS_RULES = ['savings_min_objection', 'savings_greedy'] as const
export const SHARES_RULES = ['shares_mean', 'shares_independent_markets'] as const
export const COUNTING_RULES = [...RULE_IDS, ...SAVINGS_RULES, ...SHARES_RULES] as const
export const TIE_BREAKS = ['id', 'cost_asc', 'cost_desc', 'votes_desc', 'lottery'] as const

export const PurposeSchema = z.enum(PURPOSES).meta({
  id: 'Purpose',
  description:
    'allocation: fund winning proposals; resource_mapping: pledges reduce what the municipality pays; ' +
    'co_planning: ideas developed with staff before a vote; savings: residents choose cuts; ' +
    'cooperation: proposals go ahead when their commitments are covered',
})
export const MethodSchema = z.enum(METHODS).meta({
  id: 'Method',
  description:
    "sector: one pot per sector; area: per-area pots split from a total; project: one project's " +
    'components; percentage: a share of a named budget line',
})
export const PhaseNameSchema = z.enum(PHASES).meta({ id: 'PhaseName' })
export const RoundStatusSchema = z.enum(STATUSES).meta({ id: 'RoundStatus' })

const instant = z.iso.datetime({ offset: true })
const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Integer minor units (cents)')
const bps = z.number().int().min(0).max(10_000).describe('Basis points (1/100 of a percent)')

export const PhaseSchema = z
  .strictObject({ phase: PhaseNameSchema, startsAt: instant, endsAt: instant })
  .meta({ id: 'Phase' })

const choiceLimits = {
  minChoices: z.number().int().min(0).optional(),
  maxChoices: z.number().int().min(1).optional(),
}

export const BallotConfigSchema = z
  .discriminatedUnion('format', [
    z.strictObject({ format: z.literal('approval'), ...choiceLimits }),
    z.strictObject({
      format: z.literal('k_approval'),
      k: z.number().int().min(1).describe('At most k approvals'),
      minChoices: choiceLimits.minChoices,
    }),
    z.strictObject({
      format: z.literal('knapsack'),
      minSpendBps: bps.optional().describe("Minimum share of the pot a ballot's choices must cost"),
      ...choiceLimits,
    }),
    z.strictObject({
      format: z.literal('cumulative'),
      points: z.number().int().min(1).max(1000).describe('Points each voter distributes'),
      maxPointsPerProposal: z.number().int().min(1).optional(),
      ...choiceLimits,
    }),
    z.strictObject({
      format: z.literal('ranking'),
      minRanked: z.number().int().min(1).optional(),
      maxRanked: z.number().int().min(1).optional(),
    }),
    z.strictObject({ format: z.literal('shares') }).describe('Divide 100 % of a pot among its components'),
    z.strictObject({ format: z.literal('objection') }).describe('Savings: mark the cuts you object to'),
  ])
  .meta({ id: 'BallotConfig' })

export const CountingConfigSchema = z
  .strictObject({
    rule: z.enum(COUNTING_RULES).describe('A counting rule id (see the counting library)'),
    tieBreak: z
      .array(z.enum(TIE_BREAKS))
      .min(1)
      .max(TIE_BREAKS.length)
      .default(['id'])
      .describe('Criteria applied in order; the id order always ends the list'),
    lotterySeed: z.string().min(1).max(200).optional().describe('Public seed when the list has lottery'),
    minSupport: z
      .strictObject({ votes: z.number().int().min(1).optional(), shareBps: bps.optional() })
      .optional(),
    categoryQuotas: z
      .array(z.strictObject({ themeId: z.uuid(), minBps: bps.optional(), maxBps: bps.optional() }))
      .max(50)
      .optional(),
    exclusionGroups: z
      .array(z.array(z.string().min(1)).min(2))
      .max(100)
      .optional()
      .describe('Groups of proposal ids of which at most one may win'),
    leftover: z.enum(['none', 'partial_next', 'carry_over']).default('none'),
  })
  .meta({ id: 'CountingConfig' })

export const EligibilityConfigSchema = z
  .strictObject({
    minimumAge: z.number().int().min(0).max(120).optional(),
    ageOnDate: z.iso.date().optional().describe('The date the minimum age is reached by'),
    residenceRequired: z.boolean().default(true),
    verification: z
      .enum(['census', 'attestation'])
      .default('attestation')
      .describe('census: checked against population data; attestation: the front end vouches'),
    potChoice: z
      .enum(['own_area', 'own_area_and_municipality', 'own_area_plus_one', 'any'])
      .default('own_area')
      .describe('Which pots a voter may fill ballots for'),
  })
  .meta({ id: 'EligibilityConfig' })

const roundFields = {
  title: localizedText(300),
  description: localizedText(20_000).optional(),
  purpose: PurposeSchema,
  method: MethodSchema,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .describe('ISO 4217; amounts are in its minor units'),
  fiscalYear: z.number().int().min(2000).max(2100),
  themeIds: z.array(z.uuid()).max(100).optional(),
  phases: z.array(PhaseSchema).max(PHASES.length),
  ballot: BallotConfigSchema,
  counting: CountingConfigSchema,
  eligibility: EligibilityConfigSchema.optional(),
  revoteAllowed: z.boolean().optional().describe('Casting again while voting is open replaces the ballot'),
  savingsTarget: money.optional().describe('Savings rounds: the amount the cuts must reach'),
}

export const CreateRoundSchema = z.strictObject(roundFields).meta({
  id: 'CreateRound',
  examples: [
    {
      title: { fi: 'Kylien oma raha 2027', sv: 'Byarnas egna pengar 2027' },
      purpose: 'allocation',
      method: 'area',
      currency: 'EUR',
      fiscalYear: 2027,
      phases: [
        { phase: 'ideation', startsAt: '2027-01-10T00:00:00Z', endsAt: '2027-02-28T00:00:00Z' },
        { phase: 'voting', startsAt: '2027-03-01T00:00:00Z', endsAt: '2027-03-15T00:00:00Z' },
      ],
      ballot: { format: 'approval', maxChoices: 3 },
      counting: { rule: 'mes_cost_add1_greedy' },
      eligibility: { minimumAge: 12, potChoice: 'own_area_and_municipality' },
    },
    {
      title: { fi: 'Säästökohteiden valinta' },
      purpose: 'savings',
      method: 'sector',
      currency: 'EUR',
      fiscalYear: 2027,
      phases: [{ phase: 'voting', startsAt: '2027-05-01T00:00:00Z', endsAt: '2027-05-15T00:00:00Z' }],
      ballot: { format: 'objection' },
      counting: { rule: 'savings_min_objection' },
      savingsTarget: 7_000_000,
    },
  ],
})
export const UpdateRoundSchema = z
  .strictObject({
    ...Object.fromEntries(Object.entries(roundFields).map(([key, schema]) => [key, schema.optional()])),
  } as { [K in keyof typeof roundFields]: z.ZodOptional<(typeof roundFields)[K]> })
  .meta({ id: 'UpdateRound', description: 'Only the fields given change' })

export const RoundSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    status: RoundStatusSchema,
    title: z.record(z.string(), z.string()),
    description: z.record(z.string(), z.string()),
    localized: z.object({ language: z.string(), title: z.string(), description: z.string() }),
    purpose: PurposeSchema,
    method: MethodSchema,
    currency: z.string(),
    fiscalYear: z.number().int(),
    themeIds: z.array(z.uuid()),
    phases: z.array(PhaseSchema),
    currentPhase: PhaseNameSchema.nullable().describe('The phase open now (server time), if any'),
    votingOpened: z.boolean().describe('Voting has opened: configuration that decides outcomes is frozen'),
    ballot: BallotConfigSchema,
    counting: CountingConfigSchema,
    eligibility: EligibilityConfigSchema,
    revoteAllowed: z.boolean(),
    savingsTarget: money.nullable(),
    potsTotal: money.describe('Sum of the pots'),
    version: z.number().int(),
    publishedAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Round' })

export const RoundIdParamsSchema = z.strictObject({ roundId: z.uuid() })
export const OrganizationSlugParamsSchema = z.strictObject({ slug: z.string().min(1).max(63) })

export const RoundListQuerySchema = PageQuerySchema.extend({
  status: RoundStatusSchema.optional(),
  purpose: PurposeSchema.optional(),
  method: MethodSchema.optional(),
  phase: PhaseNameSchema.optional().describe('Rounds whose given phase is open now'),
})
export const RoundPageSchema = pageOf(RoundSchema).meta({ id: 'RoundPage' })

export type CreateRound = z.output<typeof CreateRoundSchema>
export type UpdateRound = z.output<typeof UpdateRoundSchema>
export type RoundView = z.output<typeof RoundSchema>
export type Phase = z.output<typeof PhaseSchema>
export type BallotConfig = z.output<typeof BallotConfigSchema>
export type CountingConfig = z.output<typeof CountingConfigSchema>
export type EligibilityConfig = z.output<typeof EligibilityConfigSchema>
export type RoundListQuery = z.output<typeof RoundListQuerySchema>
