import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import { OrganizationSchema } from './organizations.schemas.js'
import { getOrganization } from './organizations.service.js'

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
}
