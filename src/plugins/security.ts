import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { ProblemError } from '../lib/problems.js'

/**
 * Security headers, CORS for the configured origins, and rate limits: per API key (a front
 * end's key speaks for thousands of residents) and a stricter one per IP for anonymous calls.
 */
export default fp<{ config: Config }>(
  async function securityPlugin(app, { config }) {
    await app.register(helmet, {
      // The /docs page loads its own scripts and styles; the API itself serves JSON only.
      contentSecurityPolicy: false,
    })
    await app.register(cors, {
      origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match'],
      exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    })
    await app.register(rateLimit, {
      global: true,
      timeWindow: config.rateLimit.windowMs,
      keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
      max: (_request, key) => (key.startsWith('key:') ? config.rateLimit.perKey : config.rateLimit.anonymous),
      errorResponseBuilder: (_request, context) =>
        new ProblemError(
          'rate-limited',
          `Rate limit of ${context.max} requests per ${context.after} exceeded`,
        ),
    })
  },
  { name: 'security', dependencies: ['auth'] },
)
