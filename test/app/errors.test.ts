import t from 'tap'
import { buildApp } from '../../src/app.js'
import { openDatabase } from '../../src/db/client.js'
import { bearer, buildTestApp, createTenant, testConfig } from '../helpers/app.js'

const problemContentType = /^application\/problem\+json/

t.test('bad input to a write', async (t) => {
  const app = await buildTestApp(t, { env: { BODY_LIMIT_BYTES: '2048' } })
  const tenant = await createTenant(app)
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { ...bearer(tenant.adminKey), 'content-type': contentType },
      payload,
    })

  t.test('when the JSON is malformed, then 400 malformed-json', async (t) => {
    const response = await post('{"name": "kiosk",')
    t.equal(response.statusCode, 400)
    t.match(response.headers['content-type'], problemContentType)
    t.match(response.json(), { type: '/problems/malformed-json', status: 400, instance: '/v1/api-keys' })
  })

  t.test('when a field is unknown, then 400 naming it (not stripped)', async (t) => {
    const response = await post(JSON.stringify({ name: 'kiosk', roles: ['frontend'], colour: 'red' }))
    t.equal(response.statusCode, 400)
    t.same(response.json().errors, [{ in: 'body', pointer: '/colour', detail: 'is not a known field' }])
  })

  t.test('when fields have wrong types, then 400 naming each', async (t) => {
    const response = await post(JSON.stringify({ name: 42, roles: ['mayor'] }))
    t.equal(response.statusCode, 400)
    const pointers = (response.json().errors as { pointer: string }[]).map((error) => error.pointer).sort()
    t.same(pointers, ['/name', '/roles/0'])
    t.equal(response.json().type, '/problems/validation-failed')
  })

  t.test('when a required field is missing, then 400 naming it', async (t) => {
    const response = await post(JSON.stringify({ name: 'kiosk' }))
    t.equal(response.statusCode, 400)
    t.match(response.json().errors, [{ in: 'body', pointer: '/roles' }])
  })

  t.test('when the body is over the limit, then 413', async (t) => {
    const response = await post(JSON.stringify({ name: 'x'.repeat(4096), roles: ['frontend'] }))
    t.equal(response.statusCode, 413)
    t.equal(response.json().type, '/problems/payload-too-large')
  })

  t.test('when the content type is not JSON, then 415', async (t) => {
    const response = await post('name=kiosk', 'text/plain')
    t.equal(response.statusCode, 415)
    t.equal(response.json().type, '/problems/unsupported-media-type')
    const form = await post('name=kiosk', 'application/x-www-form-urlencoded')
    t.equal(form.statusCode, 415)
  })

  t.test('when a query parameter is invalid, then 400 naming it', async (t) => {
    const response = await app.inject({ url: '/v1/api-keys?limit=1000', headers: bearer(tenant.adminKey) })
    t.equal(response.statusCode, 400)
    t.match(response.json().errors, [{ in: 'querystring', pointer: '/limit' }])
    const cursor = await app.inject({ url: '/v1/api-keys?cursor=garbage', headers: bearer(tenant.adminKey) })
    t.equal(cursor.statusCode, 400)
    t.match(cursor.json().errors, [{ in: 'querystring', pointer: '/cursor' }])
  })

  t.test('when a path parameter is invalid, then 400 naming it', async (t) => {
    const response = await app.inject({
      method: 'DELETE',
      url: '/v1/api-keys/not-a-uuid',
      headers: bearer(tenant.adminKey),
    })
    t.equal(response.statusCode, 400)
    t.match(response.json().errors, [{ in: 'params', pointer: '/keyId' }])
  })
})

t.test('when the route does not exist, then 404 route-not-found as a problem', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject({ url: '/v1/nothing-here' })
  t.equal(response.statusCode, 404)
  t.match(response.headers['content-type'], problemContentType)
  t.match(response.json(), {
    type: '/problems/route-not-found',
    status: 404,
    detail: 'No route GET /v1/nothing-here',
  })
})

t.test('when anonymous calls exceed their limit, then 429 with Retry-After', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_PER_KEY: '5' } })
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: '/problems/not-found' })).statusCode)
  t.same(statuses, [200, 200, 200, 429])
  const limited = await app.inject({ url: '/problems/not-found' })
  t.equal(limited.json().type, '/problems/rate-limited')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After is set')

  const tenant = await createTenant(app)
  const keyed: number[] = []
  for (let i = 0; i < 6; i++) {
    keyed.push((await app.inject({ url: '/v1/organization', headers: bearer(tenant.adminKey) })).statusCode)
  }
  t.same(keyed, [200, 200, 200, 200, 200, 429], 'a key has its own, larger budget')
})

t.test('when the database fails, then 500 without internals', async (t) => {
  // Nothing listens on port 1: every query fails.
  const database = await openDatabase({
    kind: 'postgres',
    url: 'postgres://nobody@127.0.0.1:1/none',
    poolMax: 1,
  })
  const app = await buildApp(testConfig(), { database, logger: false })
  t.teardown(async () => {
    await app.close()
    await database.close()
  })
  const response = await app.inject({ url: '/v1/organization', headers: bearer('pbk_00000000_whatever') })
  t.equal(response.statusCode, 500)
  const body = response.json()
  t.equal(body.type, '/problems/internal')
  t.match(body.detail, new RegExp(body.requestId))
  t.notMatch(response.payload, /ECONNREFUSED|stack|at .*\.js/)
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().type, '/problems/unavailable')
})
