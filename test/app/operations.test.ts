import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/logger.js'
import { bearer, buildTestApp, createTenant } from '../helpers/app.js'

t.test('when /healthz and /readyz are called on a migrated database, then both are 200', async (t) => {
  const app = await buildTestApp(t)
  const health = await app.inject({ url: '/healthz' })
  t.same([health.statusCode, health.json()], [200, { status: 'ok' }])
  const ready = await app.inject({ url: '/readyz' })
  t.same([ready.statusCode, ready.json()], [200, { status: 'ready' }])
})

t.test(
  'when /metrics is scraped, then it has request durations by route and status and pool gauges',
  async (t) => {
    const app = await buildTestApp(t)
    const tenant = await createTenant(app)
    await app.inject({ url: '/v1/organization', headers: bearer(tenant.adminKey) })
    const response = await app.inject({ url: '/metrics' })
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /text\/plain/)
    t.match(
      response.payload,
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/organization",status_code="200"\}/,
    )
    t.match(response.payload, /db_pool_connections\{state="total"\} \d+/)
  },
)

t.test(
  'when a request carries X-Request-Id, then the response echoes it; otherwise one is made',
  async (t) => {
    const app = await buildTestApp(t)
    const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } })
    t.equal(given.headers['x-request-id'], 'trace-123')
    const made = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } })
    t.match(made.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  },
)

t.test('when credentials or voter identifiers are logged, then they are redacted', async (t) => {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const options = loggerOptions(loadConfig({ LOG_LEVEL: 'info' })) as pino.LoggerOptions
  const logger = pino(options, sink)
  logger.info({ req: { headers: { authorization: 'Bearer pbk_secret' } }, voterId: '010190-123A' }, 'x')
  logger.info({ ballot: { voterId: '010190-123A', voterIdentifier: 'abc' } }, 'y')
  const output = lines.join('')
  t.notMatch(output, /pbk_secret|010190-123A|"abc"/)
  t.match(output, /\[redacted\]/)
})

t.test('when a preflight comes from a configured origin, then CORS allows it', async (t) => {
  const app = await buildTestApp(t, { env: { CORS_ORIGINS: 'https://osallistu.example.fi' } })
  const allowed = await app.inject({
    method: 'OPTIONS',
    url: '/v1/organization',
    headers: { origin: 'https://osallistu.example.fi', 'access-control-request-method': 'GET' },
  })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://osallistu.example.fi')
  const denied = await app.inject({
    method: 'OPTIONS',
    url: '/v1/organization',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
  })
  t.notOk(denied.headers['access-control-allow-origin'])
})

t.test('when a problem type is looked up, then it is described', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject({ url: '/problems/frozen-field' })
  t.same(response.json(), {
    type: '/problems/frozen-field',
    title: 'The field can no longer change',
    status: 409,
  })
  t.equal((await app.inject({ url: '/problems/nope' })).statusCode, 404)
})
