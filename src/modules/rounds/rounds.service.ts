import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db, Tx } from '../../db/client.js'
import { organizations, pots, type Round, rounds, themes } from '../../db/schema.js'
import { checkLocalizedText, type LanguageSettings, negotiateLanguage, pickText } from '../../lib/i18n.js'
import { afterCursor, toPage } from '../../lib/pagination.js'
import { invalidField, notFound, ProblemError } from '../../lib/problems.js'
import type { Principal } from '../api-keys/api-keys.service.js'
import { recordAudit } from '../audit/audit.service.js'
import type { PotPlan } from '../pots/pots.schemas.js'
import { planPots, potsView, roundPots, writePots } from '../pots/pots.service.js'
import { configurationClashes, currentPhase, frozenChanges, votingOpened } from './round-rules.js'
import {
  type CreateRound,
  EligibilityConfigSchema,
  type Phase,
  type RoundListQuery,
  type RoundView,
  type UpdateRound,
} from './rounds.schemas.js'

export interface Reader {
  /** The Accept-Language header, if any. */
  acceptLanguage: string | undefined
  now: Date
}

const languageFor = (reader: { acceptLanguage: string | undefined }, settings: LanguageSettings) =>
  negotiateLanguage(reader.acceptLanguage, settings)

export async function languageSettings(db: Db | Tx, organizationId: string): Promise<LanguageSettings> {
  const [row] = await db
    .select({ defaultLanguage: organizations.defaultLanguage, languages: organizations.languages })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
  if (!row) throw notFound(`Organization ${organizationId}`)
  return row
}

export function toRoundView(
  round: Round,
  potsTotal: number,
  now: Date,
  language: string,
  defaultLanguage: string,
): RoundView {
  const phases = round.phases as Phase[]
  return {
    id: round.id,
    organizationId: round.organizationId,
    status: round.status,
    title: round.title,
    description: round.description,
    localized: {
      language,
      title: pickText(round.title, language, defaultLanguage),
      description: pickText(round.description, language, defaultLanguage),
    },
    purpose: round.purpose as RoundView['purpose'],
    method: round.method as RoundView['method'],
    currency: round.currency,
    fiscalYear: round.fiscalYear,
    themeIds: round.themeIds,
    phases,
    currentPhase: currentPhase(phases, now),
    votingOpened: votingOpened({ status: round.status, phases }, now),
    ballot: round.ballot as RoundView['ballot'],
    counting: round.counting as RoundView['counting'],
    eligibility: round.eligibility as RoundView['eligibility'],
    revoteAllowed: round.revoteAllowed,
    savingsTarget: round.savingsTarget,
    potsTotal,
    version: round.version,
    publishedAt: round.publishedAt?.toISOString() ?? null,
    createdAt: round.createdAt.toISOString(),
    updatedAt: round.updatedAt.toISOString(),
  }
}

/** The configuration as stored and compared: defaults applied, phases normalised to UTC. */
function normalise(input: CreateRound) {
  return {
    title: input.title,
    description: input.description ?? {},
    purpose: input.purpose,
    method: input.method,
    currency: input.currency,
    fiscalYear: input.fiscalYear,
    themeIds: input.themeIds ?? [],
    phases: input.phases.map((phase) => ({
      phase: phase.phase,
      startsAt: new Date(phase.startsAt).toISOString(),
      endsAt: new Date(phase.endsAt).toISOString(),
    })),
    ballot: input.ballot,
    counting: input.counting,
    eligibility: input.eligibility ?? EligibilityConfigSchema.parse({}),
    revoteAllowed: input.revoteAllowed ?? true,
    savingsTarget: input.savingsTarget ?? null,
  }
}

type StoredConfig = ReturnType<typeof normalise>

