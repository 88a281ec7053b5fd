import { and, asc, eq } from 'drizzle-orm'
import t from 'tap'
import type { App } from '../../src/app.js'
import { auditLog, pots, rounds } from '../../src/db/schema.js'
import { bearer, buildTestApp, createKey, createTenant, type Tenant, TestClock } from '../helpers/app.js'

const keskusta = {
  code: 'keskusta',
  name: { fi: 'Keskusta', sv: 'Centrum' },
  populationYear: 2025,
  population: { '0-14': 812, '65+': 1532 },
}

const createArea = (app: App, tenant: Tenant, payload: object, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/areas',
    headers: { ...bearer(tenant.adminKey), ...headers },
    payload,
  })

const auditOf = (app: App, tenant: Tenant) =>
  app.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, tenant.organizationId), eq(auditLog.entity, 'area')))
    .orderBy(asc(auditLog.createdAt), asc(auditLog.at))

t.test('when an admin creates an area, then it is read back whole, localized, with an ETag', async (t) => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const created = await createArea(app, tenant, keskusta)
  t.equal(created.statusCode, 201)
  const area = created.json()
  const expected = {
    id: area.id,
    ...keskusta,
    totalPopulation: 2344,
    version: 1,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    language: 'fi',
    localized: { name: 'Keskusta' },
  }
  t.same(area, expected)
  t.equal(created.headers.location, `/v1/areas/${area.id}`)
  t.equal(created.headers.etag, '"v1.fi"')

  const read = await app.inject({
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'accept-language': 'sv-FI, fi;q=0.5' },
  })
  t.equal(read.statusCode, 200)
  t.same(read.json(), { ...expected, language: 'sv', localized: { name: 'Centrum' } })
  t.equal(read.headers.etag, '"v1.sv"')
  t.match(read.headers.vary, /Accept-Language/)

  const english = await app.inject({
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'accept-language': 'en' },
  })
  t.same(english.json().localized, { name: 'Keskusta' }, 'when a language is missing, then the default')
  t.equal(english.json().language, 'en')

  const again = await app.inject({
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'accept-language': 'sv', 'if-none-match': '"v1.sv"' },
  })
  t.equal(again.statusCode, 304, 'when the ETag matches, then 304')
  t.equal(again.payload, '')
})

t.test('when an area has no population, then it reads as empty with total 0', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const created = await createArea(app, tenant, { code: 'kyla-1', name: { fi: 'Kylä' } })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { code: 'kyla-1', populationYear: null, population: {}, totalPopulation: 0 })
})

t.test('when areas are listed page by page, then every area appears once, by creation', async (t) => {
  const clock = new TestClock()
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  for (const code of ['c', 'a', 'b']) {
    clock.advance(1000)
    t.equal((await createArea(app, tenant, { code, name: { fi: code.toUpperCase() } })).statusCode, 201)
  }
  const reviewer = await createKey(app, tenant, ['reviewer'])
  const first = await app.inject({ url: '/v1/areas?limit=2', headers: bearer(reviewer) })
  t.equal(first.statusCode, 200)
  t.same(
    first.json().items.map((area: { code: string; localized: { name: string } }) => area.localized.name),
    ['C', 'A'],
  )
  t.type(first.json().nextCursor, 'string')
  const second = await app.inject({
    url: `/v1/areas?limit=2&cursor=${first.json().nextCursor}`,
    headers: bearer(reviewer),
  })
  t.same(
    second.json().items.map((area: { code: string }) => area.code),
    ['b'],
  )
  t.equal(second.json().nextCursor, null)

  const bad = await app.inject({ url: '/v1/areas?cursor=nonsense', headers: bearer(reviewer) })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().errors, [
    { in: 'querystring', pointer: '/cursor', detail: 'is not a cursor returned by this API' },
  ])
})

