import { z } from 'zod'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'

export const ROLES = ['admin', 'reviewer', 'integrator', 'frontend', 'auditor'] as const
export const RoleSchema = z.enum(ROLES).meta({
  id: 'Role',
  description:
    'admin: finance staff; reviewer: reviews proposals; integrator: read and webhooks; ' +
    'frontend: ideas and ballots on behalf of voters; auditor: read-only, anonymous ballot export',
})
export type Role = z.infer<typeof RoleSchema>

export const ApiKeyIdParamsSchema = z.strictObject({ keyId: z.uuid() })

export const CreateApiKeyBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).describe('What the key is for, e.g. "Kiosk at the library"'),
    roles: z
      .array(RoleSchema)
      .min(1)
      .max(ROLES.length)
      .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the key stops working (RFC 3339); never when absent'),
  })
  .meta({ id: 'CreateApiKey' })

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    roles: z.array(RoleSchema),
    expiresAt: z.iso.datetime({ offset: true }).nullable(),
    revokedAt: z.iso.datetime({ offset: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ApiKey' })

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret; shown only in this response'),
}).meta({ id: 'CreatedApiKey' })

export const ApiKeyListQuerySchema = PageQuerySchema
export const ApiKeyPageSchema = pageOf(ApiKeySchema).meta({ id: 'ApiKeyPage' })

export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBodySchema>
export type ApiKeyView = z.infer<typeof ApiKeySchema>