async function validate(db: Db | Tx, organizationId: string, config: StoredConfig): Promise<void> {
  const settings = await languageSettings(db, organizationId)
  checkLocalizedText('/title', config.title, settings)
  checkLocalizedText('/description', config.description, settings, { required: false })
  if (config.themeIds.length > 0) {
    const found = await db
      .select({ id: themes.id })
      .from(themes)
      .where(and(eq(themes.organizationId, organizationId), inArray(themes.id, config.themeIds)))
      // Held until the round is written, so that a theme cannot be deleted in between.
      .for('share')
    const known = new Set(found.map((row) => row.id))
    const missing = config.themeIds.findIndex((id) => !known.has(id))
    if (missing >= 0) throw invalidField(`/themeIds/${missing}`, 'is not a theme of the organization')
  }
  const clashes = configurationClashes(config)
  if (clashes.length > 0) {
    throw new ProblemError(
      'invalid-configuration',
      clashes.map((clash) => `${clash.pointer.slice(1)}: ${clash.detail}`).join('; '),
      { errors: clashes },
    )
  }
}

const auditView = (round: Round) => {
  const { createdAt: _c, updatedAt: _u, potPlan: _p, ...rest } = round
  return rest
}

/** Sum of the pots of each round, in one query. */
async function potsTotals(db: Db | Tx, roundIds: string[]): Promise<Map<string, number>> {
  if (roundIds.length === 0) return new Map()
  const rows = await db
    .select({ roundId: pots.roundId, total: sql<string>`sum(${pots.amount})::text` })
    .from(pots)
    .where(inArray(pots.roundId, roundIds))
    .groupBy(pots.roundId)
  return new Map(rows.map((row) => [row.roundId, Number(row.total)]))
}

export async function createRound(db: Db, principal: Principal, input: CreateRound, reader: Reader) {
  const config = normalise(input)
  await validate(db, principal.organizationId, config)
  return db.transaction(async (tx) => {
    const [round] = await tx
      .insert(rounds)
      .values({
        ...config,
        organizationId: principal.organizationId,
        updatedAt: sql`now()`,
      })
      .returning()
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      roundId: round!.id,
      entity: 'round',
      entityId: round!.id,
      action: 'create',
      actorKeyId: principal.keyId,
      before: null,
      after: auditView(round!),
      at: reader.now,
    })
    return renderRound(tx, round!, reader)
  })
}

export async function renderRound(db: Db | Tx, round: Round, reader: Reader): Promise<RoundView> {
  const [view] = await renderRounds(db, round.organizationId, [round], reader)
  return view!
}

/** Views of rounds of one organization: two queries whatever the number of rounds. */
async function renderRounds(db: Db | Tx, organizationId: string, rows: Round[], reader: Reader) {
  const settings = await languageSettings(db, organizationId)
  const language = languageFor(reader, settings)
  const totals = await potsTotals(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) =>
    toRoundView(row, totals.get(row.id) ?? 0, reader.now, language, settings.defaultLanguage),
  )
}

/**
 * A round as the reader may see it: their own organization's in any status; anyone else's
 * (including anonymous readers) only once published. Otherwise 404.
 */
export async function findVisibleRound(
  db: Db | Tx,
  roundId: string,
  principal: Principal | null,
): Promise<Round> {
  const [round] = await db.select().from(rounds).where(eq(rounds.id, roundId))
  const own = round && principal?.organizationId === round.organizationId
  if (!round || (!own && round.status === 'draft')) throw notFound(`Round ${roundId}`)
  return round
}

async function lockOwnRound(tx: Tx, principal: Principal, roundId: string): Promise<Round> {
  const [round] = await tx
    .select()
    .from(rounds)
    .where(and(eq(rounds.id, roundId), eq(rounds.organizationId, principal.organizationId)))
    .for('update')
  if (!round) throw notFound(`Round ${roundId}`)
  return round
}

