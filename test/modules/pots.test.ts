import t from 'tap'
import { bearer, buildTestApp, createTenant } from '../helpers/app.js'
import { createRound, insertAreas, insertSectors } from '../helpers/rounds.js'

t.test('area rounds', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const areaRows = await insertAreas(app, tenant, { a: 12000, b: 5000, c: 1500, d: 800, e: 700 })
  const idOf = (code: string) => areaRows.find((area) => area.code === code)!.id
  const round = await createRound(app, tenant)
  const put = (payload: object, url = `/v1/rounds/${round.id}/pots`) =>
    app.inject({
      method: url.endsWith('preview') ? 'POST' : 'PUT',
      url,
      headers: bearer(tenant.adminKey),
      payload,
    })

  t.test('when split by population with a floor, then pots are exact and sum to the total', async (t) => {
    const plan = { method: 'area', total: 10_000_000, split: 'population', floor: 1_000_000 }
    const preview = await put(plan, `/v1/rounds/${round.id}/pots/preview`)
    t.equal(preview.statusCode, 200)
    const stored = await app.inject({ url: `/v1/rounds/${round.id}/pots`, headers: bearer(tenant.adminKey) })
    t.same(stored.json().pots, [], 'a preview saves nothing')

    const response = await put(plan)
    t.equal(response.statusCode, 200)
    const body = response.json()
    const amounts = Object.fromEntries(
      body.pots.map((pot: { code: string; amount: number }) => [pot.code, pot.amount]),
    )
    t.same(amounts, { a: 4_941_176, b: 2_058_824, c: 1_000_000, d: 1_000_000, e: 1_000_000 })
    t.equal(body.total, 10_000_000)
    t.equal(
      body.pots.reduce((sum: number, pot: { amount: number }) => sum + pot.amount, 0),
      10_000_000,
    )
    t.same(
      body.pots.map((pot: { exactAmount: string }) => pot.exactAmount),
      ['84000000/17', '35000000/17', '1000000', '1000000', '1000000'],
    )
    t.same(
      body.steps.map((step: { kind: string }) => step.kind),
      ['population_round', 'population_round', 'rounding'],
    )
    t.same(
      preview.json().pots.map((pot: { amount: number }) => pot.amount),
      body.pots.map((pot: { amount: number }) => pot.amount),
    )

    const read = await app.inject({ url: `/v1/rounds/${round.id}/pots`, headers: bearer(tenant.adminKey) })
    t.same(
      read.json().pots.map((pot: { code: string }) => pot.code),
      ['a', 'b', 'c', 'd', 'e'],
    )
    t.equal(read.json().method, 'area')
    const roundRead = await app.inject({ url: `/v1/rounds/${round.id}`, headers: bearer(tenant.adminKey) })
    t.equal(roundRead.json().potsTotal, 10_000_000)
  })

  t.test('when split equally with a municipality-wide share, then the rest is split exactly', async (t) => {
    const response = await put({
      method: 'area',
      total: 12_500_000,
      split: 'equal',
      areaIds: [idOf('a'), idOf('b'), idOf('c')],
      municipalityWide: { bps: 2000 },
    })
    t.equal(response.statusCode, 200)
    const pots = response
      .json()
      .pots.map((pot: { code: string; kind: string; amount: number }) => [pot.code, pot.kind, pot.amount])
    t.same(pots, [
      ['municipality', 'municipality', 2_500_000],
      ['a', 'area', 3_333_334],
      ['b', 'area', 3_333_333],
      ['c', 'area', 3_333_333],
    ])
  })

  t.test('when fixed amounts do not sum to the total, then 400 naming amounts', async (t) => {
    const response = await put({
      method: 'area',
      total: 1000,
      split: 'fixed',
      amounts: [
        { areaId: idOf('a'), amount: 600 },
        { areaId: idOf('b'), amount: 300 },
      ],
    })
    t.equal(response.statusCode, 400)
    t.equal(response.json().errors[0].pointer, '/amounts')
    t.match(response.json().detail, /100/)
  })

  t.test('when the floor is too high or an area is unknown, then 400 naming the field', async (t) => {
    const floor = await put({ method: 'area', total: 1000, split: 'population', floor: 300 })
    t.equal(floor.statusCode, 400)
    t.equal(floor.json().errors[0].pointer, '/floor')
    const unknown = await put({
      method: 'area',
      total: 1000,
      split: 'equal',
      areaIds: ['00000000-0000-4000-8000-000000000000'],
    })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().errors[0].pointer, '/areaIds/0')
    const wrongMethod = await put({ method: 'project', amount: 5 })
    t.equal(wrongMethod.statusCode, 400)
    t.equal(wrongMethod.json().errors[0].pointer, '/method')
  })

  t.test('when population figures are for another year, then 400 naming the area', async (t) => {
    const other = await createTenant(app)
    await insertAreas(app, other, { x: 100, y: 200 }, 2024)
    const otherRound = await createRound(app, other)
    const response = await app.inject({
      method: 'PUT',
      url: `/v1/rounds/${otherRound.id}/pots`,
      headers: bearer(other.adminKey),
      payload: { method: 'area', total: 1000, split: 'population', floor: 0 },
    })
    t.equal(response.statusCode, 400)
    t.match(response.json().detail, /2024.*2026/)
  })

  t.test("when another organization's admin sets the pots, then 404", async (t) => {
    const other = await createTenant(app)
    const response = await app.inject({
      method: 'PUT',
      url: `/v1/rounds/${round.id}/pots`,
      headers: bearer(other.adminKey),
      payload: { method: 'area', total: 1000, split: 'equal' },
    })
    t.equal(response.statusCode, 404)
  })
})

