import { z } from 'zod'

/** Languages every organization may use: the national languages, English and three Sámi languages. */
export const DEFAULT_LANGUAGES = ['fi', 'sv', 'en', 'se', 'smn', 'sms'] as const

export const LanguageCodeSchema = z
  .string()
  .regex(/^[a-z]{2,3}$/, 'must be an ISO 639 language code such as fi, sv, en, se, smn, sms')
  .meta({ id: 'LanguageCode' })

export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens')
  .min(2)
  .max(63)

export const CreateOrganizationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    slug: SlugSchema,
    defaultLanguage: LanguageCodeSchema,
    languages: z.array(LanguageCodeSchema).min(1).max(20).optional(),
  })
  .transform((input, context) => {
    const languages = [...new Set(input.languages ?? [input.defaultLanguage, ...DEFAULT_LANGUAGES])]
    if (!languages.includes(input.defaultLanguage)) {
      context.addIssue({
        code: 'custom',
        path: ['languages'],
        message: 'must include the default language',
      })
    }
    return { ...input, languages }
  })

export const AgeBandSchema = z
  .string()
  .regex(/^\d{1,3}(-\d{1,3}|\+)$/, 'must look like 0-14 or 65+')
  .describe('An age band of population figures')

export const OrganizationSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    defaultLanguage: LanguageCodeSchema,
    languages: z.array(LanguageCodeSchema),
    ageBands: z.array(AgeBandSchema).describe('The bands areas give their population in'),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Organization' })

export const UpdateOrganizationSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    defaultLanguage: LanguageCodeSchema.optional(),
    languages: z.array(LanguageCodeSchema).min(1).max(20).optional(),
    ageBands: z
      .array(AgeBandSchema)
      .min(1)
      .max(30)
      .refine((bands) => new Set(bands).size === bands.length, 'must not repeat a band')
      .optional(),
  })
  .meta({
    id: 'UpdateOrganization',
    examples: [{ ageBands: ['0-6', '7-14', '15-17', '18-29', '30-64', '65-74', '75+'] }],
  })

export type UpdateOrganization = z.output<typeof UpdateOrganizationSchema>

export type CreateOrganization = z.output<typeof CreateOrganizationSchema>
export type OrganizationView = z.infer<typeof OrganizationSchema>
