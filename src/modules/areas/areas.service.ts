import { and, asc, eq } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { isUniqueViolation, sqlState } from '../../db/errors.js'
import { type Area, areas, organizations, pots } from '../../db/schema.js'
import { checkLocalizedText, type LanguageSettings, pickText } from '../../lib/i18n.js'
import { afterCursor, type PageQuery, toPage } from '../../lib/pagination.js'
import { invalidField, notFound, ProblemError } from '../../lib/problems.js'
import { recordAudit } from '../audit/audit.service.js'
import type { AreaRecord, AreaView, CreateArea, UpdateArea } from './areas.schemas.js'

export interface AreaSettings extends LanguageSettings {
  ageBands: readonly string[]
}

/** Who writes, and when; `assertVersion` throws when the caller's If-Match is stale. */
export interface WriteContext {
  actorKeyId: string
  at: Date
  assertVersion?: (currentVersion: number) => void
}

/** The organization's languages and age bands, which areas are validated and rendered against. */
export async function areaSettings(db: Db, organizationId: string): Promise<AreaSettings> {
  const [row] = await db
    .select({
      defaultLanguage: organizations.defaultLanguage,
      languages: organizations.languages,
      ageBands: organizations.ageBands,
    })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
  if (!row) throw notFound(`Organization ${organizationId}`)
  return row
}

export function toAreaRecord(row: Area): AreaRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    populationYear: row.populationYear,
    population: row.population,
    totalPopulation: Object.values(row.population).reduce((sum, count) => sum + count, 0),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function localizeArea(record: AreaRecord, language: string, settings: LanguageSettings): AreaView {
  return {
    ...record,
    language,
    localized: { name: pickText(record.name, language, settings.defaultLanguage) },
  }
}

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1')

function checkArea(input: CreateArea | UpdateArea, settings: AreaSettings): void {
  checkLocalizedText('/name', input.name, settings)
  for (const band of Object.keys(input.population ?? {})) {
    if (!settings.ageBands.includes(band)) {
      throw invalidField(
        `/population/${escapePointer(band)}`,
        `is not an age band of the organization (${settings.ageBands.join(', ')})`,
      )
    }
  }
}

const codeTaken = (code: string) =>
  new ProblemError('conflict', `An area with code "${code}" exists`, {
    errors: [{ in: 'body', pointer: '/code', detail: 'is taken' }],
  })

export async function createArea(
  db: Db,
  organizationId: string,
  input: CreateArea,
  settings: AreaSettings,
  context: WriteContext,
): Promise<AreaRecord> {
  checkArea(input, settings)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(areas)
      .values({
        organizationId,
        code: input.code,
        name: input.name,
        populationYear: input.populationYear ?? null,
        population: input.population ?? {},
        createdAt: context.at,
        updatedAt: context.at,
      })
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code) : error
      })
    const after = toAreaRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'area',
      entityId: after.id,
      action: 'create',
      actorKeyId: context.actorKeyId,
      before: null,
      after,
      at: context.at,
    })
    return after
  })
}

export async function getArea(db: Db, organizationId: string, areaId: string): Promise<AreaRecord> {
  const [row] = await db
    .select()
    .from(areas)
    .where(and(eq(areas.id, areaId), eq(areas.organizationId, organizationId)))
  if (!row) throw notFound(`Area ${areaId}`)
  return toAreaRecord(row)
}

export async function listAreas(db: Db, organizationId: string, page: PageQuery) {
  const rows = await db
    .select()
    .from(areas)
    .where(and(eq(areas.organizationId, organizationId), afterCursor(page.cursor, areas)))
    .orderBy(asc(areas.createdAt), asc(areas.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit, toAreaRecord)
}

async function lockArea(tx: Tx, organizationId: string, areaId: string): Promise<Area> {
  const [row] = await tx
    .select()
    .from(areas)
    .where(and(eq(areas.id, areaId), eq(areas.organizationId, organizationId)))
    .for('update')
  if (!row) throw notFound(`Area ${areaId}`)
  return row
}

export async function updateArea(
  db: Db,
  organizationId: string,
  areaId: string,
  input: UpdateArea,
  settings: AreaSettings,
  context: WriteContext,
): Promise<AreaRecord> {
  checkArea(input, settings)
  return db.transaction(async (tx) => {
    const current = await lockArea(tx, organizationId, areaId)
    context.assertVersion?.(current.version)
    const [row] = await tx
      .update(areas)
      .set({
        code: input.code,
        name: input.name,
        populationYear: input.populationYear,
        population: input.population === null ? {} : input.population,
        version: current.version + 1,
        updatedAt: context.at,
      })
      .where(eq(areas.id, areaId))
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code ?? current.code) : error
      })
    const after = toAreaRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'area',
      entityId: areaId,
      action: 'update',
      actorKeyId: context.actorKeyId,
      before: toAreaRecord(current),
      after,
      at: context.at,
    })
    return after
  })
}

const areaInUse = (areaId: string, potCount: number) =>
  new ProblemError(
    'conflict',
    `Area ${areaId} is the area of ${potCount} pot(s); remove them or change their area first`,
  )

export async function deleteArea(
  db: Db,
  organizationId: string,
  areaId: string,
  context: WriteContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockArea(tx, organizationId, areaId)
    context.assertVersion?.(current.version)
    const potCount = await tx.$count(pots, eq(pots.areaId, areaId))
    if (potCount > 0) throw areaInUse(areaId, potCount)
    // A pot created concurrently is caught by the foreign key.
    await tx
      .delete(areas)
      .where(eq(areas.id, areaId))
      .catch((error: unknown) => {
        throw sqlState(error) === '23503' ? areaInUse(areaId, 1) : error
      })
    await recordAudit(tx, {
      organizationId,
      entity: 'area',
      entityId: areaId,
      action: 'delete',
      actorKeyId: context.actorKeyId,
      before: toAreaRecord(current),
      after: null,
      at: context.at,
    })
  })
}
