import { and, asc, eq } from 'drizzle-orm'
import t from 'tap'
import type { App } from '../../src/app.js'
import { auditLog, rounds } from '../../src/db/schema.js'
import { bearer, buildTestApp, createKey, createTenant, type Tenant, TestClock } from '../helpers/app.js'

const youth = {
  code: 'youth',
  name: { fi: 'Nuoret', sv: 'Unga' },
  description: { fi: 'Nuorten kohtaamispaikat' },
  position: 1,
}

const createTheme = (app: App, tenant: Tenant, payload: object, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/themes',
    headers: { ...bearer(tenant.adminKey), ...headers },
    payload,
  })

const auditOf = (app: App, tenant: Tenant) =>
  app.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, tenant.organizationId), eq(auditLog.entity, 'theme')))
    .orderBy(asc(auditLog.at))

const insertRound = async (app: App, tenant: Tenant, themeIds: string[]) => {
  const [round] = await app.db
    .insert(rounds)
    .values({
      organizationId: tenant.organizationId,
      title: { fi: 'Kierros' },
      purpose: 'allocation',
      method: 'sector',
      currency: 'EUR',
      fiscalYear: 2026,
      themeIds,
      phases: [],
      ballot: {},
      counting: {},
      eligibility: {},
    })
    .returning()
  return round!
}

t.test('when an admin creates a theme, then it is read back whole, localized, with an ETag', async (t) => {
  const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const created = await createTheme(app, tenant, youth, { 'accept-language': 'sv' })
  t.equal(created.statusCode, 201)
  const theme = created.json()
  const expected = {
    id: theme.id,
    ...youth,
    version: 1,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    language: 'sv',
    localized: { name: 'Unga', description: 'Nuorten kohtaamispaikat' },
  }
  t.same(theme, expected, 'when a text lacks the language, then the default language is shown')
  t.equal(created.headers.location, `/v1/themes/${theme.id}`)
  t.equal(created.headers.etag, '"v1.sv"')

  const read = await app.inject({ url: `/v1/themes/${theme.id}`, headers: bearer(tenant.adminKey) })
  t.equal(read.statusCode, 200)
  t.same(read.json(), {
    ...expected,
    language: 'fi',
    localized: { name: 'Nuoret', description: 'Nuorten kohtaamispaikat' },
  })
  t.equal(read.headers.etag, '"v1.fi"')
  const again = await app.inject({
    url: `/v1/themes/${theme.id}`,
    headers: { ...bearer(tenant.adminKey), 'if-none-match': 'W/"v1.fi"' },
  })
  t.equal(again.statusCode, 304, 'when the ETag matches, then 304')

  const bare = await createTheme(app, tenant, { code: 'free', name: { fi: 'Vapaat ideat' } })
  t.same(bare.json(), {
    id: bare.json().id,
    code: 'free',
    name: { fi: 'Vapaat ideat' },
    description: {},
    position: 0,
    version: 1,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    language: 'fi',
    localized: { name: 'Vapaat ideat' },
  })
})

t.test('when themes are listed, then all come, by position then code', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  for (const [code, position] of [
    ['vitality', 2],
    ['elderly', 1],
    ['youth', 1],
    ['services', 0],
  ] as const) {
    t.equal((await createTheme(app, tenant, { code, name: { fi: code }, position })).statusCode, 201)
  }
  const auditor = await createKey(app, tenant, ['auditor'])
  const list = await app.inject({ url: '/v1/themes', headers: bearer(auditor) })
  t.equal(list.statusCode, 200)
  t.same(Object.keys(list.json()), ['items'])
  t.same(
    list.json().items.map((theme: { code: string }) => theme.code),
    ['services', 'elderly', 'youth', 'vitality'],
  )
  const read = await app.inject({
    url: `/v1/themes/${list.json().items[0].id}`,
    headers: bearer(auditor),
  })
  t.same(list.json().items[0], read.json(), 'then each item is the theme as read alone')

  const other = await createTenant(app, 'Other')
  const theirs = await app.inject({ url: '/v1/themes', headers: bearer(other.adminKey) })
  t.same(theirs.json(), { items: [] }, "then another tenant's list is its own")
})

