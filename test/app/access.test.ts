import t from 'tap'
import { ROLES, type Role } from '../../src/modules/api-keys/api-keys.schemas.js'
import { bearer, buildTestApp, createKey, createTenant } from '../helpers/app.js'

// Every /v1 route × every kind of caller: no key, a bad key, each role, another tenant's admin.
t.test('access matrix', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app, 'Owner')
  const other = await createTenant(app, 'Other')
  const keys = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await createKey(app, tenant, [role])] as const)),
  ) as Record<Role, string>
  const victim = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'victim', roles: ['frontend'] },
  })
  const victimId = victim.json().id as string

  const routes: {
    method: 'GET' | 'POST' | 'DELETE'
    url: string
    payload?: object
    allowed: readonly Role[]
    okStatus: number
    otherTenant: number
  }[] = [
    { method: 'GET', url: '/v1/organization', allowed: ROLES, okStatus: 200, otherTenant: 200 },
    { method: 'GET', url: '/v1/api-keys', allowed: ['admin'], okStatus: 200, otherTenant: 200 },
    {
      method: 'POST',
      url: '/v1/api-keys',
      payload: { name: 'k', roles: ['auditor'] },
      allowed: ['admin'],
      okStatus: 201,
      otherTenant: 201,
    },
    // Another tenant's resource is a 404, never a 403 and never its data.
    {
      method: 'DELETE',
      url: `/v1/api-keys/${victimId}`,
      allowed: ['admin'],
      okStatus: 204,
      otherTenant: 404,
    },
  ]

  for (const route of routes) {
    t.test(`${route.method} ${route.url}`, async (t) => {
      const call = (headers: Record<string, string>) =>
        app.inject({ method: route.method, url: route.url, headers, payload: route.payload })

      const anonymous = await call({})
      t.equal(anonymous.statusCode, 401, 'when no key is sent, then 401')
      t.equal(anonymous.json().type, '/problems/unauthorized')

      const unknown = await call(bearer('pbk_00000000_not-a-real-key'))
      t.equal(unknown.statusCode, 401, 'when the key is unknown, then 401')
      const malformed = await call({ authorization: 'Basic abc' })
      t.equal(malformed.statusCode, 401, 'when the header is not Bearer, then 401')

      const fromOther = await call(bearer(other.adminKey))
      t.equal(fromOther.statusCode, route.otherTenant, "when another tenant's admin calls")
      if (route.method === 'GET' && route.url === '/v1/organization') {
        t.equal(fromOther.json().id, other.organizationId, 'then it sees its own organization only')
      }
      if (route.method === 'GET' && route.url === '/v1/api-keys') {
        const ids = (fromOther.json().items as { id: string }[]).map((item) => item.id)
        t.notOk(ids.includes(victimId), "then it does not see the owner's keys")
      }

      // The DELETE succeeds once; run the allowed role last so that the others see the key.
      const order = [...ROLES].sort(
        (a, b) => Number(route.allowed.includes(a)) - Number(route.allowed.includes(b)),
      )
      for (const role of order) {
        const response = await call(bearer(keys[role]))
        const expected = route.allowed.includes(role) ? route.okStatus : 403
        t.equal(response.statusCode, expected, `when the caller has role ${role}, then ${expected}`)
        if (expected === 403) t.equal(response.json().type, '/problems/forbidden')
      }
    })
  }
})

t.test('when a key is revoked, then it stops working at once', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const created = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.adminKey),
    payload: { name: 'kiosk', roles: ['frontend'] },
  })
  const { id, key } = created.json()
  t.equal((await app.inject({ url: '/v1/organization', headers: bearer(key) })).statusCode, 200)
  const revoked = await app.inject({
    method: 'DELETE',
    url: `/v1/api-keys/${id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(revoked.statusCode, 204)
  const after = await app.inject({ url: '/v1/organization', headers: bearer(key) })
  t.equal(after.statusCode, 401)
  t.match(after.json().detail, /revoked/)
})

// Every /v1 route the app registers, from the access each declares: nothing is left unguarded.
t.test('when any /v1 route is called by each kind of caller, then access is enforced', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_ANONYMOUS: '100000' } })
  const tenant = await createTenant(app)
  const keys = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await createKey(app, tenant, [role])] as const)),
  ) as Record<Role, string>
  t.ok(app.routeAccess.length >= 20, `${app.routeAccess.length} routes declare their access`)
  for (const { method, url: pattern, access } of app.routeAccess) {
    const url = pattern
      .replace(':slug', tenant.slug)
      .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
    const call = (headers: Record<string, string>) =>
      app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      })
    const name = `${method} ${pattern}`
    t.equal((await call(bearer('pbk_00000000_unknown'))).statusCode, 401, `${name}: an unknown key gets 401`)
    const anonymous = await call({})
    if ('public' in access) {
      t.not(anonymous.statusCode, 401, `${name}: public, no key needed`)
      continue
    }
    t.equal(anonymous.statusCode, 401, `${name}: no key gets 401`)
    for (const role of ROLES) {
      const status = (await call(bearer(keys[role]))).statusCode
      if (access.roles.includes(role))
        t.notOk([401, 403].includes(status), `${name}: ${role} is let through (${status})`)
      else t.equal(status, 403, `${name}: ${role} gets 403`)
    }
  }
})
