import { z } from 'zod'
import { localizedText } from '../../lib/i18n.js'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { ResourceCodeSchema } from '../areas/areas.schemas.js'
import { LanguageCodeSchema } from '../organizations/organizations.schemas.js'

export const SectorIdParamsSchema = z.strictObject({ sectorId: z.uuid() })

const BudgetLineCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe("The finance system's budget line, e.g. 3110 or INV-2026-01")

export const CreateSectorSchema = z
  .strictObject({
    code: ResourceCodeSchema,
    name: localizedText(200),
    budgetLineCode: BudgetLineCodeSchema.optional(),
  })
  .meta({
    id: 'CreateSector',
    examples: [
      {
        code: 'youth-services',
        name: { fi: 'Nuorisopalvelut', sv: 'Ungdomstjänster' },
        budgetLineCode: '3110',
      },
    ],
  })

export const UpdateSectorSchema = z
  .strictObject({
    code: ResourceCodeSchema.optional(),
    name: localizedText(200).optional().describe('Replaces the whole map'),
    budgetLineCode: BudgetLineCodeSchema.nullable().optional().describe('null clears it'),
  })
  .refine((input) => Object.keys(input).length > 0, 'must change at least one field')
  .meta({ id: 'UpdateSector', examples: [{ budgetLineCode: '3120' }] })

/** A sector as stored and audited. */
export const SectorRecordSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.record(LanguageCodeSchema, z.string()),
  budgetLineCode: z.string().nullable(),
  version: z.int().describe('Increases with every change; the ETag carries it'),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
})

export const SectorSchema = SectorRecordSchema.extend({
  language: LanguageCodeSchema.describe('The language of `localized`, negotiated from Accept-Language'),
  localized: z.object({ name: z.string() }),
}).meta({
  id: 'Sector',
  description: 'A task or sector (e.g. youth services) whose money a sector round distributes',
  examples: [
    {
      id: '5b2e9c7d-1a4f-4e8b-9c3d-7f6a5e4d3c21',
      code: 'youth-services',
      name: { fi: 'Nuorisopalvelut', sv: 'Ungdomstjänster' },
      budgetLineCode: '3110',
      version: 1,
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      language: 'fi',
      localized: { name: 'Nuorisopalvelut' },
    },
  ],
})

export const SectorListQuerySchema = PageQuerySchema
export const SectorPageSchema = pageOf(SectorSchema).meta({ id: 'SectorPage' })

export type CreateSector = z.infer<typeof CreateSectorSchema>
export type UpdateSector = z.infer<typeof UpdateSectorSchema>
export type SectorRecord = z.infer<typeof SectorRecordSchema>
export type SectorView = z.infer<typeof SectorSchema>
