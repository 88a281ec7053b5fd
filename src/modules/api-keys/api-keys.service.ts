import { createHash, randomBytes } from 'node:crypto'
import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { type ApiKey, apiKeys } from '../../db/schema.js'
import { afterCursor, type PageQuery, toPage } from '../../lib/pagination.js'
import { notFound, ProblemError } from '../../lib/problems.js'
import type { ApiKeyView, CreateApiKeyBody, Role } from './api-keys.schemas.js'

/** Keys look like `pbk_1a2b3c4d_<43 characters>`; `pbk_1a2b3c4d` is the prefix shown to humans. */
export function generateApiKey(): { key: string; prefix: string; keyHash: string } {
  const prefix = `pbk_${randomBytes(4).toString('hex')}`
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, prefix, keyHash: hashApiKey(key) }
}

/** Keys carry 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export function toApiKeyView(row: ApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    roles: row.roles as Role[],
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

export async function createApiKey(
  db: Db | Tx,
  organizationId: string,
  input: CreateApiKeyBody,
  createdByKeyId: string | null,
): Promise<ApiKeyView & { key: string }> {
  const { key, prefix, keyHash } = generateApiKey()
  const [row] = await db
    .insert(apiKeys)
    .values({
      organizationId,
      name: input.name,
      prefix,
      keyHash,
      roles: input.roles,
      createdByKeyId,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
    })
    .returning()
  return { ...toApiKeyView(row!), key }
}

export async function listApiKeys(db: Db, organizationId: string, page: PageQuery) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.organizationId, organizationId), afterCursor(page.cursor, apiKeys)))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
    .limit(page.limit + 1)
  return toPage(rows, page.limit, toApiKeyView)
}

/**
 * Revokes a key of the organization. The last active admin key cannot be revoked: the
 * organization would be locked out of its own configuration.
 */
export async function revokeApiKey(db: Db, organizationId: string, keyId: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [key] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId)))
      .for('update')
    if (!key) throw notFound(`API key ${keyId}`)
    if (key.revokedAt) return
    if (key.roles.includes('admin')) {
      const [other] = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.organizationId, organizationId),
            isNull(apiKeys.revokedAt),
            sql`${apiKeys.id} <> ${keyId}`,
            sql`'admin' = ANY(${apiKeys.roles})`,
            or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
          ),
        )
        .limit(1)
      if (!other) {
        throw new ProblemError(
          'conflict',
          'This is the last active admin key of the organization; create another admin key first',
        )
      }
    }
    await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, keyId))
  })
}

export interface Principal {
  keyId: string
  organizationId: string
  roles: readonly Role[]
}

/** The principal a key stands for, or why it does not stand for one. */
export async function resolveApiKey(
  db: Db,
  key: string,
  now: Date,
): Promise<Principal | 'unknown' | 'revoked' | 'expired'> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hashApiKey(key)))
    .limit(1)
  if (!row) return 'unknown'
  if (row.revokedAt) return 'revoked'
  if (row.expiresAt && row.expiresAt <= now) return 'expired'
  return { keyId: row.id, organizationId: row.organizationId, roles: row.roles as Role[] }
}
