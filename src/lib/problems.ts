import { z } from 'zod'

/**
 * Every kind of error the API returns, with its HTTP status and title. The `type` of a problem
 * (RFC 9457) is `/problems/<kind>`, resolved against the API's origin; GET on it describes the kind.
 */
export const PROBLEM_KINDS = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'invalid-configuration': { status: 400, title: 'The configuration is inconsistent' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: "The API key's roles do not allow this" },
  'not-found': { status: 404, title: 'The resource does not exist' },
  'route-not-found': { status: 404, title: 'No such route' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'frozen-field': { status: 409, title: 'The field can no longer change' },
  'phase-closed': { status: 409, title: 'The phase that allows this is not open' },
  'precondition-failed': { status: 412, title: 'The resource changed since it was read' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The content type is not supported' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemKind = keyof typeof PROBLEM_KINDS

export const problemType = (kind: ProblemKind): string => `/problems/${kind}`

export const ProblemFieldSchema = z
  .object({
    in: z.enum(['body', 'querystring', 'params', 'headers']).describe('Which part of the request'),
    pointer: z.string().describe('JSON pointer to the field within that part, e.g. /roles/0'),
    detail: z.string(),
  })
  .meta({ id: 'ProblemField' })

export const ProblemSchema = z
  .object({
    type: z.string().describe('Stable identifier of the error kind'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().describe('The request path'),
    requestId: z.string().optional(),
    errors: z.array(ProblemFieldSchema).optional().describe('The fields that failed validation'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An RFC 9457 problem detail' })

export type Problem = z.infer<typeof ProblemSchema>
export type ProblemField = z.infer<typeof ProblemFieldSchema>

/** A failure the API reports as a problem; services throw these, the error handler renders them. */
export class ProblemError extends Error {
  readonly status: number
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    readonly extra: { errors?: ProblemField[]; headers?: Record<string, string> } & Record<
      string,
      unknown
    > = {},
  ) {
    super(detail)
    this.name = 'ProblemError'
    this.status = PROBLEM_KINDS[kind].status
  }
}

export const isProblemError = (error: unknown): error is ProblemError => error instanceof ProblemError

export const notFound = (what: string): ProblemError => new ProblemError('not-found', `${what} was not found`)

/** A 400 naming one field of the request. */
export const invalidField = (pointer: string, detail: string, location: ProblemField['in'] = 'body') =>
  new ProblemError('validation-failed', `${location}${pointer}: ${detail}`, {
    errors: [{ in: location, pointer, detail }],
  })

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid; `errors` names the fields',
  401: 'No API key, or an unknown, revoked or expired one',
  403: "The API key's roles do not allow this",
  404: 'Not found (also for resources of another organization)',
  409: 'Conflicts with the current state',
  412: 'The resource changed since it was read (If-Match)',
  413: 'The request body is too large',
  415: 'The content type is not application/json',
  429: 'Rate limited; see Retry-After',
  503: 'Not ready',
}

const problemResponse = (status: number) => ({
  description: STATUS_DESCRIPTIONS[status] ?? 'A problem',
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

/** Response entries for the problems a route can return, to spread into `schema.response`. */
export function problemResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number], ReturnType<typeof problemResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)])) as Record<
    S[number],
    ReturnType<typeof problemResponse>
  >
}
