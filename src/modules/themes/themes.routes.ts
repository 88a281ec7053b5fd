import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkIfMatch, etagOf, notModified } from '../../lib/etag.js'
import { negotiateLanguage } from '../../lib/i18n.js'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import { getOrganization } from '../organizations/organizations.service.js'
import {
  CreateThemeSchema,
  ThemeIdParamsSchema,
  ThemeListSchema,
  ThemeSchema,
  UpdateThemeSchema,
} from './themes.schemas.js'
import {
  createTheme,
  deleteTheme,
  getTheme,
  listThemes,
  localizeTheme,
  updateTheme,
} from './themes.service.js'

const adminOnly = { access: { roles: ['admin'] } } as const
const anyRole = { access: { roles: ROLES } } as const

export const themesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/themes',
    {
      config: adminOnly,
      schema: {
        tags: ['themes'],
        summary: 'Create a theme',
        description:
          'A priority agreed by the partnership table, used across channels (workshops, online ' +
          'collection); each round selects the themes it uses. `name` needs the default language.',
        body: CreateThemeSchema,
        response: { 201: ThemeSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await getOrganization(app.db, principal.organizationId)
      const created = await createTheme(app.db, principal.organizationId, request.body, settings, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
      })
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ themeId: created.id }, 'theme created')
      return reply
        .code(201)
        .header('location', `/v1/themes/${created.id}`)
        .header('etag', etagOf(created.version, language))
        .header('vary', 'Accept-Language')
        .send(localizeTheme(created, language, settings))
    },
  )

  app.get(
    '/v1/themes',
    {
      config: anyRole,
      schema: {
        tags: ['themes'],
        summary: "List the organization's themes",
        description: 'All themes at once (they are few), ordered by position, then code.',
        response: { 200: ThemeListSchema, ...problemResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await getOrganization(app.db, organizationId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      const themes = await listThemes(app.db, organizationId)
      reply.header('vary', 'Accept-Language')
      return { items: themes.map((theme) => localizeTheme(theme, language, settings)) }
    },
  )

  app.get(
    '/v1/themes/:themeId',
    {
      config: anyRole,
      schema: {
        tags: ['themes'],
        summary: 'Read a theme',
        description: 'Sends an ETag; with a matching If-None-Match the answer is 304 without a body.',
        params: ThemeIdParamsSchema,
        response: {
          200: ThemeSchema,
          304: z.undefined().describe('Not modified'),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = principalOf(request)
      const settings = await getOrganization(app.db, organizationId)
      const theme = await getTheme(app.db, organizationId, request.params.themeId)
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      if (notModified(request, reply, etagOf(theme.version, language))) return reply.code(304).send()
      return localizeTheme(theme, language, settings)
    },
  )

  app.patch(
    '/v1/themes/:themeId',
    {
      config: adminOnly,
      schema: {
        tags: ['themes'],
        summary: 'Change a theme',
        description:
          'Changes the fields given; `name` and `description` replace the whole map (`description: {}` ' +
          'clears it). With If-Match, a stale ETag is a 412.',
        params: ThemeIdParamsSchema,
        body: UpdateThemeSchema,
        response: { 200: ThemeSchema, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const settings = await getOrganization(app.db, principal.organizationId)
      const updated = await updateTheme(
        app.db,
        principal.organizationId,
        request.params.themeId,
        request.body,
        settings,
        {
          actorKeyId: principal.keyId,
          at: app.clock.now(),
          assertVersion: (version) => checkIfMatch(request, version),
        },
      )
      const language = negotiateLanguage(request.headers['accept-language'], settings)
      request.log.info({ themeId: updated.id, version: updated.version }, 'theme changed')
      reply.header('etag', etagOf(updated.version, language)).header('vary', 'Accept-Language')
      return localizeTheme(updated, language, settings)
    },
  )

  app.delete(
    '/v1/themes/:themeId',
    {
      config: adminOnly,
      schema: {
        tags: ['themes'],
        summary: 'Delete a theme',
        description: 'A theme that a round selects cannot be deleted (409). Honours If-Match (412).',
        params: ThemeIdParamsSchema,
        response: { 204: z.undefined(), ...problemResponses(400, 401, 403, 404, 409, 412, 429) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await deleteTheme(app.db, principal.organizationId, request.params.themeId, {
        actorKeyId: principal.keyId,
        at: app.clock.now(),
        assertVersion: (version) => checkIfMatch(request, version),
      })
      request.log.info({ themeId: request.params.themeId }, 'theme deleted')
      return reply.code(204).send()
    },
  )
}