export async function listRounds(
  db: Db,
  organizationId: string,
  query: RoundListQuery,
  options: { includeDrafts: boolean; now: Date },
) {
  const now = options.now.toISOString()
  const rows = await db
    .select()
    .from(rounds)
    .where(
      and(
        eq(rounds.organizationId, organizationId),
        options.includeDrafts ? undefined : ne(rounds.status, 'draft'),
        query.status ? eq(rounds.status, query.status) : undefined,
        query.purpose ? eq(rounds.purpose, query.purpose) : undefined,
        query.method ? eq(rounds.method, query.method) : undefined,
        query.phase
          ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${rounds.phases}) AS p
              WHERE p->>'phase' = ${query.phase}
                AND (p->>'startsAt')::timestamptz <= ${now}::timestamptz
                AND (p->>'endsAt')::timestamptz > ${now}::timestamptz)`
          : undefined,
        afterCursor(query.cursor, rounds),
      ),
    )
    .orderBy(asc(rounds.createdAt), asc(rounds.id))
    .limit(query.limit + 1)
  return rows
}

export async function roundPage(
  db: Db,
  organizationId: string,
  rows: Round[],
  limit: number,
  reader: Reader,
) {
  const page = toPage(rows, limit, (row) => row)
  return { items: await renderRounds(db, organizationId, page.items, reader), nextCursor: page.nextCursor }
}

export async function findOrganizationBySlug(db: Db, slug: string): Promise<string> {
  const [row] = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, slug))
  if (!row) throw notFound(`Organization ${slug}`)
  return row.id
}

/**
 * Applies a partial update. Once voting has opened, fields that decide outcomes are frozen
 * (409 naming them); extending the voting end stays possible and is logged as such.
 */
export async function updateRound(
  db: Db,
  principal: Principal,
  roundId: string,
  patch: UpdateRound,
  ifMatch: (version: number) => void,
  reader: Reader,
) {
  return db.transaction(async (tx) => {
    const before = await lockOwnRound(tx, principal, roundId)
    ifMatch(before.version)
    if (before.status === 'archived') throw new ProblemError('conflict', 'An archived round cannot change')
    const current = normalise({
      ...(before as unknown as CreateRound),
      phases: before.phases as Phase[],
      savingsTarget: before.savingsTarget ?? undefined,
    })
    const merged = normalise({
      ...current,
      ...stripUndefined(patch),
      savingsTarget: mergeNullable(patch, current),
    } as CreateRound)
    let action = 'update'
    if (votingOpened({ status: before.status, phases: current.phases }, reader.now)) {
      const frozen = frozenChanges(current, merged)
      if (frozen.length > 0) {
        throw new ProblemError(
          'frozen-field',
          frozen.map((change) => `${change.pointer.slice(1)} ${change.detail}`).join('; '),
          {
            errors: frozen,
          },
        )
      }
      const oldEnd = current.phases.find((phase) => phase.phase === 'voting')?.endsAt
      const newEnd = merged.phases.find((phase) => phase.phase === 'voting')?.endsAt
      if (oldEnd !== newEnd) action = 'extend_voting'
    }
    await validate(tx, principal.organizationId, merged)
    const [after] = await tx
      .update(rounds)
      .set({ ...merged, version: before.version + 1, updatedAt: sql`now()` })
      .where(eq(rounds.id, roundId))
      .returning()
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      roundId,
      entity: 'round',
      entityId: roundId,
      action,
      actorKeyId: principal.keyId,
      before: auditView(before),
      after: auditView(after!),
      at: reader.now,
    })
    return renderRound(tx, after!, reader)
  })
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>
}

function mergeNullable(patch: UpdateRound, current: { savingsTarget: number | null }) {
  return patch.savingsTarget !== undefined ? patch.savingsTarget : (current.savingsTarget ?? undefined)
}

const TRANSITIONS = {
  publish: { from: 'draft', to: 'published' },
  close: { from: 'published', to: 'closed' },
  archive: { from: 'closed', to: 'archived' },
} as const

export type Transition = keyof typeof TRANSITIONS

/** draft → published → closed → archived; a round must have pots and phases to be published. */
export async function transitionRound(
  db: Db,
  principal: Principal,
  roundId: string,
  transition: Transition,
  reader: Reader,
) {
  const { from, to } = TRANSITIONS[transition]
  return db.transaction(async (tx) => {
    const before = await lockOwnRound(tx, principal, roundId)
    if (before.status !== from) {
      throw new ProblemError('conflict', `Only a ${from} round can be ${to}; this one is ${before.status}`)
    }
    if (transition === 'publish') {
      if ((before.phases as Phase[]).length === 0)
        throw invalidField('/phases', 'a round needs phases to be published')
      if ((await roundPots(tx, roundId)).length === 0) {
        throw new ProblemError(
          'conflict',
          'A round needs its pots (PUT /v1/rounds/{roundId}/pots) to be published',
        )
      }
    }
    const [after] = await tx
      .update(rounds)
      .set({
        status: to,
        version: before.version + 1,
        updatedAt: sql`now()`,
        ...(transition === 'publish' ? { publishedAt: reader.now } : {}),
      })
      .where(eq(rounds.id, roundId))
      .returning()
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      roundId,
      entity: 'round',
      entityId: roundId,
      action: transition,
      actorKeyId: principal.keyId,
      before: { status: before.status },
      after: { status: to },
      at: reader.now,
    })
    return renderRound(tx, after!, reader)
  })
}

export async function deleteRound(db: Db, principal: Principal, roundId: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const round = await lockOwnRound(tx, principal, roundId)
    if (round.status !== 'draft')
      throw new ProblemError('conflict', 'Only a draft round can be deleted; archive it instead')
    await tx.delete(rounds).where(eq(rounds.id, roundId))
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      roundId,
      entity: 'round',
      entityId: roundId,
      action: 'delete',
      actorKeyId: principal.keyId,
      before: auditView(round),
      after: null,
      at: now,
    })
  })
}

export async function previewPots(
  db: Db,
  principal: Principal,
  roundId: string,
  plan: PotPlan,
  reader: Reader,
) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.id, roundId), eq(rounds.organizationId, principal.organizationId)))
  if (!round) throw notFound(`Round ${roundId}`)
  const settings = await languageSettings(db, round.organizationId)
  const planned = await planPots(db, round, plan, settings)
  const view = potsView(
    { ...round, potPlan: { plan, steps: planned.steps } },
    planned.pots,
    languageFor(reader, settings),
    settings.defaultLanguage,
  )
  return { ...view, total: planned.total }
}

/** Replaces a round's pots; frozen once voting opened (409 naming `pots`). */
export async function replacePots(
  db: Db,
  principal: Principal,
  roundId: string,
  plan: PotPlan,
  reader: Reader,
) {
  return db.transaction(async (tx) => {
    const round = await lockOwnRound(tx, principal, roundId)
    if (votingOpened({ status: round.status, phases: round.phases as Phase[] }, reader.now)) {
      throw new ProblemError('frozen-field', 'pots are frozen since voting opened', {
        errors: [{ in: 'body', pointer: '/', detail: 'the pots are frozen since voting opened' }],
        field: 'pots',
      })
    }
    const settings = await languageSettings(tx, round.organizationId)
    const previous = await roundPots(tx, roundId)
    const planned = await planPots(tx, round, plan, settings)
    const written = await writePots(tx, round, planned, plan)
    await tx
      .update(rounds)
      .set({ version: round.version + 1, updatedAt: sql`now()` })
      .where(eq(rounds.id, roundId))
    await recordAudit(tx, {
      organizationId: principal.organizationId,
      roundId,
      entity: 'pot',
      entityId: roundId,
      action: 'replace',
      actorKeyId: principal.keyId,
      before: previous.map(({ createdAt: _c, ...pot }) => pot),
      after: { plan, pots: written.map(({ createdAt: _c, ...pot }) => pot) },
      at: reader.now,
    })
    const language = languageFor(reader, settings)
    return potsView(
      { ...round, potPlan: { plan, steps: planned.steps } },
      written,
      language,
      settings.defaultLanguage,
    )
  })
}

export async function readPots(db: Db, round: Round, reader: Reader) {
  const settings = await languageSettings(db, round.organizationId)
  return potsView(
    round,
    await roundPots(db, round.id),
    languageFor(reader, settings),
    settings.defaultLanguage,
  )
}
