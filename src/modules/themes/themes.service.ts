import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { rounds, type Theme, themes } from '../../db/schema.js'
import { checkLocalizedText, type LanguageSettings, pickText } from '../../lib/i18n.js'
import { notFound, ProblemError } from '../../lib/problems.js'
import type { WriteContext } from '../areas/areas.service.js'
import { recordAudit } from '../audit/audit.service.js'
import type { CreateTheme, ThemeRecord, ThemeView, UpdateTheme } from './themes.schemas.js'

export function toThemeRecord(row: Theme): ThemeRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    position: row.position,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function localizeTheme(record: ThemeRecord, language: string, settings: LanguageSettings): ThemeView {
  const pick = (text: Record<string, string>) => pickText(text, language, settings.defaultLanguage)
  const hasDescription = Object.keys(record.description).length > 0
  return {
    ...record,
    language,
    localized: {
      name: pick(record.name),
      ...(hasDescription ? { description: pick(record.description) } : {}),
    },
  }
}

function checkTheme(input: CreateTheme | UpdateTheme, settings: LanguageSettings): void {
  checkLocalizedText('/name', input.name, settings)
  checkLocalizedText('/description', input.description, settings, { required: false })
}

const codeTaken = (code: string) =>
  new ProblemError('conflict', `A theme with code "${code}" exists`, {
    errors: [{ in: 'body', pointer: '/code', detail: 'is taken' }],
  })

export async function createTheme(
  db: Db,
  organizationId: string,
  input: CreateTheme,
  settings: LanguageSettings,
  context: WriteContext,
): Promise<ThemeRecord> {
  checkTheme(input, settings)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(themes)
      .values({
        organizationId,
        code: input.code,
        name: input.name,
        description: input.description ?? {},
        position: input.position,
        createdAt: context.at,
        updatedAt: context.at,
      })
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code) : error
      })
    const after = toThemeRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'theme',
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

export async function getTheme(db: Db, organizationId: string, themeId: string): Promise<ThemeRecord> {
  const [row] = await db
    .select()
    .from(themes)
    .where(and(eq(themes.id, themeId), eq(themes.organizationId, organizationId)))
  if (!row) throw notFound(`Theme ${themeId}`)
  return toThemeRecord(row)
}

/** All themes of the organization: they are few (a partnership table agrees a handful). */
export async function listThemes(db: Db, organizationId: string): Promise<ThemeRecord[]> {
  const rows = await db
    .select()
    .from(themes)
    .where(eq(themes.organizationId, organizationId))
    .orderBy(asc(themes.position), asc(themes.code))
  return rows.map(toThemeRecord)
}

async function lockTheme(tx: Tx, organizationId: string, themeId: string): Promise<Theme> {
  const [row] = await tx
    .select()
    .from(themes)
    .where(and(eq(themes.id, themeId), eq(themes.organizationId, organizationId)))
    .for('update')
  if (!row) throw notFound(`Theme ${themeId}`)
  return row
}

export async function updateTheme(
  db: Db,
  organizationId: string,
  themeId: string,
  input: UpdateTheme,
  settings: LanguageSettings,
  context: WriteContext,
): Promise<ThemeRecord> {
  checkTheme(input, settings)
  return db.transaction(async (tx) => {
    const current = await lockTheme(tx, organizationId, themeId)
    context.assertVersion?.(current.version)
    const [row] = await tx
      .update(themes)
      .set({
        code: input.code,
        name: input.name,
        description: input.description,
        position: input.position,
        version: current.version + 1,
        updatedAt: context.at,
      })
      .where(eq(themes.id, themeId))
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? codeTaken(input.code ?? current.code) : error
      })
    const after = toThemeRecord(row!)
    await recordAudit(tx, {
      organizationId,
      entity: 'theme',
      entityId: themeId,
      action: 'update',
      actorKeyId: context.actorKeyId,
      before: toThemeRecord(current),
      after,
      at: context.at,
    })
    return after
  })
}

/**
 * Deletes a theme that no round selects. rounds.theme_ids has no foreign key, so the theme row
 * stays locked until commit: a round write that adds the theme must lock it too (FOR SHARE).
 */
export async function deleteTheme(
  db: Db,
  organizationId: string,
  themeId: string,
  context: WriteContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockTheme(tx, organizationId, themeId)
    context.assertVersion?.(current.version)
    const roundCount = await tx.$count(
      rounds,
      and(eq(rounds.organizationId, organizationId), sql`${themeId}::uuid = ANY(${rounds.themeIds})`),
    )
    if (roundCount > 0) {
      throw new ProblemError(
        'conflict',
        `Theme ${themeId} is selected by ${roundCount} round(s); remove it from them first`,
      )
    }
    await tx.delete(themes).where(eq(themes.id, themeId))
    await recordAudit(tx, {
      organizationId,
      entity: 'theme',
      entityId: themeId,
      action: 'delete',
      actorKeyId: context.actorKeyId,
      before: toThemeRecord(current),
      after: null,
      at: context.at,
    })
  })
}
