import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

/** A municipality: the tenant every other row belongs to. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    defaultLanguage: text('default_language').notNull(),
    languages: text('languages').array().notNull(),
    /** Age bands of population figures, e.g. 0-14, 15-17, 18-29, 30-64, 65+. */
    ageBands: text('age_bands')
      .array()
      .notNull()
      .default(sql`ARRAY['0-14','15-17','18-29','30-64','65+']::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
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
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date', precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (table) => [
    uniqueIndex('api_keys_key_hash_key').on(table.keyHash),
    index('api_keys_organization_created_idx').on(table.organizationId, table.createdAt, table.id),
  ],
)

// Timestamps keep milliseconds, as JavaScript dates do, so that keyset cursors compare exactly.

/** Text shown to residents: language code → text. */
export type LocalizedText = Record<string, string>

const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow()
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow()
const organizationId = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' })

/** Areas (districts) with population per age band, for area pots, eligibility and coverage. */
export const areas = pgTable(
  'areas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    populationYear: integer('population_year'),
    /** Residents per age band of the organization, for populationYear. */
    population: jsonb('population').$type<Record<string, number>>().notNull().default({}),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('areas_organization_code_key').on(table.organizationId, table.code)],
)

/** Priorities agreed by the partnership table; organization-wide, chosen per round. */
export const themes = pgTable(
  'themes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    description: jsonb('description').$type<LocalizedText>().notNull().default({}),
    position: integer('position').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('themes_organization_code_key').on(table.organizationId, table.code)],
)

/** Tasks or sectors (e.g. youth services) whose money a sector round distributes. */
export const sectors = pgTable(
  'sectors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    budgetLineCode: text('budget_line_code'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('sectors_organization_code_key').on(table.organizationId, table.code)],
)

/**
 * One PB process. Its configuration (phases, ballot, counting, eligibility, pot plan) is held as
 * validated JSON documents: they are read and frozen as wholes, and their shapes live in zod.
 */
export const rounds = pgTable(
  'rounds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    status: text('status', { enum: ['draft', 'published', 'closed', 'archived'] })
      .notNull()
      .default('draft'),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    description: jsonb('description').$type<LocalizedText>().notNull().default({}),
    purpose: text('purpose').notNull(),
    method: text('method').notNull(),
    currency: text('currency').notNull(),
    fiscalYear: integer('fiscal_year').notNull(),
    themeIds: uuid('theme_ids').array().notNull().default(sql`ARRAY[]::uuid[]`),
    phases: jsonb('phases').$type<unknown[]>().notNull(),
    ballot: jsonb('ballot').$type<Record<string, unknown>>().notNull(),
    counting: jsonb('counting').$type<Record<string, unknown>>().notNull(),
    eligibility: jsonb('eligibility').$type<Record<string, unknown>>().notNull(),
    revoteAllowed: boolean('revote_allowed').notNull().default(true),
    savingsTarget: bigint('savings_target', { mode: 'number' }),
    /** How the pots were built (method input and, for area splits, the steps). */
    potPlan: jsonb('pot_plan').$type<Record<string, unknown> | null>(),
    version: integer('version').notNull().default(1),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date', precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('rounds_organization_created_idx').on(table.organizationId, table.createdAt, table.id)],
)

/** The money one tally spends. */
export const pots = pgTable(
  'pots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['sector', 'area', 'municipality', 'project', 'percentage'] }).notNull(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    areaId: uuid('area_id').references(() => areas.id),
    sectorId: uuid('sector_id').references(() => sectors.id),
    /** Percentage method: the share of the budget line, in basis points. */
    shareBps: integer('share_bps'),
    budgetLineCode: text('budget_line_code'),
    budgetLineAmount: bigint('budget_line_amount', { mode: 'number' }),
    /** Exact share of the round's total as "p/q", for split pots. */
    exactAmount: text('exact_amount'),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('pots_round_code_key').on(table.roundId, table.code),
    check('pots_amount_non_negative', sql`${table.amount} >= 0`),
  ],
)

/** Every configuration change: who (API key), when, before and after. Append-only. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: organizationId(),
    roundId: uuid('round_id'),
    entity: text('entity').notNull(),
    entityId: uuid('entity_id').notNull(),
    action: text('action').notNull(),
    actorKeyId: uuid('actor_key_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamp('at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('audit_log_organization_created_idx').on(table.organizationId, table.createdAt, table.id),
    index('audit_log_round_idx').on(table.roundId),
  ],
)

export type Organization = typeof organizations.$inferSelect
export type ApiKey = typeof apiKeys.$inferSelect
export type Area = typeof areas.$inferSelect
export type Theme = typeof themes.$inferSelect
export type Sector = typeof sectors.$inferSelect
export type Round = typeof rounds.$inferSelect
export type Pot = typeof pots.$inferSelect
export type AuditEntry = typeof auditLog.$inferSelect
