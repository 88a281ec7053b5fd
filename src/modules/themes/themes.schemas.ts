import { z } from 'zod'
import { localizedText } from '../../lib/i18n.js'
import { ResourceCodeSchema } from '../areas/areas.schemas.js'
import { LanguageCodeSchema } from '../organizations/organizations.schemas.js'

export const ThemeIdParamsSchema = z.strictObject({ themeId: z.uuid() })

const PositionSchema = z.int().min(0).max(10_000).describe('Lists are ordered by position, then code')

export const CreateThemeSchema = z
  .strictObject({
    code: ResourceCodeSchema,
    name: localizedText(200),
    description: localizedText(10_000).optional().describe('Optional; the default language when given'),
    position: PositionSchema.default(0),
  })
  .meta({
    id: 'CreateTheme',
    examples: [
      {
        code: 'youth',
        name: { fi: 'Nuoret', sv: 'Unga' },
        description: { fi: 'Nuorten harrastukset ja kohtaamispaikat' },
        position: 1,
      },
    ],
  })

export const UpdateThemeSchema = z
  .strictObject({
    code: ResourceCodeSchema.optional(),
    name: localizedText(200).optional().describe('Replaces the whole map'),
    description: localizedText(10_000).optional().describe('Replaces the whole map; {} clears'),
    position: PositionSchema.optional(),
  })
  .refine((input) => Object.keys(input).length > 0, 'must change at least one field')
  .meta({ id: 'UpdateTheme', examples: [{ position: 2 }] })

/** A theme as stored and audited. */
export const ThemeRecordSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.record(LanguageCodeSchema, z.string()),
  description: z.record(LanguageCodeSchema, z.string()).describe('{} when there is none'),
  position: z.int(),
  version: z.int().describe('Increases with every change; the ETag carries it'),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
})

export const ThemeSchema = ThemeRecordSchema.extend({
  language: LanguageCodeSchema.describe('The language of `localized`, negotiated from Accept-Language'),
  localized: z.object({ name: z.string(), description: z.string().optional() }),
}).meta({
  id: 'Theme',
  description: 'A priority agreed by the partnership table; each round selects the themes it uses',
  examples: [
    {
      id: '8d1f6a0e-2b7c-4f53-a1de-5c9b0e7d3f42',
      code: 'youth',
      name: { fi: 'Nuoret', sv: 'Unga' },
      description: { fi: 'Nuorten harrastukset ja kohtaamispaikat' },
      position: 1,
      version: 1,
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      language: 'sv',
      localized: { name: 'Unga', description: 'Nuorten harrastukset ja kohtaamispaikat' },
    },
  ],
})

export const ThemeListSchema = z
  .object({ items: z.array(ThemeSchema).describe('All themes, by position then code') })
  .meta({ id: 'ThemeList' })

export type CreateTheme = z.output<typeof CreateThemeSchema>
export type UpdateTheme = z.infer<typeof UpdateThemeSchema>
export type ThemeRecord = z.infer<typeof ThemeRecordSchema>
export type ThemeView = z.infer<typeof ThemeSchema>
