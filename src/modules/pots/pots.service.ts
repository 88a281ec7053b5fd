import { and, asc, eq, inArray } from 'drizzle-orm'
import { Fraction } from '../../counting/fraction.js'
import { isPotSplitError, type SplitIntoPotsInput, splitIntoPots } from '../../counting/pot-split.js'
import type { Db, Tx } from '../../db/client.js'
import { areas, type Pot, pots, type Round, rounds, sectors } from '../../db/schema.js'
import { checkLocalizedText, type LanguageSettings, pickText } from '../../lib/i18n.js'
import { invalidField } from '../../lib/problems.js'
import type { PotPlan, PotsView, PotView } from './pots.schemas.js'

type NewPot = Omit<typeof pots.$inferInsert, 'organizationId' | 'roundId'>

const MUNICIPALITY_NAME: Record<string, string> = {
  fi: 'Koko kunta',
  sv: 'Hela kommunen',
  en: 'Whole municipality',
  se: 'Olles gielda',
  smn: 'Olles kieldâ',
  sms: 'Tââvas kåʹdd',
}

/** Steps for JSON: amounts as numbers (all are safe integers here), fractions as "p/q". */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Fraction) return value.toString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonSafe(item)]))
  }
  return value
}

function onlyLanguages(text: Record<string, string>, settings: LanguageSettings): Record<string, string> {
  const kept = Object.fromEntries(
    Object.entries(text).filter(([language]) => settings.languages.includes(language)),
  )
  return Object.keys(kept).length > 0
    ? kept
    : { [settings.defaultLanguage]: text.en ?? Object.values(text)[0] ?? '' }
}

export interface PlannedPots {
  pots: NewPot[]
  total: number
  steps: Record<string, unknown>[]
}

/** Computes the pots a plan gives, without saving them. Throws 400 problems naming the field. */
export async function planPots(
  db: Db | Tx,
  round: Round,
  plan: PotPlan,
  settings: LanguageSettings,
): Promise<PlannedPots> {
  if (plan.method !== round.method) {
    throw invalidField('/method', `the round's method is ${round.method}`)
  }
  switch (plan.method) {
    case 'sector': {
      const ids = plan.sectors.map((entry) => entry.sectorId)
      const rows = await db
        .select()
        .from(sectors)
        .where(and(eq(sectors.organizationId, round.organizationId), inArray(sectors.id, ids)))
      const byId = new Map(rows.map((row) => [row.id, row]))
      const seen = new Set<string>()
      const planned = plan.sectors.map((entry, index): NewPot => {
        const sector = byId.get(entry.sectorId)
        if (!sector) throw invalidField(`/sectors/${index}/sectorId`, 'is not a sector of the organization')
        if (seen.has(sector.id)) throw invalidField(`/sectors/${index}/sectorId`, 'appears twice')
        seen.add(sector.id)
        return {
          kind: 'sector',
          code: sector.code,
          name: sector.name,
          amount: entry.amount,
          sectorId: sector.id,
          budgetLineCode: sector.budgetLineCode,
          position: index,
        }
      })
      const total = planned.reduce((sum, pot) => sum + pot.amount, 0)
      return { pots: planned, total, steps: [{ kind: 'sectors', count: planned.length, total }] }
    }
    case 'area':
      return planAreaPots(db, round, plan, settings)
    case 'project': {
      checkLocalizedText('/name', plan.name, settings)
      return {
        pots: [
          {
            kind: 'project',
            code: 'project',
            name: plan.name ?? round.title,
            amount: plan.amount,
            position: 0,
          },
        ],
        total: plan.amount,
        steps: [{ kind: 'project', amount: plan.amount }],
      }
    }
    case 'percentage': {
      checkLocalizedText('/budgetLine/name', plan.budgetLine.name, settings)
      // Never more than the share: the exact amount is rounded down, and reported.
      const exact = Fraction.of(BigInt(plan.budgetLine.amount) * BigInt(plan.shareBps), 10_000n)
      const amount = Number(exact.floor())
      return {
        pots: [
          {
            kind: 'percentage',
            code: plan.budgetLine.code,
            name: plan.budgetLine.name ?? round.title,
            amount,
            shareBps: plan.shareBps,
            budgetLineCode: plan.budgetLine.code,
            budgetLineAmount: plan.budgetLine.amount,
            exactAmount: exact.toString(),
            position: 0,
          },
        ],
        total: amount,
        steps: [
          {
            kind: 'percentage',
            budgetLineAmount: plan.budgetLine.amount,
            shareBps: plan.shareBps,
            exact: exact.toString(),
            amount,
            rounding: 'down',
          },
        ],
      }
    }
  }
}

