import Fastify, { type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Config } from './config.js'
import type { Database } from './db/client.js'
import { openMigratedDatabase } from './db/open.js'
import { genRequestId, loggerOptions } from './logger.js'
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js'
import { areasRoutes } from './modules/areas/areas.routes.js'
import { organizationsRoutes } from './modules/organizations/organizations.routes.js'
import { roundsRoutes } from './modules/rounds/rounds.routes.js'
import { sectorsRoutes } from './modules/sectors/sectors.routes.js'
import { themesRoutes } from './modules/themes/themes.routes.js'
import auth from './plugins/auth.js'
import clock, { type Clock, systemClock } from './plugins/clock.js'
import db from './plugins/db.js'
import errors from './plugins/errors.js'
import health from './plugins/health.js'
import metrics from './plugins/metrics.js'
import openapi from './plugins/openapi.js'
import requestId from './plugins/request-id.js'
import security from './plugins/security.js'

export interface AppDependencies {
  /** An open, migrated database owned by the caller; opened from config (and owned) when absent. */
  database?: Database
  clock?: Clock
  logger?: FastifyServerOptions['logger']
}

export type App = Awaited<ReturnType<typeof buildApp>>

/** Builds the whole service; the register list below is its architecture, in order. */
export async function buildApp(config: Config, dependencies: AppDependencies = {}) {
  const app = Fastify({
    logger: dependencies.logger ?? loggerOptions(config),
    genReqId: genRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // JSON only: a text/plain body is a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain')

  const database = dependencies.database ?? (await openMigratedDatabase(config.database))
  try {
    await app.register(clock, { clock: dependencies.clock ?? systemClock })
    await app.register(db, { database, owned: dependencies.database === undefined })
    await app.register(requestId)
    await app.register(errors)
    await app.register(auth)
    await app.register(security, { config })
    await app.register(openapi)
    await app.register(metrics)
    await app.register(health)

    await app.register(organizationsRoutes)
    await app.register(apiKeysRoutes)
    await app.register(roundsRoutes)
    await app.register(areasRoutes)
    await app.register(themesRoutes)
    await app.register(sectorsRoutes)

    await app.ready()
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}
