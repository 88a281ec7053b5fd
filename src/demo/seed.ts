import type { App } from '../app.js'
import type { Role } from '../modules/api-keys/api-keys.schemas.js'
import { createApiKey } from '../modules/api-keys/api-keys.service.js'
import { CreateOrganizationSchema } from '../modules/organizations/organizations.schemas.js'
import { createOrganization } from '../modules/organizations/organizations.service.js'

export const DEMO_SLUG = 'kuusijarvi'

const DAY = 86_400_000

const AREAS = [
  {
    code: 'keskusta',
    name: { fi: 'Keskusta', sv: 'Centrum', en: 'Centre' },
    people: [820, 160, 610, 1900, 1450],
  },
  {
    code: 'kirkonkyla',
    name: { fi: 'Kirkonkylä', sv: 'Kyrkbyn', en: 'Church village' },
    people: [540, 120, 300, 1100, 980],
  },
  {
    code: 'rantala',
    name: { fi: 'Rantala', sv: 'Strandby', en: 'Rantala' },
    people: [210, 50, 90, 520, 610],
  },
  { code: 'metsala', name: { fi: 'Metsälä', sv: 'Skogsby', en: 'Metsälä' }, people: [95, 20, 40, 260, 330] },
  {
    code: 'jarvenpaa',
    name: { fi: 'Järvenpää', sv: 'Sjöända', en: 'Järvenpää' },
    people: [60, 15, 25, 170, 240],
  },
]

const THEMES = [
  { code: 'youth', name: { fi: 'Nuoret', sv: 'Unga', en: 'Youth' } },
  { code: 'elderly', name: { fi: 'Ikääntyneet', sv: 'Äldre', en: 'The elderly' } },
  { code: 'vitality', name: { fi: 'Elinvoima', sv: 'Livskraft', en: 'Vitality' } },
  { code: 'services', name: { fi: 'Palvelut', sv: 'Tjänster', en: 'Services' } },
  { code: 'empty-premises', name: { fi: 'Tyhjät tilat', sv: 'Tomma lokaler', en: 'Empty premises' } },
  { code: 'free-ideas', name: { fi: 'Vapaat ideat', sv: 'Fria idéer', en: 'Free ideas' } },
]

const SECTORS = [
  {
    code: 'youth-services',
    name: { fi: 'Nuorisopalvelut', sv: 'Ungdomstjänster', en: 'Youth services' },
    budgetLineCode: '4110',
  },
  {
    code: 'culture',
    name: { fi: 'Kulttuuripalvelut', sv: 'Kulturtjänster', en: 'Culture' },
    budgetLineCode: '4210',
  },
  {
    code: 'sports',
    name: { fi: 'Liikuntapalvelut', sv: 'Idrottstjänster', en: 'Sports' },
    budgetLineCode: '4310',
  },
]

/**
 * A fictional small Finnish municipality, seeded through the API itself so that every row is
 * validated and audited like any other: areas with populations, the participation model's
 * themes, sectors, and one round of each purpose and each method in different phases.
 */
