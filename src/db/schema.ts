import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/** A municipality: the tenant every other row belongs to. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    defaultLanguage: text('default_language').notNull(),
    languages: text('languages').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('organizations_slug_key').on(table.slug),
    check(
      'organizations_default_language_supported',
      sql`${table.defaultLanguage} = ANY(${table.languages})`,
    ),
  ],
)

/** API keys are stored as a SHA-256 hash of the secret; the prefix identifies a key to humans. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    roles: text('roles').array().notNull(),
    createdByKeyId: uuid('created_by_key_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('api_keys_key_hash_key').on(table.keyHash),
    index('api_keys_organization_created_idx').on(table.organizationId, table.createdAt, table.id),
  ],
)

export type Organization = typeof organizations.$inferSelect
export type ApiKey = typeof apiKeys.$inferSelect
