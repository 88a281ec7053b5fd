import { z } from 'zod'
import { localizedText } from '../../lib/i18n.js'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { LanguageCodeSchema } from '../organizations/organizations.schemas.js'

/** The code finance staff and other systems know an area, theme or sector by; unique per organization. */
export const ResourceCodeSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be 1–32 lowercase letters, digits and single hyphens')

export const AreaIdParamsSchema = z.strictObject({ areaId: z.uuid() })

const PopulationSchema = z
  .record(z.string(), z.int().min(0))
  .describe("Residents per age band; the bands are a subset of the organization's age bands")

const PopulationYearSchema = z.int().min(1900).max(2200).describe('The year the population figures are for')

const together = (input: { populationYear?: unknown; population?: unknown }) =>
  (input.populationYear === undefined) === (input.population === undefined)
const populationTogether = {
  message: 'populationYear and population are given together',
  path: ['population'],
}

export const CreateAreaSchema = z
  .strictObject({
    code: ResourceCodeSchema,
    name: localizedText(200),
    populationYear: PopulationYearSchema.optional(),
    population: PopulationSchema.optional(),
  })
  .refine(together, populationTogether)
  .meta({
    id: 'CreateArea',
    examples: [
      {
        code: 'keskusta',
        name: { fi: 'Keskusta', sv: 'Centrum' },
        populationYear: 2025,
        population: { '0-14': 812, '15-17': 190, '18-29': 1104, '30-64': 2870, '65+': 1532 },
      },
    ],
  })

export const UpdateAreaSchema = z
  .strictObject({
    code: ResourceCodeSchema.optional(),
    name: localizedText(200).optional().describe('Replaces the whole map'),
    populationYear: PopulationYearSchema.nullable().optional(),
    population: PopulationSchema.nullable().optional().describe('Replaces all bands; null clears'),
  })
  .refine((input) => Object.keys(input).length > 0, 'must change at least one field')
  .refine(together, populationTogether)
  .refine((input) => (input.populationYear === null) === (input.population === null), populationTogether)
  .meta({ id: 'UpdateArea', examples: [{ populationYear: 2026, population: { '0-14': 820, '65+': 1544 } }] })

/** An area as stored and audited. */
export const AreaRecordSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.record(LanguageCodeSchema, z.string()),
  populationYear: z.int().nullable(),
  population: z.record(z.string(), z.int()),
  totalPopulation: z.int().describe('The sum of population over the bands'),
  version: z.int().describe('Increases with every change; the ETag carries it'),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
})

export const AreaSchema = AreaRecordSchema.extend({
  language: LanguageCodeSchema.describe('The language of `localized`, negotiated from Accept-Language'),
  localized: z.object({ name: z.string() }),
}).meta({
  id: 'Area',
  description: 'An area (district) of the organization, with its population per age band',
  examples: [
    {
      id: '3f0c2a52-6f1e-4c1b-9d7e-0d7f4c2b9a11',
      code: 'keskusta',
      name: { fi: 'Keskusta', sv: 'Centrum' },
      populationYear: 2025,
      population: { '0-14': 812, '15-17': 190, '18-29': 1104, '30-64': 2870, '65+': 1532 },
      totalPopulation: 6508,
      version: 1,
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      language: 'fi',
      localized: { name: 'Keskusta' },
    },
  ],
})

export const AreaListQuerySchema = PageQuerySchema
export const AreaPageSchema = pageOf(AreaSchema).meta({ id: 'AreaPage' })

export type CreateArea = z.infer<typeof CreateAreaSchema>
export type UpdateArea = z.infer<typeof UpdateAreaSchema>
export type AreaRecord = z.infer<typeof AreaRecordSchema>
export type AreaView = z.infer<typeof AreaSchema>
