import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { ProblemError } from '../lib/problems.js'
import type { Role } from '../modules/api-keys/api-keys.schemas.js'
import { type Principal, resolveApiKey } from '../modules/api-keys/api-keys.service.js'

/** What a route declares: the roles allowed, or `public` for reads open to anyone. */
export type Access = { roles: readonly Role[] } | { public: true }

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    principal: Principal | null
    authFailure: string | null
  }
  interface FastifyInstance {
    /** Forgets cached key lookups, e.g. after a revocation. */
    forgetApiKeys(): void
    /** Every /v1 route with the access it declares. */
    routeAccess: { method: string; url: string; access: Access }[]
  }
}

/** Seconds a key lookup is cached: a revocation reaches other processes within this time. */
const KEY_CACHE_TTL_MS = 5_000

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,200})$/

/** The caller of a route that requires roles; routes call this after the auth hook ran. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ProblemError('unauthorized', 'An API key is required')
  return request.principal
}

/**
 * Resolves `Authorization: Bearer <key>` on every request, and enforces each route's declared
 * access before its input is validated. Every /v1 route must declare its access.
 */
export default fp(
  async function authPlugin(app) {
    const cache = new LRUCache<string, Principal | string>({ max: 10_000, ttl: KEY_CACHE_TTL_MS })
    app.decorate('forgetApiKeys', () => cache.clear())
    app.decorate('routeAccess', [])
    app.decorateRequest('principal', null)
    app.decorateRequest('authFailure', null)

    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/v1') && !route.config?.access) {
        throw new Error(`route ${route.method} ${route.url} must declare config.access`)
      }
      const access = route.config?.access
      if (!access) return
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') app.routeAccess.push({ method, url: route.url, access })
      }
      // A public route still reads a key when one is given (e.g. drafts of one's own organization).
      if ('public' in access && route.schema) route.schema.security = [{}, { bearerAuth: [] }]
      if ('roles' in access && route.schema) {
        route.schema.security = [{ bearerAuth: [] }]
        const roles = `Roles: ${access.roles.join(', ')}.`
        route.schema.description = route.schema.description
          ? `${route.schema.description}\n\n${roles}`
          : roles
      }
    })

    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization
      if (header === undefined) return
      const match = BEARER.exec(header)
      if (!match) {
        request.authFailure = 'The Authorization header must be "Bearer <API key>"'
        return
      }
      const key = match[1]!
      let resolved = cache.get(key)
      if (resolved === undefined) {
        resolved = await resolveApiKey(app.db, key, app.clock.now())
        cache.set(key, resolved)
      }
      if (typeof resolved === 'string') request.authFailure = `The API key is ${resolved}`
      else request.principal = resolved
    })

    app.addHook('preValidation', async (request) => {
      const access = request.routeOptions.config.access
      if (!access) return
      if (request.authFailure) throw new ProblemError('unauthorized', request.authFailure)
      if ('public' in access) return
      const principal = request.principal
      if (!principal) throw new ProblemError('unauthorized', 'An API key is required (Authorization: Bearer)')
      if (!access.roles.some((role) => principal.roles.includes(role))) {
        throw new ProblemError('forbidden', `This requires one of the roles: ${access.roles.join(', ')}`)
      }
    })
  },
  { name: 'auth', dependencies: ['db', 'clock'] },
)
