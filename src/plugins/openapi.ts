import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  PROBLEM_KINDS,
  ProblemError,
  type ProblemKind,
  problemResponses,
  problemType,
} from '../lib/problems.js'

export const API_VERSION = '0.1.0'

const ProblemKindSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number().int() })
  .meta({ id: 'ProblemKind' })

/**
 * The OpenAPI 3.1 document generated from the route schemas (served at /openapi.json and
 * committed as openapi/openapi.json), the interactive page at /docs, and the problem types.
 */
export default fp(
  async function openapiPlugin(app) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Participatory budgeting engine',
          version: API_VERSION,
          description:
            'Budget rounds, proposals, ballots and exact tallies for municipal participatory budgeting. ' +
            'Errors are RFC 9457 problem details (application/problem+json).',
        },
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key of the organization' },
          },
        },
        tags: [
          { name: 'organization', description: "The caller's organization (tenant)" },
          { name: 'api-keys', description: 'API keys and their roles' },
          {
            name: 'areas',
            description: 'Areas (districts) with population per age band, for area pots and coverage',
          },
          {
            name: 'themes',
            description:
              'Priorities agreed by the partnership table, organization-wide; rounds select theirs',
          },
          { name: 'sectors', description: 'Tasks or sectors and their budget lines, for sector pots' },
          { name: 'rounds', description: 'Budget rounds: purpose, method, phases, ballot and counting' },
          { name: 'pots', description: 'The money each tally spends, built by the round method' },
          { name: 'audit', description: 'The log of configuration changes' },
          { name: 'operations', description: 'Health, readiness, problem types' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })

    app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
      app.swagger(),
    )

    app.get(
      '/problems/:kind',
      {
        schema: {
          tags: ['operations'],
          summary: 'Describe a problem type',
          params: z.strictObject({ kind: z.string() }),
          response: { 200: ProblemKindSchema, ...problemResponses(404) },
        },
      },
      async (request) => {
        const { kind } = request.params as { kind: string }
        if (!Object.hasOwn(PROBLEM_KINDS, kind)) {
          throw new ProblemError('not-found', `There is no problem type ${kind}`)
        }
        const known = PROBLEM_KINDS[kind as ProblemKind]
        return { type: problemType(kind as ProblemKind), title: known.title, status: known.status }
      },
    )
  },
  { name: 'openapi' },
)
