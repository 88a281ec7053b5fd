import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkIfMatch, etagOf, notModified } from '../../lib/etag.js'
import { negotiateLanguage } from '../../lib/i18n.js'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import { getOrganization } from '../organizations/organizations.service.js'
import {
  CreateSectorSchema,
  SectorIdParamsSchema,
  SectorListQuerySchema,
  SectorPageSchema,
  SectorSchema,
  UpdateSectorSchema,
} from './sectors.schemas.js'
import {
  createSector,
  deleteSector,
  getSector,
  listSectors,
  localizeSector,
  updateSector,
} from './sectors.service.js'

const adminOnly = { access: { roles: ['admin'] } } as const
const anyRole = { access: { roles: ROLES } } as const

export const sectorsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/sectors',
    {
      config: adminOnly,
      schema: {
        tags: ['sectors'],
        summary: 'Create a sector',
        description:
          'A task or sector (e.g. youth services) whose money a sector round distributes. `name` needs ' +
          "the default language; `budgetLineCode` links it to the finance system's budget line.",
        body: CreateSectorSchema,
        response: { 201: SectorSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await getOrganization(app.db, principal.organizationId)
      const created = await createSector(app.db, principal.organizationId, request.body, settings, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
      })
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ sectorId: created.id }, 'sector created')
      return reply
        .code(201)
        .header('location', `/v1/sectors/${created.id}`)
        .header('etag', etagOf(created.version, language))
        .header('vary', 'Accept-Language')
        .send(localizeSector(created, language, settings))
    },
  )

  app.get(
    '/v1/sectors',
    {
      config: anyRole,
      schema: {
        tags: ['sectors'],
        summary: "List the organization's sectors",
        description: 'Oldest first, a page at a time; pass `nextCursor` as `cursor` for the next page.',
        querystring: SectorListQuerySchema,
        response: { 200: SectorPageSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await getOrganization(app.db, organizationId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      const page = await listSectors(app.db, organizationId, request.query)
      reply.header('vary', 'Accept-Language')
      return { ...page, items: page.items.map((sector) => localizeSector(sector, language, settings)) }
    },
  )

  app.get(
    '/v1/sectors/:sectorId',
    {
      config: anyRole,
      schema: {
        tags: ['sectors'],
        summary: 'Read a sector',
        description: 'Sends an ETag; with a matching If-None-Match the answer is 304 without a body.',
        params: SectorIdParamsSchema,
        response: {
          200: SectorSchema,
          304: z.undefined().describe('Not modified'),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await getOrganization(app.db, organizationId)
      const sector = await getSector(app.db, organizationId, request.params.sectorId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      if (notModified(request, reply, etagOf(sector.version, language))) return reply.code(304).send()
      return localizeSector(sector, language, settings)
    },
  )

  app.patch(
    '/v1/sectors/:sectorId',
    {
      config: adminOnly,
      schema: {
        tags: ['sectors'],
        summary: 'Change a sector',
        description:
          'Changes the fields given; `name` replaces the whole map, `budgetLineCode: null` clears the ' +
          'budget line. With If-Match, a stale ETag is a 412.',
        params: SectorIdParamsSchema,
        body: UpdateSectorSchema,
        response: { 200: SectorSchema, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await getOrganization(app.db, principal.organizationId)
      const updated = await updateSector(
        app.db,
        principal.organizationId,
        request.params.sectorId,
        request.body,
        settings,
        {
          actorKeyId: principal.keyId,
          at: app.clock.now(),
          assertVersion: (version) => checkIfMatch(request, version),
        },
      )
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ sectorId: updated.id, version: updated.version }, 'sector changed')
      reply.header('etag', etagOf(updated.version, language)).header('vary', 'Accept-Language')
      return localizeSector(updated, language, settings)
    },
  )

  app.delete(
    '/v1/sectors/:sectorId',
    {
      config: adminOnly,
      schema: {
        tags: ['sectors'],
        summary: 'Delete a sector',
        description: 'A sector that a pot uses cannot be deleted (409). Honours If-Match (412).',
        params: SectorIdParamsSchema,
        response: { 204: z.undefined(), ...problemResponses(400, 401, 403, 404, 409, 412, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await deleteSector(app.db, principal.organizationId, request.params.sectorId, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
        assertVersion: (version) => checkIfMatch(request, version),
      })
      request.log.info({ sectorId: request.params.sectorId }, 'sector deleted')
      return reply.code(204).send()
    },
  )
}