async function planAreaPots(
  db: Db | Tx,
  round: Round,
  plan: Extract<PotPlan, { method: 'area' }>,
  settings: LanguageSettings,
): Promise<PlannedPots> {
  const all = await db
    .select()
    .from(areas)
    .where(eq(areas.organizationId, round.organizationId))
    .orderBy(asc(areas.code))
  const byId = new Map(all.map((row) => [row.id, row]))
  const pick = (ids: readonly string[], pointer: string) =>
    ids.map((id, index) => {
      const area = byId.get(id)
      if (!area) throw invalidField(`${pointer}/${index}`, 'is not an area of the organization')
      return area
    })

  let input: SplitIntoPotsInput
  let chosen: typeof all
  const municipalityWide =
    plan.municipalityWide === undefined
      ? undefined
      : 'amount' in plan.municipalityWide
        ? { amount: BigInt(plan.municipalityWide.amount) }
        : { bps: plan.municipalityWide.bps }
  const base = { total: BigInt(plan.total), ...(municipalityWide ? { municipalityWide } : {}) }
  if (plan.split === 'fixed') {
    if (!plan.amounts) throw invalidField('/amounts', 'is required for a fixed split')
    chosen = pick(
      plan.amounts.map((entry) => entry.areaId),
      '/amounts',
    )
    input = {
      ...base,
      method: 'fixed',
      amounts: plan.amounts.map((entry, index) => ({
        area: chosen[index]!.code,
        amount: BigInt(entry.amount),
      })),
    }
  } else {
    chosen = plan.areaIds ? pick(plan.areaIds, '/areaIds') : all
    if (chosen.length === 0) throw invalidField('/areaIds', 'the organization has no areas yet')
    if (plan.split === 'equal') {
      input = { ...base, method: 'equal', areas: chosen.map((area) => area.code) }
    } else {
      if (plan.floor === undefined)
        throw invalidField('/floor', 'is required for a population split (0 allowed)')
      chosen.forEach((area, index) => {
        if (area.populationYear !== round.fiscalYear) {
          throw invalidField(
            plan.areaIds ? `/areaIds/${index}` : '/areaIds',
            `area ${area.code} has population figures for ${area.populationYear ?? 'no year'}, the round names ${round.fiscalYear}`,
          )
        }
      })
      input = {
        ...base,
        method: 'population',
        floor: BigInt(plan.floor),
        populations: chosen.map((area) => ({
          area: area.code,
          population: Object.values(area.population).reduce((sum, count) => sum + count, 0),
        })),
      }
    }
  }

  let split: ReturnType<typeof splitIntoPots>
  try {
    split = splitIntoPots(input)
  } catch (error) {
    if (!isPotSplitError(error)) throw error
    const pointer = `/${error.field
      .replace(/\[(\d+)\]/g, '/$1')
      .replace(/\./g, '/')
      .replace(/^populations/, 'areaIds')}`
    throw invalidField(pointer.replace(/\/population$/, ''), error.message)
  }

  const areaByCode = new Map(chosen.map((area) => [area.code, area]))
  const planned: NewPot[] = []
  if (split.municipalityWide) {
    planned.push({
      kind: 'municipality',
      code: 'municipality',
      name: onlyLanguages(MUNICIPALITY_NAME, settings),
      amount: Number(split.municipalityWide.amount),
      exactAmount: split.municipalityWide.exact.toString(),
      position: 0,
    })
  }
  split.pots.forEach((pot, index) => {
    const area = areaByCode.get(pot.area)!
    planned.push({
      kind: 'area',
      code: area.code,
      name: area.name,
      amount: Number(pot.amount),
      areaId: area.id,
      exactAmount: pot.exact.toString(),
      position: index + 1,
    })
  })
  return { pots: planned, total: plan.total, steps: jsonSafe(split.steps) as Record<string, unknown>[] }
}

export function toPotView(
  row: NewPot & { id?: string | null },
  language: string,
  defaultLanguage: string,
): PotView {
  return {
    id: row.id ?? null,
    code: row.code,
    kind: row.kind,
    name: row.name,
    localized: { language, name: pickText(row.name, language, defaultLanguage) },
    amount: row.amount,
    exactAmount: row.exactAmount ?? null,
    areaId: row.areaId ?? null,
    sectorId: row.sectorId ?? null,
    shareBps: row.shareBps ?? null,
    budgetLine:
      row.budgetLineCode && row.budgetLineAmount != null
        ? { code: row.budgetLineCode, amount: row.budgetLineAmount }
        : null,
    position: row.position ?? 0,
  }
}

export async function roundPots(db: Db | Tx, roundId: string): Promise<Pot[]> {
  return db.select().from(pots).where(eq(pots.roundId, roundId)).orderBy(asc(pots.position), asc(pots.code))
}

export function potsView(
  round: Round,
  rows: (NewPot & { id?: string | null })[],
  language: string,
  defaultLanguage: string,
): PotsView {
  const plan = round.potPlan as {
    plan?: { method?: PotsView['method'] }
    steps?: Record<string, unknown>[]
  } | null
  return {
    roundId: round.id,
    method: plan?.plan?.method ?? null,
    total: rows.reduce((sum, row) => sum + row.amount, 0),
    pots: rows.map((row) => toPotView(row, language, defaultLanguage)),
    steps: plan?.steps ?? [],
  }
}

/** Replaces the round's pots inside the caller's transaction; returns the rows written. */
export async function writePots(tx: Tx, round: Round, planned: PlannedPots, plan: PotPlan): Promise<Pot[]> {
  await tx.delete(pots).where(eq(pots.roundId, round.id))
  const written =
    planned.pots.length === 0
      ? []
      : await tx
          .insert(pots)
          .values(
            planned.pots.map((pot) => ({ ...pot, organizationId: round.organizationId, roundId: round.id })),
          )
          .returning()
  await tx
    .update(rounds)
    .set({ potPlan: { plan, steps: planned.steps } })
    .where(eq(rounds.id, round.id))
  return written.sort((a, b) => a.position - b.position)
}