t.test('when an area is changed, then the version and updatedAt move and If-Match is honoured', async (t) => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const area = (await createArea(app, tenant, keskusta)).json()
  clock.set('2026-03-03T08:00:00Z')
  const patch = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'PATCH',
      url: `/v1/areas/${area.id}`,
      headers: { ...bearer(tenant.adminKey), ...headers },
      payload,
    })

  const changed = await patch(
    { name: { fi: 'Keskusta-alue' }, populationYear: 2026, population: { '18-29': 1000 } },
    { 'if-match': '"v1.fi"' },
  )
  t.equal(changed.statusCode, 200)
  t.same(changed.json(), {
    ...area,
    name: { fi: 'Keskusta-alue' },
    populationYear: 2026,
    population: { '18-29': 1000 },
    totalPopulation: 1000,
    version: 2,
    updatedAt: '2026-03-03T08:00:00.000Z',
    localized: { name: 'Keskusta-alue' },
  })
  t.equal(changed.headers.etag, '"v2.fi"')

  const stale = await patch({ code: 'center' }, { 'if-match': '"v1.fi"' })
  t.equal(stale.statusCode, 412, 'when If-Match is stale, then 412')
  t.equal(stale.json().type, '/problems/precondition-failed')

  const cleared = await patch(
    { code: 'center', populationYear: null, population: null },
    { 'if-match': '"v2.sv"' },
  )
  t.equal(cleared.statusCode, 200)
  t.match(cleared.json(), {
    code: 'center',
    populationYear: null,
    population: {},
    totalPopulation: 0,
    version: 3,
  })

  const read = await app.inject({ url: `/v1/areas/${area.id}`, headers: bearer(tenant.adminKey) })
  t.same(read.json(), cleared.json())
  const notFresh = await app.inject({
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'if-none-match': '"v2.fi"' },
  })
  t.equal(notFresh.statusCode, 200, 'when the ETag is old, then the new version is sent')
})

