import t from 'tap'
import { themes } from '../../src/db/schema.js'
import { bearer, buildTestApp, createKey, createTenant, TestClock } from '../helpers/app.js'
import { createRound, insertAreas, roundBody } from '../helpers/rounds.js'

t.test('when a round is created, then it is a draft with its phase computed from server time', async (t) => {
  const clock = new TestClock(new Date('2026-03-10T12:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const response = await app.inject({
    method: 'POST',
    url: '/v1/rounds',
    headers: { ...bearer(tenant.adminKey), 'accept-language': 'sv-FI, en;q=0.8' },
    payload: roundBody(),
  })
  t.equal(response.statusCode, 201)
  const round = response.json()
  t.equal(response.headers.location, `/v1/rounds/${round.id}`)
  t.match(round, {
    status: 'draft',
    organizationId: tenant.organizationId,
    purpose: 'allocation',
    method: 'area',
    currency: 'EUR',
    currentPhase: 'ideation',
    votingOpened: false,
    localized: { language: 'sv', title: 'Deltagande budgetering 2026', description: 'Asukkaat päättävät.' },
    counting: { rule: 'mes_cost_add1_greedy', tieBreak: ['id'], leftover: 'none' },
    eligibility: { residenceRequired: true, verification: 'attestation', potChoice: 'own_area' },
    revoteAllowed: true,
    savingsTarget: null,
    potsTotal: 0,
    version: 1,
    publishedAt: null,
  })
  clock.set('2026-04-20T00:00:00Z')
  const later = await app.inject({ url: `/v1/rounds/${round.id}`, headers: bearer(tenant.adminKey) })
  t.equal(later.json().currentPhase, 'review')
  clock.set('2026-05-20T00:00:00Z')
  const between = await app.inject({ url: `/v1/rounds/${round.id}`, headers: bearer(tenant.adminKey) })
  t.equal(between.json().currentPhase, null, 'between voting and results no phase is open')
})

t.test('each purpose is validated with its ballot and rule', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const post = (overrides: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/rounds',
      headers: bearer(tenant.adminKey),
      payload: roundBody(overrides),
    })
  const pointers = (response: { json(): { errors?: { pointer: string }[] } }) =>
    (response.json().errors ?? []).map((error) => error.pointer).sort()

  t.test(
    'when a savings round has an approval ballot and no target, then 400 naming each clash',
    async (t) => {
      const response = await post({ purpose: 'savings' })
      t.equal(response.statusCode, 400)
      t.equal(response.json().type, '/problems/invalid-configuration')
      t.same(pointers(response), ['/ballot/format', '/counting/rule', '/savingsTarget'])
    },
  )

  t.test('when a savings round is consistent, then it is created', async (t) => {
    const response = await post({
      purpose: 'savings',
      method: 'sector',
      ballot: { format: 'objection' },
      counting: { rule: 'savings_min_objection' },
      savingsTarget: 7_000_000,
    })
    t.equal(response.statusCode, 201)
    t.equal(response.json().savingsTarget, 7_000_000)
  })

  t.test('when a non-savings round has a savings target or an objection ballot, then 400', async (t) => {
    t.same(pointers(await post({ savingsTarget: 100 })), ['/savingsTarget'])
    t.same(pointers(await post({ ballot: { format: 'objection' } })), ['/ballot/format', '/counting/rule'])
  })

  t.test('when a shares ballot meets a cost rule or an area method, then 400', async (t) => {
    const response = await post({
      method: 'area',
      ballot: { format: 'shares' },
      counting: { rule: 'greedy_cost' },
    })
    t.same(pointers(response), ['/ballot/format', '/counting/rule'])
    const ok = await post({
      method: 'sector',
      ballot: { format: 'shares' },
      counting: { rule: 'shares_independent_markets' },
    })
    t.equal(ok.statusCode, 201)
  })

  t.test('when a rule cannot count the ballot, then 400 naming the rule', async (t) => {
    t.same(
      pointers(await post({ ballot: { format: 'cumulative', points: 10 }, counting: { rule: 'phragmen' } })),
      ['/counting/rule'],
    )
    t.same(pointers(await post({ counting: { rule: 'mes_borda' } })), ['/counting/rule'])
    t.equal(
      (await post({ ballot: { format: 'ranking', maxRanked: 5 }, counting: { rule: 'greedy_borda' } }))
        .statusCode,
      201,
    )
  })

  t.test('when limits or tie-breaks contradict, then 400 naming them', async (t) => {
    t.same(pointers(await post({ ballot: { format: 'approval', minChoices: 4, maxChoices: 2 } })), [
      '/ballot/minChoices',
    ])
    t.same(pointers(await post({ counting: { rule: 'greedy_cost', tieBreak: ['lottery'] } })), [
      '/counting/lotterySeed',
    ])
    const seeded = await post({
      counting: {
        rule: 'greedy_cost',
        tieBreak: ['votes_desc', 'lottery'],
        lotterySeed: 'council-2026-05-16',
      },
    })
    t.equal(seeded.statusCode, 201)
  })

  t.test('when phases overlap or are out of order, then 400 naming the phase', async (t) => {
    const response = await post({
      phases: [
        { phase: 'voting', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-15T00:00:00Z' },
        { phase: 'ideation', startsAt: '2026-05-10T00:00:00Z', endsAt: '2026-05-09T00:00:00Z' },
      ],
    })
    t.same(pointers(response), ['/phases/1/endsAt', '/phases/1/phase', '/phases/1/startsAt'])
  })

  t.test('when text uses an unsupported language or lacks the default, then 400 naming it', async (t) => {
    t.same(pointers(await post({ title: { fi: 'x', de: 'y' } })), ['/title/de'])
    t.same(pointers(await post({ title: { sv: 'x' } })), ['/title/fi'])
  })

  t.test('when a theme is not the organization’s, then 400 naming it', async (t) => {
    const response = await post({ themeIds: ['00000000-0000-4000-8000-000000000000'] })
    t.same(pointers(response), ['/themeIds/0'])
  })
})

