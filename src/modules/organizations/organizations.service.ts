import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { areas, type Organization, organizations } from '../../db/schema.js'
import { invalidField, notFound, ProblemError } from '../../lib/problems.js'
import { createApiKey } from '../api-keys/api-keys.service.js'
import { recordAudit } from '../audit/audit.service.js'
import type { CreateOrganization, OrganizationView, UpdateOrganization } from './organizations.schemas.js'

export function toOrganizationView(row: Organization): OrganizationView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    defaultLanguage: row.defaultLanguage,
    languages: row.languages,
    ageBands: row.ageBands,
    createdAt: row.createdAt.toISOString(),
  }
}

/** Creates an organization and its first admin key, together or not at all. */
export async function createOrganization(db: Db, input: CreateOrganization) {
  const slugTaken = () =>
    new ProblemError('conflict', `An organization with slug "${input.slug}" exists`, {
      errors: [{ in: 'body', pointer: '/slug', detail: 'is taken' }],
    })
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, input.slug))
    if (existing) throw slugTaken()
    const [row] = await tx
      .insert(organizations)
      .values({
        name: input.name,
        slug: input.slug,
        defaultLanguage: input.defaultLanguage,
        languages: input.languages,
      })
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? slugTaken() : error
      })
    const apiKey = await createApiKey(tx, row!.id, { name: 'First admin key', roles: ['admin'] }, null)
    return { organization: toOrganizationView(row!), apiKey }
  })
}

export async function getOrganization(db: Db, organizationId: string): Promise<OrganizationView> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, organizationId))
  if (!row) throw notFound(`Organization ${organizationId}`)
  return toOrganizationView(row)
}

export async function countOrganizations(db: Db): Promise<number> {
  return db.$count(organizations)
}

/**
 * Changes the organization's settings. The default language must stay supported, and an age band
 * that an area's population uses cannot be dropped (409 naming it).
 */
export async function updateOrganization(
  db: Db,
  organizationId: string,
  patch: UpdateOrganization,
  context: { actorKeyId: string; now: Date },
): Promise<OrganizationView> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.id, organizationId))
      .for('update')
    if (!before) throw notFound(`Organization ${organizationId}`)
    const languages = patch.languages ?? before.languages
    const defaultLanguage = patch.defaultLanguage ?? before.defaultLanguage
    if (!languages.includes(defaultLanguage)) {
      throw invalidField(
        patch.languages ? '/languages' : '/defaultLanguage',
        'the default language must be supported',
      )
    }
    if (patch.ageBands) {
      const dropped = before.ageBands.filter((band) => !patch.ageBands!.includes(band))
      for (const band of dropped) {
        const [used] = await tx
          .select({ code: areas.code })
          .from(areas)
          .where(sql`${areas.organizationId} = ${organizationId} AND ${areas.population} ? ${band}`)
          .limit(1)
        if (used) {
          throw new ProblemError(
            'conflict',
            `Area ${used.code} has population in band ${band}; change it first`,
            {
              errors: [{ in: 'body', pointer: '/ageBands', detail: `${band} is used by area ${used.code}` }],
            },
          )
        }
      }
    }
    const [after] = await tx
      .update(organizations)
      .set({ ...patch, languages: [...new Set(languages)], updatedAt: sql`now()` })
      .where(eq(organizations.id, organizationId))
      .returning()
    await recordAudit(tx, {
      organizationId,
      entity: 'organization',
      entityId: organizationId,
      action: 'update',
      actorKeyId: context.actorKeyId,
      before: toOrganizationView(before),
      after: toOrganizationView(after!),
      at: context.now,
    })
    return toOrganizationView(after!)
  })
}
