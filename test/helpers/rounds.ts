import type { App } from '../../src/app.js'
import { areas, sectors } from '../../src/db/schema.js'
import { bearer, type Tenant } from './app.js'

/** A consistent allocation round; override any field. */
export function roundBody(overrides: Record<string, unknown> = {}) {
  return {
    title: {
      fi: 'Osallistuva budjetointi 2026',
      sv: 'Deltagande budgetering 2026',
      en: 'Participatory budgeting 2026',
    },
    description: { fi: 'Asukkaat päättävät.' },
    purpose: 'allocation',
    method: 'area',
    currency: 'EUR',
    fiscalYear: 2026,
    phases: [
      { phase: 'ideation', startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' },
      { phase: 'review', startsAt: '2026-04-01T00:00:00Z', endsAt: '2026-05-01T00:00:00Z' },
      { phase: 'voting', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-15T00:00:00Z' },
      { phase: 'results', startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-12-31T00:00:00Z' },
    ],
    ballot: { format: 'approval', maxChoices: 5 },
    counting: { rule: 'mes_cost_add1_greedy', tieBreak: ['id'] },
    ...overrides,
  }
}

export async function createRound(app: App, tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/rounds',
    headers: bearer(tenant.adminKey),
    payload: roundBody(overrides),
  })
  if (response.statusCode !== 201) throw new Error(`round not created: ${response.payload}`)
  return response.json() as { id: string; version: number } & Record<string, unknown>
}

/** Areas inserted directly: the areas API has its own tests. */
export async function insertAreas(
  app: App,
  tenant: Tenant,
  populations: Record<string, number>,
  year = 2026,
) {
  return app.db
    .insert(areas)
    .values(
      Object.entries(populations).map(([code, population]) => ({
        organizationId: tenant.organizationId,
        code,
        name: { fi: `Alue ${code}` },
        populationYear: year,
        population: { '0-14': Math.floor(population / 4), '30-64': population - Math.floor(population / 4) },
      })),
    )
    .returning()
}

export async function insertSectors(app: App, tenant: Tenant, codes: string[]) {
  return app.db
    .insert(sectors)
    .values(
      codes.map((code) => ({ organizationId: tenant.organizationId, code, name: { fi: `Sektori ${code}` } })),
    )
    .returning()
}