export async function seedDemo(app: App, slug = DEMO_SLUG) {
  const now = app.clock.now()
  const year = now.getUTCFullYear()
  const { organization, apiKey } = await createOrganization(
    app.db,
    CreateOrganizationSchema.parse({
      name: 'Kuusijärven kunta (demo)',
      slug,
      defaultLanguage: 'fi',
    }),
  )
  const keys: Record<string, string> = { admin: apiKey.key }
  for (const role of ['reviewer', 'integrator', 'frontend', 'auditor'] as Role[]) {
    const created = await createApiKey(app.db, organization.id, { name: `Demo ${role}`, roles: [role] }, null)
    keys[role] = created.key
  }

  const call = async <T = Record<string, unknown>>(
    method: 'POST' | 'PUT',
    url: string,
    payload: object,
  ): Promise<T> => {
    const response = await app.inject({
      method,
      url,
      payload,
      headers: { authorization: `Bearer ${keys.admin}` },
    })
    if (response.statusCode >= 300)
      throw new Error(`demo seed: ${method} ${url} → ${response.statusCode} ${response.payload}`)
    return response.json() as T
  }

  const bands = ['0-14', '15-17', '18-29', '30-64', '65+']
  const areaIds: string[] = []
  for (const area of AREAS) {
    const population = Object.fromEntries(bands.map((band, index) => [band, area.people[index]!]))
    const created = await call<{ id: string }>('POST', '/v1/areas', {
      code: area.code,
      name: area.name,
      populationYear: year,
      population,
    })
    areaIds.push(created.id)
  }
  const themeIds: string[] = []
  for (const [position, theme] of THEMES.entries()) {
    themeIds.push((await call<{ id: string }>('POST', '/v1/themes', { ...theme, position })).id)
  }
  const sectorIds: string[] = []
  for (const sector of SECTORS) sectorIds.push((await call<{ id: string }>('POST', '/v1/sectors', sector)).id)

  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString()
  const phases = (names: string[], offsetDays: number) =>
    names.map((phase, index) => ({
      phase,
      startsAt: at(offsetDays + index * 14),
      endsAt: at(offsetDays + (index + 1) * 14),
    }))

  const rounds = [
    {
      title: { fi: 'Aluebudjetti', sv: 'Områdesbudget', en: 'Area budget' },
      purpose: 'allocation',
      method: 'area',
      phases: phases(['ideation', 'review', 'voting', 'counting', 'results'], -35),
      ballot: { format: 'approval', maxChoices: 5 },
      counting: { rule: 'mes_cost_add1_greedy' },
      eligibility: { minimumAge: 12, potChoice: 'own_area_and_municipality' },
      pots: {
        method: 'area',
        total: 20_000_000,
        split: 'population',
        floor: 1_500_000,
        municipalityWide: { bps: 2500 },
      },
      publish: true,
    },
    {
      title: {
        fi: 'Harrastusten resurssikartoitus',
        sv: 'Resurskartläggning för fritid',
        en: 'Mapping resources for hobbies',
      },
      purpose: 'resource_mapping',
      method: 'sector',
      phases: phases(['ideation', 'review', 'voting'], -7),
      ballot: { format: 'knapsack' },
      counting: { rule: 'greedy_cost' },
      pots: {
        method: 'sector',
        sectors: sectorIds.map((sectorId, index) => ({
          sectorId,
          amount: [3_000_000, 2_000_000, 2_500_000][index]!,
        })),
      },
      publish: true,
    },
    {
      title: {
        fi: 'Nuorisotilan suunnittelu',
        sv: 'Planering av ungdomslokalen',
        en: 'Planning the youth centre',
      },
      purpose: 'co_planning',
      method: 'project',
      themeIds: [themeIds[0], themeIds[4]],
      phases: phases(['ideation', 'co_planning', 'voting'], -20),
      ballot: { format: 'cumulative', points: 10, maxPointsPerProposal: 5 },
      counting: { rule: 'mes_cardinal' },
      pots: {
        method: 'project',
        amount: 15_000_000,
        name: { fi: 'Nuorisotila Kipinä', en: 'Youth centre Kipinä' },
      },
      publish: true,
    },
    {
      title: { fi: 'Säästökohteiden valinta', sv: 'Val av sparobjekt', en: 'Choosing savings' },
      purpose: 'savings',
      method: 'sector',
      phases: phases(['review', 'voting', 'results'], 10),
      ballot: { format: 'objection' },
      counting: { rule: 'savings_min_objection' },
      savingsTarget: 7_000_000,
      pots: { method: 'sector', sectors: [{ sectorId: sectorIds[1]!, amount: 7_000_000 }] },
      publish: true,
    },
    {
      title: { fi: 'Yhteistyöhankkeet', sv: 'Samarbetsprojekt', en: 'Cooperation projects' },
      purpose: 'cooperation',
      method: 'percentage',
      phases: phases(['ideation', 'voting', 'counting', 'results', 'follow_up'], -60),
      ballot: { format: 'ranking', maxRanked: 5 },
      counting: {
        rule: 'greedy_borda',
        tieBreak: ['votes_desc', 'lottery'],
        lotterySeed: `kuusijarvi-${year}`,
      },
      pots: {
        method: 'percentage',
        budgetLine: { code: 'INV-' + year, name: { fi: 'Investointibudjetti' }, amount: 1_250_000_000 },
        shareBps: 100,
      },
      publish: true,
    },
    {
      title: { fi: 'Ensi vuoden aluebudjetti (luonnos)', en: "Next year's area budget (draft)" },
      purpose: 'allocation',
      method: 'area',
      phases: phases(['ideation', 'review', 'voting'], 120),
      ballot: { format: 'k_approval', k: 3 },
      counting: { rule: 'greedy_cost' },
      pots: { method: 'area', total: 10_000_000, split: 'equal' },
      publish: false,
    },
  ]

  const created = []
  for (const { pots, publish, ...round } of rounds) {
    const made = await call<{ id: string }>('POST', '/v1/rounds', {
      currency: 'EUR',
      fiscalYear: year,
      ...round,
    })
    await call('PUT', `/v1/rounds/${made.id}/pots`, pots)
    const final = publish
      ? await call<{ currentPhase: string | null; status: string }>(
          'POST',
          `/v1/rounds/${made.id}/publish`,
          {},
        )
      : null
    created.push({
      id: made.id,
      title: round.title.en,
      purpose: round.purpose,
      method: round.method,
      status: final?.status ?? 'draft',
    })
  }
  return { organization, keys, areaIds, themeIds, sectorIds, rounds: created }
}