t.test('when a sector round gets pots, then there is one per sector with its amount', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const [youth, elderly] = await insertSectors(app, tenant, ['youth', 'elderly'])
  const round = await createRound(app, tenant, { method: 'sector' })
  const response = await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${round.id}/pots`,
    headers: { ...bearer(tenant.adminKey), 'accept-language': 'sv, fi;q=0.5' },
    payload: {
      method: 'sector',
      sectors: [
        { sectorId: youth!.id, amount: 50_000_00 },
        { sectorId: elderly!.id, amount: 30_000_00 },
      ],
    },
  })
  t.equal(response.statusCode, 200)
  t.match(response.json(), {
    method: 'sector',
    total: 80_000_00,
    pots: [
      {
        code: 'youth',
        kind: 'sector',
        amount: 50_000_00,
        sectorId: youth!.id,
        localized: { language: 'sv', name: 'Sektori youth' },
      },
      { code: 'elderly', kind: 'sector', amount: 30_000_00, sectorId: elderly!.id },
    ],
  })
  const duplicate = await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${round.id}/pots`,
    headers: bearer(tenant.adminKey),
    payload: {
      method: 'sector',
      sectors: [
        { sectorId: youth!.id, amount: 1 },
        { sectorId: youth!.id, amount: 2 },
      ],
    },
  })
  t.equal(duplicate.statusCode, 400)
  t.equal(duplicate.json().errors[0].pointer, '/sectors/1/sectorId')
})

t.test('when a project or percentage round gets its pot, then the money and share are shown', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const project = await createRound(app, tenant, { method: 'project' })
  const projectPots = await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${project.id}/pots`,
    headers: bearer(tenant.adminKey),
    payload: { method: 'project', amount: 250_000_00, name: { fi: 'Nuorisotila' } },
  })
  t.match(projectPots.json().pots, [
    { code: 'project', kind: 'project', amount: 250_000_00, name: { fi: 'Nuorisotila' } },
  ])

  const percentage = await createRound(app, tenant, { method: 'percentage' })
  const response = await app.inject({
    method: 'PUT',
    url: `/v1/rounds/${percentage.id}/pots`,
    headers: bearer(tenant.adminKey),
    payload: { method: 'percentage', budgetLine: { code: 'INV-2026', amount: 123_456_789 }, shareBps: 100 },
  })
  t.equal(response.statusCode, 200)
  t.match(response.json().pots, [
    {
      kind: 'percentage',
      code: 'INV-2026',
      amount: 1_234_567,
      exactAmount: '123456789/100',
      shareBps: 100,
      budgetLine: { code: 'INV-2026', amount: 123_456_789 },
    },
  ])
})
