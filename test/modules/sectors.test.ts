import { and, asc, eq } from 'drizzle-orm'
import t from 'tap'
import type { App } from '../../src/app.js'
import { auditLog, pots, rounds } from '../../src/db/schema.js'
import { bearer, buildTestApp, createKey, createTenant, type Tenant, TestClock } from '../helpers/app.js'

const youth = {
  code: 'youth-services',
  name: { fi: 'Nuorisopalvelut', sv: 'Ungdomstjänster' },
  budgetLineCode: '3110',
}

const createSector = (app: App, tenant: Tenant, payload: object, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/sectors',
    headers: { ...bearer(tenant.adminKey), ...headers },
    payload,
  })

const auditOf = (app: App, tenant: Tenant) =>
  app.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, tenant.organizationId), eq(auditLog.entity, 'sector')))
    .orderBy(asc(auditLog.at))

t.test('when an admin creates a sector, then it is read back whole, localized, with an ETag', async (t) => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const created = await createSector(app, tenant, youth)
  t.equal(created.statusCode, 201)
  const sector = created.json()
  const expected = {
    id: sector.id,
    ...youth,
    version: 1,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    language: 'fi',
    localized: { name: 'Nuorisopalvelut' },
  }
  t.same(sector, expected)
  t.equal(created.headers.location, `/v1/sectors/${sector.id}`)
  t.equal(created.headers.etag, '"v1.fi"')

  const integrator = await createKey(app, tenant, ['integrator'])
  const read = await app.inject({
    url: `/v1/sectors/${sector.id}`,
    headers: { ...bearer(integrator), 'accept-language': 'sv;q=0.9, de' },
  })
  t.equal(read.statusCode, 200)
  t.same(read.json(), { ...expected, language: 'sv', localized: { name: 'Ungdomstjänster' } })
  t.equal(read.headers.etag, '"v1.sv"')
  const again = await app.inject({
    url: `/v1/sectors/${sector.id}`,
    headers: { ...bearer(integrator), 'accept-language': 'sv', 'if-none-match': '"v0.sv", "v1.sv"' },
  })
  t.equal(again.statusCode, 304, 'when one of the ETags matches, then 304')

  const bare = await createSector(app, tenant, { code: 'culture', name: { fi: 'Kulttuuri' } })
  t.equal(bare.statusCode, 201)
  t.equal(bare.json().budgetLineCode, null, 'when no budget line is given, then null')
})

t.test('when sectors are listed page by page, then every sector appears once', async (t) => {
  const clock = new TestClock()
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  for (const code of ['youth', 'culture', 'sports']) {
    clock.advance(1000)
    t.equal((await createSector(app, tenant, { code, name: { fi: code } })).statusCode, 201)
  }
  const frontend = await createKey(app, tenant, ['frontend'])
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/sectors?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await app.inject({ url, headers: bearer(frontend) })).json()
    seen.push(...page.items.map((sector: { code: string }) => sector.code))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 2)
  t.same(seen, ['youth', 'culture', 'sports'])
  const tooMany = await app.inject({ url: '/v1/sectors?limit=101', headers: bearer(frontend) })
  t.equal(tooMany.statusCode, 400)
  t.equal(tooMany.json().errors[0].pointer, '/limit')
})

t.test(
  'when a sector is changed, then the version moves, If-Match is honoured, and it is audited',
  async (t) => {
    const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
    const app = await buildTestApp(t, { clock })
    const tenant = await createTenant(app)
    const created = (await createSector(app, tenant, youth)).json()
    clock.set('2026-03-03T08:00:00Z')
    const patch = (payload: object, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/sectors/${created.id}`,
        headers: { ...bearer(tenant.adminKey), ...headers },
        payload,
      })
    const changed = await patch({ budgetLineCode: null, name: { fi: 'Nuoriso' } }, { 'if-match': '"v1.fi"' })
    t.equal(changed.statusCode, 200)
    t.same(changed.json(), {
      ...created,
      name: { fi: 'Nuoriso' },
      budgetLineCode: null,
      version: 2,
      updatedAt: '2026-03-03T08:00:00.000Z',
      localized: { name: 'Nuoriso' },
    })
    t.equal(changed.headers.etag, '"v2.fi"')
    const stale = await patch({ code: 'youth' }, { 'if-match': '"v1.fi"' })
    t.equal(stale.statusCode, 412, 'when If-Match is stale, then 412')
    t.equal(stale.json().type, '/problems/precondition-failed')

    clock.advance(60_000)
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/v1/sectors/${created.id}`,
      headers: bearer(tenant.adminKey),
    })
    t.equal(deleted.statusCode, 204)
    const gone = await app.inject({ url: `/v1/sectors/${created.id}`, headers: bearer(tenant.adminKey) })
    t.equal(gone.statusCode, 404)

    const { language: _l, localized: _n, ...stored } = created
    const { language: _l2, localized: _n2, ...storedChanged } = changed.json()
    const common = { entityId: created.id, actorKeyId: tenant.adminKeyId, roundId: null }
    t.same(
      (await auditOf(app, tenant)).map((entry) => ({
        entityId: entry.entityId,
        action: entry.action,
        actorKeyId: entry.actorKeyId,
        roundId: entry.roundId,
        before: entry.before,
        after: entry.after,
        at: entry.at.toISOString(),
      })),
      [
        { ...common, action: 'create', before: null, after: stored, at: '2026-03-02T10:00:00.000Z' },
        { ...common, action: 'update', before: stored, after: storedChanged, at: '2026-03-03T08:00:00.000Z' },
        { ...common, action: 'delete', before: storedChanged, after: null, at: '2026-03-03T08:01:00.000Z' },
      ],
    )
  },
)