t.test(
  'when a theme is changed, then the version moves, If-Match is honoured, and it is audited',
  async (t) => {
    const clock = new TestClock(new Date('2026-03-02T10:00:00Z'))
    const app = await buildTestApp(t, { clock })
    const tenant = await createTenant(app)
    const created = (await createTheme(app, tenant, youth)).json()
    clock.set('2026-03-03T08:00:00Z')
    const patch = (payload: object, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/themes/${created.id}`,
        headers: { ...bearer(tenant.adminKey), ...headers },
        payload,
      })
    const changed = await patch({ description: {}, position: 5 }, { 'if-match': '"v1.fi"' })
    t.equal(changed.statusCode, 200)
    t.same(changed.json(), {
      ...created,
      description: {},
      position: 5,
      version: 2,
      updatedAt: '2026-03-03T08:00:00.000Z',
      localized: { name: 'Nuoret' },
    })
    t.equal(changed.headers.etag, '"v2.fi"')

    const stale = await patch({ code: 'young' }, { 'if-match': '"v1.fi"' })
    t.equal(stale.statusCode, 412, 'when If-Match is stale, then 412')
    t.equal(stale.json().type, '/problems/precondition-failed')

    clock.advance(60_000)
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/v1/themes/${created.id}`,
      headers: { ...bearer(tenant.adminKey), 'if-match': '"v2.sv"' },
    })
    t.equal(deleted.statusCode, 204)
    const gone = await app.inject({ url: `/v1/themes/${created.id}`, headers: bearer(tenant.adminKey) })
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

t.test('bad input to themes', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const cases: { when: string; payload: object; errors: { pointer: string; detail?: unknown }[] }[] = [
    {
      when: 'a field is unknown',
      payload: { ...youth, colour: 'red' },
      errors: [{ pointer: '/colour', detail: 'is not a known field' }],
    },
    {
      when: 'fields have wrong types',
      payload: { code: 'Youth!', name: { fi: '' }, position: '1' },
      errors: [{ pointer: '/code' }, { pointer: '/name/fi' }, { pointer: '/position' }],
    },
    {
      when: 'a name language is not supported',
      payload: { code: 'a', name: { fi: 'A', xx: 'A' } },
      errors: [{ pointer: '/name/xx', detail: /not supported/ }],
    },
    {
      when: 'a description language is not supported',
      payload: { code: 'a', name: { fi: 'A' }, description: { xx: 'A' } },
      errors: [{ pointer: '/description/xx', detail: /not supported/ }],
    },
    {
      when: 'the description lacks the default language',
      payload: { code: 'a', name: { fi: 'A' }, description: { sv: 'A' } },
      errors: [{ pointer: '/description/fi', detail: 'the default language is required' }],
    },
    {
      when: 'the name is missing',
      payload: { code: 'a' },
      errors: [{ pointer: '/name' }],
    },
    {
      when: 'the name lacks the default language',
      payload: { code: 'a', name: { en: 'A' } },
      errors: [{ pointer: '/name/fi', detail: 'the default language is required' }],
    },
  ]
  for (const { when, payload, errors } of cases) {
    const response = await createTheme(app, tenant, payload)
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

  t.equal((await createTheme(app, tenant, youth)).statusCode, 201)
  const duplicate = await createTheme(app, tenant, { code: 'youth', name: { fi: 'Toinen' } })
  t.equal(duplicate.statusCode, 409, 'when the code is taken, then 409 naming /code')
  t.same(duplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])
  const other = (await createTheme(app, tenant, { code: 'elderly', name: { fi: 'Ikäihmiset' } })).json()
  const patchDuplicate = await app.inject({
    method: 'PATCH',
    url: `/v1/themes/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { code: 'youth' },
  })
  t.equal(patchDuplicate.statusCode, 409)
  t.same(patchDuplicate.json().errors, [{ in: 'body', pointer: '/code', detail: 'is taken' }])
  const patchUnknown = await app.inject({
    method: 'PATCH',
    url: `/v1/themes/${other.id}`,
    headers: bearer(tenant.adminKey),
    payload: { id: other.id },
  })
  t.same(patchUnknown.json().errors, [
    { in: 'body', pointer: '/id', detail: 'is not a known field' },
    { in: 'body', pointer: '/', detail: 'must change at least one field' },
  ])
  t.equal((await auditOf(app, tenant)).length, 2, 'then only the two creations are audited')
})

t.test('who may read and write themes', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const other = await createTenant(app, 'Other')
  const theme = (await createTheme(app, tenant, youth)).json()

  for (const role of ['reviewer', 'integrator', 'frontend', 'auditor'] as const) {
    const key = await createKey(app, tenant, [role])
    for (const write of [
      { method: 'POST' as const, url: '/v1/themes', payload: { code: 'x', name: { fi: 'X' } } },
      { method: 'PATCH' as const, url: `/v1/themes/${theme.id}`, payload: { position: 9 } },
      { method: 'DELETE' as const, url: `/v1/themes/${theme.id}` },
    ]) {
      const response = await app.inject({ ...write, headers: bearer(key) })
      t.equal(response.statusCode, 403, `when a ${role} calls ${write.method}, then 403`)
    }
    t.equal((await app.inject({ url: '/v1/themes', headers: bearer(key) })).statusCode, 200)
    const one = await app.inject({ url: `/v1/themes/${theme.id}`, headers: bearer(key) })
    t.equal(one.statusCode, 200, `when a ${role} reads, then 200`)
  }
  for (const request of [
    { method: 'GET' as const, url: '/v1/themes' },
    { method: 'GET' as const, url: `/v1/themes/${theme.id}` },
    { method: 'POST' as const, url: '/v1/themes', payload: youth },
    { method: 'PATCH' as const, url: `/v1/themes/${theme.id}`, payload: { position: 9 } },
    { method: 'DELETE' as const, url: `/v1/themes/${theme.id}` },
  ]) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401, `when nobody calls ${request.method} ${request.url}, then 401`)
  }
  for (const request of [
    { method: 'GET' as const, url: `/v1/themes/${theme.id}` },
    { method: 'PATCH' as const, url: `/v1/themes/${theme.id}`, payload: { position: 9 } },
    { method: 'DELETE' as const, url: `/v1/themes/${theme.id}` },
  ]) {
    const response = await app.inject({ ...request, headers: bearer(other.adminKey) })
    t.equal(response.statusCode, 404, `when another tenant calls ${request.method}, then 404`)
  }
  const still = await app.inject({ url: `/v1/themes/${theme.id}`, headers: bearer(tenant.adminKey) })
  t.same(still.json(), theme, 'then the theme is untouched')
})

t.test('when a round selects a theme, then it cannot be deleted', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const theme = (await createTheme(app, tenant, youth)).json()
  const spare = (await createTheme(app, tenant, { code: 'spare', name: { fi: 'Vara' } })).json()
  const round = await insertRound(app, tenant, [spare.id, theme.id])
  const refused = await app.inject({
    method: 'DELETE',
    url: `/v1/themes/${theme.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', detail: /1 round/ })

  await app.db
    .update(rounds)
    .set({ themeIds: [spare.id] })
    .where(eq(rounds.id, round.id))
  const deleted = await app.inject({
    method: 'DELETE',
    url: `/v1/themes/${theme.id}`,
    headers: bearer(tenant.adminKey),
  })
  t.equal(deleted.statusCode, 204, 'when no round selects it, then it is deleted')
})
