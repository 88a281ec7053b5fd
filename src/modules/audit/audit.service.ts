import { and, asc, eq } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { type AuditEntry, auditLog } from '../../db/schema.js'
import { afterCursor, type PageQuery, toPage } from '../../lib/pagination.js'

export interface AuditRecord {
  organizationId: string
  roundId?: string | null
  entity: 'organization' | 'round' | 'pot' | 'area' | 'theme' | 'sector'
  entityId: string
  action: string
  actorKeyId: string | null
  before: unknown
  after: unknown
  at: Date
}

/** Appends to the audit log, inside the caller's transaction. */
export async function recordAudit(tx: Db | Tx, record: AuditRecord): Promise<void> {
  await tx.insert(auditLog).values({
    organizationId: record.organizationId,
    roundId: record.roundId ?? null,
    entity: record.entity,
    entityId: record.entityId,
    action: record.action,
    actorKeyId: record.actorKeyId,
    before: record.before ?? null,
    after: record.after ?? null,
    at: record.at,
  })
}

export function toAuditView(row: AuditEntry) {
  return {
    id: row.id,
    roundId: row.roundId,
    entity: row.entity,
    entityId: row.entityId,
    action: row.action,
    actorKeyId: row.actorKeyId,
    before: row.before,
    after: row.after,
    at: row.at.toISOString(),
  }
}

export async function listAudit(
  db: Db,
  organizationId: string,
  filter: { roundId?: string; entity?: string },
  page: PageQuery,
) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, organizationId),
        filter.roundId ? eq(auditLog.roundId, filter.roundId) : undefined,
        filter.entity ? eq(auditLog.entity, filter.entity) : undefined,
        afterCursor(page.cursor, auditLog),
      ),
    )
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit, toAuditView)
}
