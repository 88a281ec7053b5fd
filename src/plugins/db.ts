import fp from 'fastify-plugin'
import type { Database, Db } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    database: Database
  }
}

/** Exposes the drizzle instance; closes the database when the app closes, if it owns it. */
export default fp<{ database: Database; owned: boolean }>(
  async function dbPlugin(app, { database, owned }) {
    app.decorate('database', database)
    app.decorate('db', database.db)
    if (owned) app.addHook('onClose', () => database.close())
  },
  { name: 'db' },
)
