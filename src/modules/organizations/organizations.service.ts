import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { type Organization, organizations } from '../../db/schema.js'
import { notFound, ProblemError } from '../../lib/problems.js'
import { createApiKey } from '../api-keys/api-keys.service.js'
import type { CreateOrganization, OrganizationView } from './organizations.schemas.js'

export function toOrganizationView(row: Organization): OrganizationView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    defaultLanguage: row.defaultLanguage,
    languages: row.languages,
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
