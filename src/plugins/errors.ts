import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import {
  isProblemError,
  PROBLEM_KINDS,
  type Problem,
  type ProblemField,
  type ProblemKind,
  problemType,
} from '../lib/problems.js'

type FieldLocation = ProblemField['in']

const FASTIFY_CODES: Record<string, ProblemKind> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation-failed',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
}

function validationFields(error: FastifyError): ProblemField[] {
  const location = (error.validationContext ?? 'body') as FieldLocation
  if (!hasZodFastifySchemaValidationErrors(error)) {
    return (error.validation ?? []).map((issue) => ({
      in: location,
      pointer: issue.instancePath || '/',
      detail: issue.message ?? 'is invalid',
    }))
  }
  return error.validation.flatMap((issue): ProblemField[] => {
    const keys = (issue.params as { keys?: string[] }).keys
    if (issue.keyword === 'unrecognized_keys' && keys) {
      const base = issue.instancePath === '/' ? '' : issue.instancePath
      return keys.map((key) => ({ in: location, pointer: `${base}/${key}`, detail: 'is not a known field' }))
    }
    return [{ in: location, pointer: issue.instancePath, detail: issue.message ?? 'is invalid' }]
  })
}

function describeFields(fields: ProblemField[]): string {
  return fields
    .map((field) => `${field.in}${field.pointer === '/' ? '' : field.pointer}: ${field.detail}`)
    .join('; ')
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: ProblemKind,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const { title } = PROBLEM_KINDS[kind]
  const status = typeof extra.status === 'number' ? extra.status : PROBLEM_KINDS[kind].status
  const problem: Problem = {
    type: problemType(kind),
    title,
    detail,
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...extra,
    status,
  }
  return reply.code(status).type('application/problem+json; charset=utf-8').send(problem)
}

/** One error handler and one wire format: RFC 9457 problem details; 5xx never show internals. */
export default fp(
  async function errorsPlugin(app) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (isProblemError(error)) {
        const { headers, ...extra } = error.extra
        if (headers) reply.headers(headers)
        return sendProblem(request, reply, error.kind, error.message, extra)
      }
      if (error.validation) {
        const errors = validationFields(error)
        return sendProblem(request, reply, 'validation-failed', describeFields(errors), { errors })
      }
      const mapped = error.code ? FASTIFY_CODES[error.code] : undefined
      if (mapped) return sendProblem(request, reply, mapped, error.message)
      if (error instanceof SyntaxError || (error.statusCode === 400 && error.message.includes('JSON'))) {
        return sendProblem(request, reply, 'malformed-json', 'The request body is not valid JSON')
      }
      if (error.statusCode === 429) {
        return sendProblem(request, reply, 'rate-limited', error.message)
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        request.log.info({ err: error }, 'client error without a problem kind')
        const kind: ProblemKind = error.statusCode === 404 ? 'not-found' : 'validation-failed'
        return sendProblem(request, reply, kind, error.message, { status: error.statusCode })
      }
      request.log.error({ err: error }, 'request failed')
      if (error.statusCode === 503) return sendProblem(request, reply, 'unavailable', 'Try again later')
      return sendProblem(
        request,
        reply,
        'internal',
        `An unexpected error occurred; quote request id ${request.id} when reporting it`,
      )
    })

    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        request,
        reply,
        'route-not-found',
        `No route ${request.method} ${request.url.split('?')[0]}`,
      ),
    )
  },
  { name: 'errors' },
)
