import { and, asc, eq } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { isUniqueViolation, sqlState } from '../../db/errors.js'
import { pots, type Sector, sectors } from '../../db/schema.js'
import { checkLocalizedText, type LanguageSettings, pickText } from '../../lib/i18n.js'
import { afterCursor, type PageQuery, toPage } from '../../lib/pagination.js'
import { notFound, ProblemError } from '../../lib/problems.js'
import type { WriteContext } from '../areas/areas.service.js'
import { recordAudit } from '../audit/audit.service.js'
import type { CreateSector, SectorRecord, SectorView, UpdateSector } from './sectors.schemas.js'

export function toSectorRecord(row: Sector): SectorRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    budgetLineCode: row.budgetLineCode,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function localizeSector(
  record: SectorRecord,
  language: string,
  settings: LanguageSettings,
): SectorView {
  return {
    ...record,
    language,
    localized: { name: pickText(record.name, language, settings.defaultLanguage) },
  }
}

const codeTaken = (code: string) =>
  new ProblemError('conflict', `A sector with code "${code}" exists`, {
    errors: [{ in: 'body', pointer: '/code', detail: 'is taken' }],
  })

export async function createSector(
  db: Db,
  organizationId: string,
  input: CreateSector,
  settings: LanguageSettings,
  context: WriteContext,
): Promise<SectorRecord> {
  checkLocalizedText('/name', input.name, settings)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(sectors)
      .values({
        organizationId,
        code: input.code,
        name: input.name,
        budgetLineCode: input.budgetLineCode ?? null,
        createdAt: context.at,
        updatedAt: context.at,
      })
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code) : error
      })
    const after = toSectorRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'sector',
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

export async function getSector(db: Db, organizationId: string, sectorId: string): Promise<SectorRecord> {
  const [row] = await db
    .select()
    .from(sectors)
    .where(and(eq(sectors.id, sectorId), eq(sectors.organizationId, organizationId)))
  if (!row) throw notFound(`Sector ${sectorId}`)
  return toSectorRecord(row)
}

export async function listSectors(db: Db, organizationId: string, page: PageQuery) {
  const rows = await db
    .select()
    .from(sectors)
    .where(and(eq(sectors.organizationId, organizationId), afterCursor(page.cursor, sectors)))
    .orderBy(asc(sectors.createdAt), asc(sectors.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit, toSectorRecord)
}

async function lockSector(tx: Tx, organizationId: string, sectorId: string): Promise<Sector> {
  const [row] = await tx
    .select()
    .from(sectors)
    .where(and(eq(sectors.id, sectorId), eq(sectors.organizationId, organizationId)))
    .for('update')
  if (!row) throw notFound(`Sector ${sectorId}`)
  return row
}

export async function updateSector(
  db: Db,
  organizationId: string,
  sectorId: string,
  input: UpdateSector,
  settings: LanguageSettings,
  context: WriteContext,
): Promise<SectorRecord> {
  checkLocalizedText('/name', input.name, settings)
  return db.transaction(async (tx) => {
    const current = await lockSector(tx, organizationId, sectorId)
    context.assertVersion?.(current.version)
    const [row] = await tx
      .update(sectors)
      .set({
        code: input.code,
        name: input.name,
        budgetLineCode: input.budgetLineCode,
        version: current.version + 1,
        updatedAt: context.at,
      })
      .where(eq(sectors.id, sectorId))
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code ?? current.code) : error
      })
    const after = toSectorRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'sector',
      entityId: sectorId,
      action: 'update',
      actorKeyId: context.actorKeyId,
      before: toSectorRecord(current),
      after,
      at: context.at,
    })
    return after
  })
}

const sectorInUse = (sectorId: string, potCount: number) =>
  new ProblemError(
    'conflict',
    `Sector ${sectorId} is the sector of ${potCount} pot(s); remove them or change their sector first`,
  )

export async function deleteSector(
  db: Db,
  organizationId: string,
  sectorId: string,
  context: WriteContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockSector(tx, organizationId, sectorId)
    context.assertVersion?.(current.version)
    const potCount = await tx.$count(pots, eq(pots.sectorId, sectorId))
    if (potCount > 0) throw sectorInUse(sectorId, potCount)
    // A pot created concurrently is caught by the foreign key.
    await tx
      .delete(sectors)
      .where(eq(sectors.id, sectorId))
      .catch((error: unknown) => {
        throw sqlState(error) === '23503' ? sectorInUse(sectorId, 1) : error
      })
    await recordAudit(tx, {
      organizationId,
      entity: 'sector',
      entityId: sectorId,
      action: 'delete',
      actorKeyId: context.actorKeyId,
      before: toSectorRecord(current),
      after: null,
      at: context.at,
    })
  })
}
