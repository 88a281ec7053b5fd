import fp from 'fastify-plugin'
import { z } from 'zod'
import { ping } from '../db/client.js'
import { isMigrated } from '../db/migrate.js'
import { ProblemError, problemResponses } from '../lib/problems.js'

const StatusSchema = z.object({ status: z.enum(['ok', 'ready']) })

/** Liveness (the process answers) and readiness (the database answers and is migrated). */
export default fp(
  async function healthPlugin(app) {
    app.get(
      '/healthz',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['operations'],
          summary: 'Liveness: the process is up',
          response: { 200: StatusSchema },
        },
      },
      async () => ({ status: 'ok' as const }),
    )
    app.get(
      '/readyz',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['operations'],
          summary: 'Readiness: the database is reachable and fully migrated',
          response: { 200: StatusSchema, ...problemResponses(503) },
        },
      },
      async () => {
        try {
          await ping(app.db)
        } catch {
          throw new ProblemError('unavailable', 'The database is not reachable')
        }
        if (!(await isMigrated(app.db))) throw new ProblemError('unavailable', 'Migrations are not applied')
        return { status: 'ready' as const }
      },
    )
  },
  { name: 'health', dependencies: ['db'] },
)
