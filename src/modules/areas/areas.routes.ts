import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkIfMatch, etagOf, notModified } from '../../lib/etag.js'
import { negotiateLanguage } from '../../lib/i18n.js'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import {
  AreaIdParamsSchema,
  AreaListQuerySchema,
  AreaPageSchema,
  AreaSchema,
  CreateAreaSchema,
  UpdateAreaSchema,
} from './areas.schemas.js'
import {
  areaSettings,
  createArea,
  deleteArea,
  getArea,
  listAreas,
  localizeArea,
  updateArea,
} from './areas.service.js'

const adminOnly = { access: { roles: ['admin'] } } as const
const anyRole = { access: { roles: ROLES } } as const

export const areasRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/areas',
    {
      config: adminOnly,
      schema: {
        tags: ['areas'],
        summary: 'Create an area',
        description:
          'An area (district) of the organization. `name` needs the default language; `population` ' +
          "counts residents per age band (a subset of the organization's age bands) for `populationYear`.",
        body: CreateAreaSchema,
        response: { 201: AreaSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await areaSettings(app.db, principal.organizationId)
      const created = await createArea(app.db, principal.organizationId, request.body, settings, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
      })
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ areaId: created.id }, 'area created')
      return reply
        .code(201)
        .header('location', `/v1/areas/${created.id}`)
        .header('etag', etagOf(created.version, language))
        .header('vary', 'Accept-Language')
        .send(localizeArea(created, language, settings))
    },
  )

  app.get(
    '/v1/areas',
    {
      config: anyRole,
      schema: {
        tags: ['areas'],
        summary: "List the organization's areas",
        description: 'Oldest first, a page at a time; pass `nextCursor` as `cursor` for the next page.',
        querystring: AreaListQuerySchema,
        response: { 200: AreaPageSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await areaSettings(app.db, organizationId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      const page = await listAreas(app.db, organizationId, request.query)
      reply.header('vary', 'Accept-Language')
      return { ...page, items: page.items.map((area) => localizeArea(area, language, settings)) }
    },
  )

  app.get(
    '/v1/areas/:areaId',
    {
      config: anyRole,
      schema: {
        tags: ['areas'],
        summary: 'Read an area',
        description: 'Sends an ETag; with a matching If-None-Match the answer is 304 without a body.',
        params: AreaIdParamsSchema,
        response: {
          200: AreaSchema,
          304: z.undefined().describe('Not modified'),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await areaSettings(app.db, organizationId)
      const area = await getArea(app.db, organizationId, request.params.areaId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      if (notModified(request, reply, etagOf(area.version, language))) return reply.code(304).send()
      return localizeArea(area, language, settings)
    },
  )

  app.patch(
    '/v1/areas/:areaId',
    {
      config: adminOnly,
      schema: {
        tags: ['areas'],
        summary: 'Change an area',
        description:
          'Changes the fields given; `name` and `population` replace the whole map. `populationYear` and ' +
          '`population` change together (both null clear them). With If-Match, a stale ETag is a 412.',
        params: AreaIdParamsSchema,
        body: UpdateAreaSchema,
        response: { 200: AreaSchema, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await areaSettings(app.db, principal.organizationId)
      const updated = await updateArea(
        app.db,
        principal.organizationId,
        request.params.areaId,
        request.body,
        settings,
        {
          actorKeyId: principal.keyId,
          at: app.clock.now(),
          assertVersion: (version) => checkIfMatch(request, version),
        },
      )
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ areaId: updated.id, version: updated.version }, 'area changed')
      reply.header('etag', etagOf(updated.version, language)).header('vary', 'Accept-Language')
      return localizeArea(updated, language, settings)
    },
  )

  app.delete(
    '/v1/areas/:areaId',
    {
      config: adminOnly,
      schema: {
        tags: ['areas'],
        summary: 'Delete an area',
        description: 'An area that a pot uses cannot be deleted (409). Honours If-Match (412).',
        params: AreaIdParamsSchema,
        response: { 204: z.undefined(), ...problemResponses(400, 401, 403, 404, 409, 412, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await deleteArea(app.db, principal.organizationId, request.params.areaId, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
        assertVersion: (version) => checkIfMatch(request, version),
      })
      request.log.info({ areaId: request.params.areaId }, 'area deleted')
      return reply.code(204).send()
    },
  )
}
