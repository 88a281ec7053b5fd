import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { checkIfMatch, etagOf, notModified } from '../../lib/etag.js'
import { PageQuerySchema, pageOf } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problems.js'
import { principalOf } from '../../plugins/auth.js'
import { ROLES } from '../api-keys/api-keys.schemas.js'
import { listAudit } from '../audit/audit.service.js'
import { PotPlanSchema, PotsSchema } from '../pots/pots.schemas.js'
import {
  CreateRoundSchema,
  OrganizationSlugParamsSchema,
  RoundIdParamsSchema,
  RoundListQuerySchema,
  RoundPageSchema,
  RoundSchema,
  UpdateRoundSchema,
} from './rounds.schemas.js'
import {
  createRound,
  deleteRound,
  findOrganizationBySlug,
  findVisibleRound,
  listRounds,
  previewPots,
  type Reader,
  readPots,
  renderRound,
  replacePots,
  roundPage,
  transitionRound,
  updateRound,
} from './rounds.service.js'

const admin = { access: { roles: ['admin'] } } as const
const anyRole = { access: { roles: ROLES } } as const
const open = { access: { public: true } } as const
const auditors = { access: { roles: ['admin', 'auditor'] } } as const

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    roundId: z.uuid().nullable(),
    entity: z.string(),
    entityId: z.uuid(),
    action: z.string(),
    actorKeyId: z.uuid().nullable().describe('The API key that made the change'),
    before: z.unknown(),
    after: z.unknown(),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'AuditEntry' })
const AuditPageSchema = pageOf(AuditEntrySchema).meta({ id: 'AuditPage' })
const AuditQuerySchema = PageQuerySchema.extend({
  roundId: z.uuid().optional(),
  entity: z.enum(['organization', 'round', 'pot', 'area', 'theme', 'sector']).optional(),
})

const readerOf = (request: FastifyRequest, now: Date): Reader => ({
  acceptLanguage: request.headers['accept-language'],
  now,
})

/** Sends a versioned representation with its ETag, or 304 when the caller has it. */
function withEtag<
  T extends { version: number; localized: { language: string }; currentPhase?: string | null },
>(request: FastifyRequest, reply: FastifyReply, view: T) {
  const etag = etagOf(view.version, view.localized.language, view.currentPhase ?? 'none')
  if (notModified(request, reply, etag)) return reply.code(304).send()
  return view
}

