import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('when nothing is set, then the service runs on PGlite in ./data on 127.0.0.1:3000', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    port: 3000,
    host: '127.0.0.1',
    database: { kind: 'pglite', dataDir: './data' },
    logLevel: 'info',
    corsOrigins: [],
    rateLimit: { perKey: 180_000, anonymous: 600, windowMs: 60_000 },
  })
  t.ok(Object.isFrozen(config))
})

t.test('when DATABASE_URL is set, then PostgreSQL is used', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/pb',
    DB_POOL_MAX: '20',
    CORS_ORIGINS: 'https://a.fi, https://b.fi',
  })
  t.same(config.database, { kind: 'postgres', url: 'postgres://u@db:5432/pb', poolMax: 20 })
  t.same(config.corsOrigins, ['https://a.fi', 'https://b.fi'])
})

t.test('when values are invalid, then every bad variable is named', async (t) => {
  const error = t.throws(() =>
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', VOTER_KEY_SECRET: 'short' }),
  ) as ConfigError
  t.ok(error instanceof ConfigError)
  for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'VOTER_KEY_SECRET']) t.match(error.message, name)
})