t.test('when areas are created, changed and deleted, then each write is audited', async (t) => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const created = (await createArea(app, tenant, keskusta)).json()
  clock.advance(60_000)
  const changed = (
    await app.inject({
      method: 'PATCH',
      url: `/v1/areas/${created.id}`,
      headers: bearer(tenant.adminKey),
      payload: { code: 'centrum' },
    })
  ).json()
  clock.advance(60_000)
  const deleted = await app.inject({
    method: 'DELETE',
    url: `/v1/areas/${created.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.payload, '')

  const { language: _l, localized: _n, ...stored } = created
  const { language: _l2, localized: _n2, ...storedChanged } = changed
  const entries = (await auditOf(app, tenant)).map((entry) => ({
    entityId: entry.entityId,
    action: entry.action,
    actorKeyId: entry.actorKeyId,
    roundId: entry.roundId,
    before: entry.before,
    after: entry.after,
    at: entry.at.toISOString(),
  }))
  const common = { entityId: created.id, actorKeyId: tenant.adminKeyId, roundId: null }
  t.same(entries, [
    { ...common, action: 'create', before: null, after: stored, at: '2026-03-02T10:00:00.000Z' },
    { ...common, action: 'update', before: stored, after: storedChanged, at: '2026-03-02T10:01:00.000Z' },
    { ...common, action: 'delete', before: storedChanged, after: null, at: '2026-03-02T10:02:00.000Z' },
  ])

  const gone = await app.inject({ url: `/v1/areas/${created.id}`, headers: bearer(tenant.adminKey) })
  t.equal(gone.statusCode, 404)
})

t.test('bad input to areas', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)

  const cases: { when: string; payload: object; errors: { pointer: string; detail?: unknown }[] }[] = [
    {
      when: 'a field is unknown',
      payload: { ...keskusta, colour: 'red' },
      errors: [{ pointer: '/colour', detail: 'is not a known field' }],
    },
    {
      when: 'fields have wrong types',
      payload: {
        code: 'Keskusta Alue',
        name: 'Keskusta',
        populationYear: 2025.5,
        population: { '0-14': -1 },
      },
      errors: [
        { pointer: '/code' },
        { pointer: '/name' },
        { pointer: '/population/0-14' },
        { pointer: '/populationYear' },
      ],
    },
    {
      when: 'a language is not supported',
      payload: { code: 'a', name: { fi: 'A', xx: 'A' } },
      errors: [{ pointer: '/name/xx', detail: /not supported/ }],
    },
    {
      when: 'the default language is missing',
      payload: { code: 'a', name: { sv: 'A' } },
      errors: [{ pointer: '/name/fi', detail: 'the default language is required' }],
    },
    {
      when: 'an age band is unknown',
      payload: { code: 'a', name: { fi: 'A' }, populationYear: 2025, population: { '0-14': 1, '15-24': 2 } },
      errors: [{ pointer: '/population/15-24', detail: /is not an age band of the organization \(0-14, / }],
    },
    {
      when: 'population comes without its year',
      payload: { code: 'a', name: { fi: 'A' }, population: { '0-14': 1 } },
      errors: [{ pointer: '/population', detail: 'populationYear and population are given together' }],
    },
    {
      when: 'the code is too long',
      payload: { code: 'a'.repeat(33), name: { fi: 'A' } },
      errors: [{ pointer: '/code' }],
    },
  ]
  for (const { when, payload, errors } of cases) {
    const response = await createArea(app, tenant, payload)
    t.equal(response.statusCode, 400, `when ${when}, then 400`)
    t.equal(response.json().type, '/problems/validation-failed')
    const actual = (response.json().errors as { pointer: string }[]).sort((a, b) =>
      a.pointer.localeCompare(b.pointer),
    )
    t.match(
      actual,
      errors.map((error) => ({ in: 'body', ...error })),
      `then it names ${when}`,
    )
    t.equal(actual.length, errors.length)
  }

  t.equal((await createArea(app, tenant, keskusta)).statusCode, 201)
  const duplicate = await createArea(app, tenant, { code: keskusta.code, name: { fi: 'Toinen' } })
  t.equal(duplicate.statusCode, 409, 'when the code is taken, then 409 naming /code')
  t.same(duplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])

  const other = (await createArea(app, tenant, { code: 'other', name: { fi: 'Muu' } })).json()
  const patchDuplicate = await app.inject({
    method: 'PATCH',
    url: `/v1/areas/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { code: keskusta.code },
  })
  t.equal(patchDuplicate.statusCode, 409, 'when a change takes a used code, then 409')
  t.same(patchDuplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])

  const patchBad = await app.inject({
    method: 'PATCH',
    url: `/v1/areas/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { name: { fi: 'Muu', xx: 'Other' }, version: 7 },
  })
  t.equal(patchBad.statusCode, 400)
  t.same(patchBad.json().errors, [{ in: 'body', pointer: '/version', detail: 'is not a known field' }])
  const patchLanguage = await app.inject({
    method: 'PATCH',
    url: `/v1/areas/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { name: { sv: 'Annan' } },
  })
  t.same(patchLanguage.json().errors, [
    { in: 'body', pointer: '/name/fi', detail: 'the default language is required' },
  ])
  const patchEmpty = await app.inject({
    method: 'PATCH',
    url: `/v1/areas/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: {},
  })
  t.equal(patchEmpty.statusCode, 400, 'when a change is empty, then 400')

  const badId = await app.inject({ url: '/v1/areas/not-a-uuid', headers: bearer(tenant.adminKey) })
  t.equal(badId.statusCode, 400)
  t.equal(badId.json().errors[0].pointer, '/areaId')

  const unchanged = await app.inject({ url: `/v1/areas/${other.id}`, headers: bearer(tenant.adminKey) })
  t.match(unchanged.json(), { code: 'other', version: 1 }, 'then nothing changed')
  t.equal((await auditOf(app, tenant)).length, 2, 'and only the two creations are audited')
})

t.test('who may read and write areas', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const other = await createTenant(app, 'Other')
  const area = (await createArea(app, tenant, keskusta)).json()

  for (const role of ['reviewer', 'integrator', 'frontend', 'auditor'] as const) {
    const key = await createKey(app, tenant, [role])
    const writes = [
      { method: 'POST' as const, url: '/v1/areas', payload: { code: `by-${role}`, name: { fi: 'X' } } },
      { method: 'PATCH' as const, url: `/v1/areas/${area.id}`, payload: { code: `by-${role}` } },
      { method: 'DELETE' as const, url: `/v1/areas/${area.id}` },
    ]
    for (const write of writes) {
      const response = await app.inject({ ...write, headers: bearer(key) })
      t.equal(response.statusCode, 403, `when a ${role} calls ${write.method}, then 403`)
      t.equal(response.json().type, '/problems/forbidden')
    }
    t.equal((await app.inject({ url: '/v1/areas', headers: bearer(key) })).statusCode, 200)
    const one = await app.inject({ url: `/v1/areas/${area.id}`, headers: bearer(key) })
    t.equal(one.statusCode, 200, `when a ${role} reads, then 200`)
  }

  for (const request of [
    { method: 'GET' as const, url: '/v1/areas' },
    { method: 'GET' as const, url: `/v1/areas/${area.id}` },
    { method: 'POST' as const, url: '/v1/areas', payload: keskusta },
    { method: 'PATCH' as const, url: `/v1/areas/${area.id}`, payload: { code: 'x' } },
    { method: 'DELETE' as const, url: `/v1/areas/${area.id}` },
  ]) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401, `when nobody calls ${request.method} ${request.url}, then 401`)
  }

  for (const request of [
    { method: 'GET' as const, url: `/v1/areas/${area.id}` },
    { method: 'PATCH' as const, url: `/v1/areas/${area.id}`, payload: { code: 'stolen' } },
    { method: 'DELETE' as const, url: `/v1/areas/${area.id}` },
  ]) {
    const response = await app.inject({ ...request, headers: bearer(other.adminKey) })
    t.equal(response.statusCode, 404, `when another tenant calls ${request.method}, then 404`)
    t.equal(response.json().type, '/problems/not-found')
  }
  const theirs = await app.inject({ url: '/v1/areas', headers: bearer(other.adminKey) })
  t.same(theirs.json(), { items: [], nextCursor: null }, "then another tenant's list is its own")
  const sameCode = await createArea(app, other, keskusta)
  t.equal(sameCode.statusCode, 201, 'codes are unique per organization only')

  const still = await app.inject({ url: `/v1/areas/${area.id}`, headers: bearer(tenant.adminKey) })
  t.same(still.json(), area, 'then the area is untouched')
})

t.test('when a pot uses an area, then it cannot be deleted', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const area = (await createArea(app, tenant, keskusta)).json()
  const [round] = await app.db
    .insert(rounds)
    .values({
      organizationId: tenant.organizationId,
      title: { fi: 'Kierros' },
      purpose: 'allocation',
      method: 'area',
      currency: 'EUR',
      fiscalYear: 2026,
      phases: [],
      ballot: {},
      counting: {},
      eligibility: {},
    })
    .returning()
  const [pot] = await app.db
    .insert(pots)
    .values({
      organizationId: tenant.organizationId,
      roundId: round!.id,
      kind: 'area',
      code: 'keskusta',
      name: { fi: 'Keskusta' },
      amount: 100_000,
      areaId: area.id,
    })
    .returning()
  const refused = await app.inject({
    method: 'DELETE',
    url: `/v1/areas/${area.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', detail: /1 pot/ })
  t.equal((await auditOf(app, tenant)).length, 1, 'then no delete is audited')

  await app.db.delete(pots).where(eq(pots.id, pot!.id))
  const stale = await app.inject({
    method: 'DELETE',
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'if-match': '"v2.fi"' },
  })
  t.equal(stale.statusCode, 412, 'when If-Match is stale, then the delete is refused')
  const deleted = await app.inject({
    method: 'DELETE',
    url: `/v1/areas/${area.id}`,
    headers: { ...bearer(tenant.adminKey), 'if-match': '"v1.fi"' },
  })
  t.equal(deleted.statusCode, 204, 'when no pot uses it, then it is deleted')
})