export const roundsRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['rounds']

  app.post(
    '/v1/rounds',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a budget round (as a draft)',
        description:
          'Purpose, method, ballot format and counting rule must agree: e.g. a savings round needs an ' +
          'objection ballot, a savings rule and a savings target. Clashes are a 400 invalid-configuration ' +
          'problem naming every clashing field.',
        body: CreateRoundSchema,
        response: { 201: RoundSchema, ...problemResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const round = await createRound(
        app.db,
        principalOf(request),
        request.body,
        readerOf(request, app.clock.now()),
      )
      return reply.code(201).header('location', `/v1/rounds/${round.id}`).send(round)
    },
  )

  app.get(
    '/v1/rounds',
    {
      config: anyRole,
      schema: {
        tags,
        summary: "List the organization's rounds, drafts included",
        querystring: RoundListQuerySchema,
        response: { 200: RoundPageSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const now = app.clock.now()
      const { organizationId } = principalOf(request)
      const rows = await listRounds(app.db, organizationId, request.query, { includeDrafts: true, now })
      return roundPage(app.db, organizationId, rows, request.query.limit, readerOf(request, now))
    },
  )

  app.get(
    '/v1/organizations/:slug/rounds',
    {
      config: open,
      schema: {
        tags,
        summary: "List an organization's published rounds (no key needed)",
        params: OrganizationSlugParamsSchema,
        querystring: RoundListQuerySchema,
        response: { 200: RoundPageSchema, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const now = app.clock.now()
      const organizationId = await findOrganizationBySlug(app.db, request.params.slug)
      const rows = await listRounds(app.db, organizationId, request.query, { includeDrafts: false, now })
      return roundPage(app.db, organizationId, rows, request.query.limit, readerOf(request, now))
    },
  )

  app.get(
    '/v1/rounds/:roundId',
    {
      config: open,
      schema: {
        tags,
        summary: 'Read a round',
        description:
          'Published rounds are public; drafts only to keys of their organization. Carries an ETag ' +
          '(honours If-None-Match); `localized` follows Accept-Language.',
        params: RoundIdParamsSchema,
        response: { 200: RoundSchema, 304: z.undefined(), ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const round = await findVisibleRound(app.db, request.params.roundId, request.principal)
      return withEtag(request, reply, await renderRound(app.db, round, readerOf(request, app.clock.now())))
    },
  )

  app.patch(
    '/v1/rounds/:roundId',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change a round',
        description:
          'Once voting has opened, the fields that decide outcomes (pots, ballot, counting, eligibility, ' +
          'purpose, method, currency, themes, savings target, phases up to the voting start) are frozen: ' +
          'a change is a 409 frozen-field problem naming them. The voting end may still be extended. ' +
          'Honours If-Match (412 when stale).',
        params: RoundIdParamsSchema,
        body: UpdateRoundSchema,
        response: { 200: RoundSchema, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const view = await updateRound(
        app.db,
        principalOf(request),
        request.params.roundId,
        request.body,
        (version) => checkIfMatch(request, version),
        readerOf(request, app.clock.now()),
      )
      reply.header('etag', etagOf(view.version, view.localized.language, view.currentPhase ?? 'none'))
      return view
    },
  )

  app.delete(
    '/v1/rounds/:roundId',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a draft round',
        params: RoundIdParamsSchema,
        response: { 204: z.undefined(), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      await deleteRound(app.db, principalOf(request), request.params.roundId, app.clock.now())
      return reply.code(204).send()
    },
  )

  for (const transition of ['publish', 'close', 'archive'] as const) {
    app.post(
      `/v1/rounds/:roundId/${transition}`,
      {
        config: admin,
        schema: {
          tags,
          summary: {
            publish: 'Publish a draft round (it needs phases and pots)',
            close: 'Close a published round',
            archive: 'Archive a closed round',
          }[transition],
          params: RoundIdParamsSchema,
          response: { 200: RoundSchema, ...problemResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) =>
        transitionRound(
          app.db,
          principalOf(request),
          request.params.roundId,
          transition,
          readerOf(request, app.clock.now()),
        ),
    )
  }

  app.get(
    '/v1/rounds/:roundId/pots',
    {
      config: open,
      schema: {
        tags: ['pots'],
        summary: "A round's pots with their amounts",
        params: RoundIdParamsSchema,
        response: { 200: PotsSchema, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const round = await findVisibleRound(app.db, request.params.roundId, request.principal)
      return readPots(app.db, round, readerOf(request, app.clock.now()))
    },
  )

  app.put(
    '/v1/rounds/:roundId/pots',
    {
      config: admin,
      schema: {
        tags: ['pots'],
        summary: "Set a round's pots from a plan for its method",
        description:
          'sector: one pot per sector with its amount; area: a total split by fixed amounts, equally, or by ' +
          'population with a floor, plus an optional municipality-wide pot, exact in minor units (largest ' +
          'remainder) with the steps returned; project: one pot; percentage: a share of a budget line. ' +
          'Replaces the existing pots; frozen once voting opened (409).',
        params: RoundIdParamsSchema,
        body: PotPlanSchema,
        response: { 200: PotsSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      replacePots(
        app.db,
        principalOf(request),
        request.params.roundId,
        request.body,
        readerOf(request, app.clock.now()),
      ),
  )

  app.post(
    '/v1/rounds/:roundId/pots/preview',
    {
      config: admin,
      schema: {
        tags: ['pots'],
        summary: 'Preview the pots a plan would give, without saving',
        params: RoundIdParamsSchema,
        body: PotPlanSchema,
        response: { 200: PotsSchema, ...problemResponses(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request) =>
      previewPots(
        app.db,
        principalOf(request),
        request.params.roundId,
        request.body,
        readerOf(request, app.clock.now()),
      ),
  )

  app.get(
    '/v1/audit-log',
    {
      config: auditors,
      schema: {
        tags: ['audit'],
        summary: 'Configuration changes: who, when, before and after',
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { roundId, entity, ...page } = request.query
      return listAudit(app.db, principalOf(request).organizationId, { roundId, entity }, page)
    },
  )
}