t.test('bad input to sectors', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const cases: { when: string; payload: object; errors: { pointer: string; detail?: unknown }[] }[] = [
    {
      when: 'a field is unknown',
      payload: { ...youth, amount: 100 },
      errors: [{ pointer: '/amount', detail: 'is not a known field' }],
    },
    {
      when: 'fields have wrong types',
      payload: { code: 'youth--services', name: { fi: 7 }, budgetLineCode: 3110 },
      errors: [{ pointer: '/budgetLineCode' }, { pointer: '/code' }, { pointer: '/name/fi' }],
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
      when: 'the code is missing',
      payload: { name: { fi: 'A' } },
      errors: [{ pointer: '/code' }],
    },
  ]
  for (const { when, payload, errors } of cases) {
    const response = await createSector(app, tenant, payload)
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

  t.equal((await createSector(app, tenant, youth)).statusCode, 201)
  const duplicate = await createSector(app, tenant, { code: youth.code, name: { fi: 'Toinen' } })
  t.equal(duplicate.statusCode, 409, 'when the code is taken, then 409 naming /code')
  t.same(duplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])
  const other = (await createSector(app, tenant, { code: 'culture', name: { fi: 'Kulttuuri' } })).json()
  const patchDuplicate = await app.inject({
    method: 'PATCH',
    url: `/v1/sectors/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { code: youth.code },
  })
  t.equal(patchDuplicate.statusCode, 409)
  t.same(patchDuplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])
  const patchLanguage = await app.inject({
    method: 'PATCH',
    url: `/v1/sectors/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { name: { fi: 'Kulttuuri', xx: 'Culture' } },
  })
  t.same(patchLanguage.json().errors, [
    {
      in: 'body',
      pointer: '/name/xx',
      detail: 'language is not supported by the organization (fi, sv, en, se, smn, sms)',
    },
  ])
  t.equal((await auditOf(app, tenant)).length, 2, 'then only the two creations are audited')
})

t.test('who may read and write sectors', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const other = await createTenant(app, 'Other')
  const sector = (await createSector(app, tenant, youth)).json()

  for (const role of ['reviewer', 'integrator', 'frontend', 'auditor'] as const) {
    const key = await createKey(app, tenant, [role])
    for (const write of [
      { method: 'POST' as const, url: '/v1/sectors', payload: { code: 'x', name: { fi: 'X' } } },
      { method: 'PATCH' as const, url: `/v1/sectors/${sector.id}`, payload: { budgetLineCode: '1' } },
      { method: 'DELETE' as const, url: `/v1/sectors/${sector.id}` },
    ]) {
      const response = await app.inject({ ...write, headers: bearer(key) })
      t.equal(response.statusCode, 403, `when a ${role} calls ${write.method}, then 403`)
    }
    t.equal((await app.inject({ url: '/v1/sectors', headers: bearer(key) })).statusCode, 200)
    const one = await app.inject({ url: `/v1/sectors/${sector.id}`, headers: bearer(key) })
    t.equal(one.statusCode, 200, `when a ${role} reads, then 200`)
  }
  for (const request of [
    { method: 'GET' as const, url: '/v1/sectors' },
    { method: 'GET' as const, url: `/v1/sectors/${sector.id}` },
    { method: 'POST' as const, url: '/v1/sectors', payload: youth },
    { method: 'PATCH' as const, url: `/v1/sectors/${sector.id}`, payload: { budgetLineCode: '1' } },
    { method: 'DELETE' as const, url: `/v1/sectors/${sector.id}` },
  ]) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401, `when nobody calls ${request.method} ${request.url}, then 401`)
  }
  for (const request of [
    { method: 'GET' as const, url: `/v1/sectors/${sector.id}` },
    { method: 'PATCH' as const, url: `/v1/sectors/${sector.id}`, payload: { budgetLineCode: '1' } },
    { method: 'DELETE' as const, url: `/v1/sectors/${sector.id}` },
  ]) {
    const response = await app.inject({ ...request, headers: bearer(other.adminKey) })
    t.equal(response.statusCode, 404, `when another tenant calls ${request.method}, then 404`)
  }
  const theirs = await app.inject({ url: '/v1/sectors', headers: bearer(other.adminKey) })
  t.same(theirs.json(), { items: [], nextCursor: null }, "then another tenant's list is its own")
  const still = await app.inject({ url: `/v1/sectors/${sector.id}`, headers: bearer(tenant.adminKey) })
  t.same(still.json(), sector, 'then the sector is untouched')
})

t.test('when a pot uses a sector, then it cannot be deleted', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const sector = (await createSector(app, tenant, youth)).json()
  const [round] = await app.db
    .insert(rounds)
    .values({
      organizationId: tenant.organizationId,
      title: { fi: 'Kierros' },
      purpose: 'allocation',
      method: 'sector',
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
      kind: 'sector',
      code: 'youth',
      name: { fi: 'Nuoriso' },
      amount: 50_000,
      sectorId: sector.id,
    })
    .returning()
  const refused = await app.inject({
    method: 'DELETE',
    url: `/v1/sectors/${sector.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', detail: /1 pot/ })
  t.equal((await auditOf(app, tenant)).length, 1, 'then no delete is audited')

  await app.db.delete(pots).where(eq(pots.id, pot!.id))
  const deleted = await app.inject({
    method: 'DELETE',
    url: `/v1/sectors/${sector.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(deleted.statusCode, 204, 'when no pot uses it, then it is deleted')
})
