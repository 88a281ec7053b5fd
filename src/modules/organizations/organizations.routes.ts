import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import { OrganizationSchema, UpdateOrganizationSchema } from './organizations.schemas.js'
import { getOrganization, updateOrganization } from './organizations.service.js'

export const organizationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/organization',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['organization'],
        summary: "The caller's organization",
        response: { 200: OrganizationSchema, ...problemResponses(401, 403, 429) },
      },
    },
    async (request) => getOrganization(app.db, principalOf(request).organizationId),
  )

  app.patch(
    '/v1/organization',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['organization'],
        summary: "Change the organization's name, languages or age bands",
        description:
          'Languages limit the text residents see; the default language must be among them. Age bands are ' +
          'those areas give their population in; a band an area uses cannot be dropped (409).',
        body: UpdateOrganizationSchema,
        response: { 200: OrganizationSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      return updateOrganization(app.db, principal.organizationId, request.body, {
        actorKeyId: principal.keyId,
        now: app.clock.now(),
      })
    },
  )
}
