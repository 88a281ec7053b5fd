import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { invalidField, problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import {
  ApiKeyIdParamsSchema,
  ApiKeyListQuerySchema,
  ApiKeyPageSchema,
  CreateApiKeyBodySchema,
  CreatedApiKeySchema,
} from './api-keys.schemas.js'
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js'

const adminOnly = { access: { roles: ['admin'] } } as const

export const apiKeysRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/api-keys',
    {
      config: adminOnly,
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key',
        description: 'The secret `key` is returned only in this response; store it at once.',
        body: CreateApiKeyBodySchema,
        response: { 201: CreatedApiKeySchema, ...problemResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { expiresAt } = request.body
      if (expiresAt && new Date(expiresAt) <= app.clock.now()) {
        throw invalidField('/expiresAt', 'must be in the future')
      }
      const created = await createApiKey(app.db, principal.organizationId, request.body, principal.keyId)
      request.log.info({ apiKeyId: created.id, roles: created.roles }, 'API key created')
      return reply.code(201).header('location', `/v1/api-keys/${created.id}`).send(created)
    },
  )

  app.get(
    '/v1/api-keys',
    {
      config: adminOnly,
      schema: {
        tags: ['api-keys'],
        summary: "List the organization's API keys",
        querystring: ApiKeyListQuerySchema,
        response: { 200: ApiKeyPageSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => listApiKeys(app.db, principalOf(request).organizationId, request.query),
  )

  app.delete(
    '/v1/api-keys/:keyId',
    {
      config: adminOnly,
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        description: 'Revoking is permanent. The last active admin key cannot be revoked (409).',
        params: ApiKeyIdParamsSchema,
        response: { 204: z.undefined(), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await revokeApiKey(app.db, principalOf(request).organizationId, request.params.keyId, app.clock.now())
      app.forgetApiKeys()
      request.log.info({ apiKeyId: request.params.keyId }, 'API key revoked')
      return reply.code(204).send()
    },
  )
}
