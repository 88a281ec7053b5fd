import t from 'tap'
import { hashApiKey } from '../../src/modules/api-keys/api-keys.service.js'
import { bearer, buildTestApp, createTenant, TestClock } from '../helpers/app.js'

t.test('when an admin creates a key, then the secret is shown once and works with its roles', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'Library kiosk', roles: ['frontend', 'integrator'] },
  })
  t.equal(response.statusCode, 201)
  const created = response.json()
  t.match(created, {
    id: /^[0-9a-f-]{36}$/,
    name: 'Library kiosk',
    roles: ['frontend', 'integrator'],
    expiresAt: null,
    revokedAt: null,
    prefix: /^pbk_[0-9a-f]{8}$/,
    key: /^pbk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/,
  })
  t.ok(created.key.startsWith(`${created.prefix}_`), 'the prefix identifies the key')
  t.equal(response.headers.location, `/v1/api-keys/${created.id}`)

  const listed = await app.inject({ url: '/v1/api-keys', headers: bearer(tenant.adminKey) })
  const item = listed.json().items.find((key: { id: string }) => key.id === created.id)
  t.notOk('key' in item, 'a list never shows the secret')
  t.notMatch(listed.payload, created.key)
  t.notMatch(listed.payload, hashApiKey(created.key), 'nor its hash')

  const asKiosk = await app.inject({ url: '/v1/organization', headers: bearer(created.key) })
  t.equal(asKiosk.statusCode, 200)
  t.equal(asKiosk.json().id, tenant.organizationId)
})

t.test('when keys are listed page by page, then every key appears exactly once', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  for (let i = 0; i < 4; i++) {
    await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(tenant.adminKey),
      payload: { name: `key ${i}`, roles: ['auditor'] },
    })
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await app.inject({ url, headers: bearer(tenant.adminKey) })).json()
    t.ok(page.items.length <= 2)
    seen.push(...page.items.map((item: { name: string }) => item.name))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 3)
  t.same(seen, ['First admin key', 'key 0', 'key 1', 'key 2', 'key 3'])
})

t.test('when a key expires, then it is refused from that instant', async (t) => {
  const clock = new TestClock(new Date('2026-05-01T12:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const past = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'late', roles: ['auditor'], expiresAt: '2026-05-01T11:59:59Z' },
  })
  t.equal(past.statusCode, 400)
  t.same(past.json().errors, [{ in: 'body', pointer: '/expiresAt', detail: 'must be in the future' }])

  const created = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'one day', roles: ['auditor'], expiresAt: '2026-05-02T12:00:00+03:00' },
  })
  t.equal(created.statusCode, 201)
  t.equal(created.json().expiresAt, '2026-05-02T09:00:00.000Z')
  const { key } = created.json()
  t.equal((await app.inject({ url: '/v1/organization', headers: bearer(key) })).statusCode, 200)
  clock.set('2026-05-02T09:00:00Z')
  app.forgetApiKeys()
  const expired = await app.inject({ url: '/v1/organization', headers: bearer(key) })
  t.equal(expired.statusCode, 401)
  t.match(expired.json().detail, /expired/)
})

t.test('when the last admin key would be revoked, then 409 and it keeps working', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({
    method: 'DELETE',
    url: `/v1/api-keys/${tenant.adminKeyId}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(response.statusCode, 409)
  t.equal(response.json().type, '/problems/conflict')
  t.equal((await app.inject({ url: '/v1/organization', headers: bearer(tenant.adminKey) })).statusCode, 200)

  const second = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'deputy', roles: ['admin'] },
  })
  const deputy = second.json()
  const revokeFirst = await app.inject({
    method: 'DELETE',
    url: `/v1/api-keys/${tenant.adminKeyId}`,
    headers: bearer(deputy.key),
  })
  t.equal(revokeFirst.statusCode, 204, 'with another admin key, then the first can go')
  const again = await app.inject({
    method: 'DELETE',
    url: `/v1/api-keys/${tenant.adminKeyId}`,
    headers: bearer(deputy.key),
  })
  t.equal(again.statusCode, 204, 'revoking twice is harmless')
  const unknown = await app.inject({
    method: 'DELETE',
    url: '/v1/api-keys/00000000-0000-4000-8000-000000000000',
    headers: bearer(deputy.key),
  })
  t.equal(unknown.statusCode, 404)
})

t.test('when roles repeat or are empty, then 400 naming roles', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  for (const roles of [[], ['admin', 'admin']]) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(tenant.adminKey),
      payload: { name: 'x', roles },
    })
    t.equal(response.statusCode, 400)
    t.equal(response.json().errors[0].pointer, '/roles')
  }
})
