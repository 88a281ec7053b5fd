import { and, eq, gt, or, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { invalidField } from './problems.js'

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page (1–100)'),
  cursor: z.string().max(500).optional().describe('The nextCursor of the previous page'),
})

export type PageQuery = z.infer<typeof PageQuerySchema>

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })

/** Keyset position: rows are ordered by (createdAt, id). */
export interface Position {
  createdAt: Date
  id: string
}

const CursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()])

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url')
}

export function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
    return { createdAt: new Date(createdAt), id }
  } catch {
    throw invalidField('/cursor', 'is not a cursor returned by this API', 'querystring')
  }
}

/** Given limit + 1 rows, returns the page and the cursor of the next one. */
export function toPage<T extends Position, V>(
  rows: T[],
  limit: number,
  view: (row: T) => V,
): { items: V[]; nextCursor: string | null } {
  const hasMore = rows.length > limit
  const pageRows = hasMore ? rows.slice(0, limit) : rows
  const last = pageRows.at(-1)
  return { items: pageRows.map(view), nextCursor: hasMore && last ? encodeCursor(last) : null }
}

/** The keyset condition "after the cursor" for rows ordered by (createdAt, id); none without a cursor. */
export function afterCursor(
  cursor: string | undefined,
  columns: { createdAt: PgColumn; id: PgColumn },
): SQL | undefined {
  if (!cursor) return undefined
  const after = decodeCursor(cursor)
  return or(
    gt(columns.createdAt, after.createdAt),
    and(eq(columns.createdAt, after.createdAt), gt(columns.id, after.id)),
  )
}
