import type { FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from './problems.js'

/**
 * ETags of versioned resources: `"v<version>.<variant>…"`, where the variant is what else the
 * representation depends on (the Accept-Language rendering, a round's current phase). A write's
 * If-Match compares the version only.
 */
export const etagOf = (version: number, ...variant: string[]) => `"v${[version, ...variant].join('.')}"`

function listed(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '')
  return value
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag.length > 0)
}

/** Sets ETag and Vary; returns true when the caller's If-None-Match already matches (send 304). */
export function notModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag).header('vary', 'Accept-Language')
  const candidates = listed(request.headers['if-none-match'])
  return candidates.includes('*') || candidates.includes(etag)
}

/** Enforces If-Match on a write: 412 when the resource's version has moved on. */
export function checkIfMatch(request: FastifyRequest, currentVersion: number): void {
  const candidates = listed(request.headers['if-match'])
  if (candidates.length === 0 || candidates.includes('*')) return
  const matches = candidates.some((tag) => new RegExp(`^"v${currentVersion}(\\.[a-z_]+)*"$`).test(tag))
  if (!matches) {
    throw new ProblemError(
      'precondition-failed',
      `The resource is at version ${currentVersion}; read it again and reapply your change`,
    )
  }
}
