import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'

/** Never logged: credentials and anything that identifies a voter. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey.key',
  'key',
  'voterId',
  'voterIdentifier',
  'voter_id',
  '*.voterId',
  '*.voterIdentifier',
  '*.voter_id',
  'body.voter',
  'body.voterId',
  'body.voterIdentifier',
]

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export function genRequestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }
}