t.test('the freeze once voting has opened', async (t) => {
  const clock = new TestClock(new Date('2026-04-10T00:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  await insertAreas(app, tenant, { north: 600, south: 400 })
  const [theme] = await app.db
    .insert(themes)
    .values({ organizationId: tenant.organizationId, code: 'youth', name: { fi: 'Nuoret' } })
    .returning()
  const round = await createRound(app, tenant, { themeIds: [theme!.id] })
  const headers = bearer(tenant.adminKey)
  const patch = (payload: object) =>
    app.inject({ method: 'PATCH', url: `/v1/rounds/${round.id}`, headers, payload })
  const setPots = () =>
    app.inject({
      method: 'PUT',
      url: `/v1/rounds/${round.id}/pots`,
      headers,
      payload: { method: 'area', total: 1_000_000, split: 'population', floor: 0 },
    })

  t.equal(
    (await app.inject({ method: 'POST', url: `/v1/rounds/${round.id}/publish`, headers })).statusCode,
    409,
    'no pots yet',
  )
  t.equal((await setPots()).statusCode, 200)
  const published = await app.inject({ method: 'POST', url: `/v1/rounds/${round.id}/publish`, headers })
  t.equal(published.statusCode, 200)
  t.equal(published.json().status, 'published')
  t.equal(
    (await patch({ ballot: { format: 'approval', maxChoices: 3 } })).statusCode,
    200,
    'before voting, then changes pass',
  )

  clock.set('2026-05-01T00:00:00Z')
  const phases = roundBody().phases as { phase: string; startsAt: string; endsAt: string }[]
  const frozenCases: [string, object][] = [
    ['/purpose', { purpose: 'resource_mapping' }],
    ['/method', { method: 'sector' }],
    ['/currency', { currency: 'SEK' }],
    ['/themeIds', { themeIds: [] }],
    ['/ballot', { ballot: { format: 'approval', maxChoices: 4 } }],
    ['/counting', { counting: { rule: 'greedy_cost' } }],
    ['/eligibility', { eligibility: { minimumAge: 12 } }],
    [
      '/phases',
      {
        phases: phases.map((phase) =>
          phase.phase === 'voting' ? { ...phase, startsAt: '2026-04-30T00:00:00Z' } : phase,
        ),
      },
    ],
    [
      '/phases',
      {
        phases: phases.map((phase) =>
          phase.phase === 'voting' ? { ...phase, endsAt: '2026-05-10T00:00:00Z' } : phase,
        ),
      },
    ],
  ]
  for (const [pointer, payload] of frozenCases) {
    const response = await patch(payload)
    t.equal(response.statusCode, 409, `when ${Object.keys(payload)[0]} changes after voting opened, then 409`)
    t.equal(response.json().type, '/problems/frozen-field')
    t.equal(response.json().errors[0].pointer, pointer)
  }
  const pots = await setPots()
  t.equal(pots.statusCode, 409, 'the pots are frozen')
  t.equal(pots.json().type, '/problems/frozen-field')

  const retitled = await patch({ title: { fi: 'Uusi nimi' } })
  t.equal(retitled.statusCode, 200, 'text residents read may still be corrected')

  const extended = await patch({
    phases: phases.map((phase) =>
      phase.phase === 'voting' ? { ...phase, endsAt: '2026-05-20T00:00:00Z' } : phase,
    ),
  })
  t.equal(extended.statusCode, 200, 'the voting end may be extended')
  const audit = await app.inject({ url: `/v1/audit-log?roundId=${round.id}`, headers })
  const actions = audit.json().items.map((entry: { action: string }) => entry.action)
  t.ok(actions.includes('extend_voting'), 'the extension is logged as such')
  t.same(actions.filter((action: string) => action !== 'update' && action !== 'extend_voting').sort(), [
    'create',
    'publish',
    'replace',
  ])
})

t.test('ETags, If-None-Match and If-Match', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const round = await createRound(app, tenant)
  const headers = bearer(tenant.adminKey)
  const first = await app.inject({ url: `/v1/rounds/${round.id}`, headers })
  const etag = first.headers.etag as string
  t.match(etag, /^"v1\.fi\./)
  const cached = await app.inject({
    url: `/v1/rounds/${round.id}`,
    headers: { ...headers, 'if-none-match': etag },
  })
  t.equal(cached.statusCode, 304, 'when the caller has the current version, then 304')
  t.equal(cached.payload, '')

  const updated = await app.inject({
    method: 'PATCH',
    url: `/v1/rounds/${round.id}`,
    headers: { ...headers, 'if-match': etag },
    payload: { fiscalYear: 2027 },
  })
  t.equal(updated.statusCode, 200)
  t.equal(updated.json().version, 2)
  const stale = await app.inject({
    method: 'PATCH',
    url: `/v1/rounds/${round.id}`,
    headers: { ...headers, 'if-match': etag },
    payload: { fiscalYear: 2028 },
  })
  t.equal(stale.statusCode, 412, 'when If-Match is stale, then 412')
  t.equal(stale.json().type, '/problems/precondition-failed')
  const refetch = await app.inject({
    url: `/v1/rounds/${round.id}`,
    headers: { ...headers, 'if-none-match': etag },
  })
  t.equal(refetch.statusCode, 200)
  t.equal(refetch.json().fiscalYear, 2027)
})

t.test('public and private reads, pagination and filters', async (t) => {
  const clock = new TestClock(new Date('2026-05-05T00:00:00Z'))
  const app = await buildTestApp(t, { clock })
  const tenant = await createTenant(app)
  const other = await createTenant(app)
  await insertAreas(app, tenant, { north: 100 })
  const headers = bearer(tenant.adminKey)
  const draft = await createRound(app, tenant, { title: { fi: 'Luonnos' } })
  const live = await createRound(app, tenant, { title: { fi: 'Käynnissä' } })
  const sector = await createRound(app, tenant, {
    title: { fi: 'Sektori' },
    method: 'sector',
    purpose: 'co_planning',
  })
  await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${live.id}/pots`,
    headers,
    payload: { method: 'area', total: 100, split: 'equal' },
  })
  t.equal(
    (await app.inject({ method: 'POST', url: `/v1/rounds/${live.id}/publish`, headers })).statusCode,
    200,
  )

  t.equal((await app.inject({ url: `/v1/rounds/${draft.id}` })).statusCode, 404, 'a draft is not public')
  t.equal(
    (await app.inject({ url: `/v1/rounds/${draft.id}`, headers: bearer(other.adminKey) })).statusCode,
    404,
  )
  const publicRead = await app.inject({ url: `/v1/rounds/${live.id}` })
  t.equal(publicRead.statusCode, 200, 'a published round is public')
  t.equal(publicRead.json().currentPhase, 'voting')
  t.equal((await app.inject({ url: `/v1/rounds/${live.id}/pots` })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/rounds/${draft.id}/pots` })).statusCode, 404)

  const publicList = await app.inject({ url: `/v1/organizations/${tenant.slug}/rounds` })
  t.same(
    publicList.json().items.map((round: { id: string }) => round.id),
    [live.id],
  )
  t.equal((await app.inject({ url: '/v1/organizations/no-such-place/rounds' })).statusCode, 404)

  const all: string[] = []
  let cursor: string | null = null
  do {
    const url: string = `/v1/rounds?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await app.inject({ url, headers })).json()
    all.push(...page.items.map((round: { id: string }) => round.id))
    cursor = page.nextCursor
  } while (cursor)
  t.same(all, [draft.id, live.id, sector.id], 'every round once, drafts included, in creation order')

  const ids = async (query: string) =>
    (await app.inject({ url: `/v1/rounds?${query}`, headers }))
      .json()
      .items.map((round: { id: string }) => round.id)
  t.same(await ids('status=published'), [live.id])
  t.same(await ids('purpose=co_planning'), [sector.id])
  t.same(await ids('method=area'), [draft.id, live.id])
  t.same(await ids('phase=voting'), [draft.id, live.id, sector.id])
  t.same(await ids('phase=ideation'), [])
  t.same((await app.inject({ url: `/v1/rounds`, headers: bearer(other.adminKey) })).json().items, [])
  const bad = await app.inject({ url: '/v1/rounds?purpose=fun', headers })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].pointer, '/purpose')
})

t.test('lifecycle and roles', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  await insertAreas(app, tenant, { north: 100 })
  const headers = bearer(tenant.adminKey)
  const round = await createRound(app, tenant)
  const frontend = await createKey(app, tenant, ['frontend'])
  const auditor = await createKey(app, tenant, ['auditor'])
  t.equal(
    (await app.inject({ method: 'POST', url: '/v1/rounds', headers: bearer(frontend), payload: roundBody() }))
      .statusCode,
    403,
  )
  t.equal((await app.inject({ method: 'POST', url: '/v1/rounds', payload: roundBody() })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/rounds', headers: bearer(auditor) })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/audit-log', headers: bearer(auditor) })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/audit-log', headers: bearer(frontend) })).statusCode, 403)

  t.equal(
    (await app.inject({ method: 'POST', url: `/v1/rounds/${round.id}/close`, headers })).statusCode,
    409,
  )
  await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${round.id}/pots`,
    headers,
    payload: { method: 'area', total: 100, split: 'equal' },
  })
  for (const step of ['publish', 'close', 'archive']) {
    const response = await app.inject({ method: 'POST', url: `/v1/rounds/${round.id}/${step}`, headers })
    t.equal(response.statusCode, 200, `${step} succeeds in order`)
  }
  const archived = await app.inject({ url: `/v1/rounds/${round.id}`, headers })
  t.equal(archived.json().status, 'archived')
  t.equal(
    (
      await app.inject({
        method: 'PATCH',
        url: `/v1/rounds/${round.id}`,
        headers,
        payload: { title: { fi: 'x' } },
      })
    ).statusCode,
    409,
  )
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/v1/rounds/${round.id}`, headers })).statusCode,
    409,
    'only drafts are deleted',
  )

  const draft = await createRound(app, tenant)
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/v1/rounds/${draft.id}`, headers: bearer(auditor) }))
      .statusCode,
    403,
  )
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/rounds/${draft.id}`, headers })).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/rounds/${draft.id}`, headers })).statusCode, 404)

  const log = await app.inject({ url: `/v1/audit-log?roundId=${round.id}`, headers: bearer(auditor) })
  const entries = log.json().items
  t.match(entries[0], { entity: 'round', action: 'create', actorKeyId: tenant.adminKeyId, before: null })
  t.ok(entries.every((entry: { actorKeyId: string }) => entry.actorKeyId === tenant.adminKeyId))
})
