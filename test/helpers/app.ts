import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import { type App, buildApp } from '../../src/app.js'
import { type Config, loadConfig } from '../../src/config.js'
import type { Role } from '../../src/modules/api-keys/api-keys.schemas.js'
import { createApiKey } from '../../src/modules/api-keys/api-keys.service.js'
import { CreateOrganizationSchema } from '../../src/modules/organizations/organizations.schemas.js'
import { createOrganization } from '../../src/modules/organizations/organizations.service.js'
import type { Clock } from '../../src/plugins/clock.js'
import { testDatabase } from './database.js'

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-03-01T09:00:00Z')) {}
  now = (): Date => new Date(this.current)
  set(instant: Date | string): void {
    this.current = new Date(instant)
  }
  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds)
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ...env })
}

/** The service as it runs, on the shared test database, closed when the test ends. */
export async function buildTestApp(
  t: Test,
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<App> {
  const app = await buildApp(testConfig(options.env), {
    database: await testDatabase(),
    clock: options.clock ?? new TestClock(),
    logger: false,
  })
  t.teardown(() => app.close())
  return app
}

export interface Tenant {
  organizationId: string
  slug: string
  adminKey: string
  adminKeyId: string
}

/** A fresh organization owned by one test, with its first admin key. */
export async function createTenant(app: App, name = 'Test municipality'): Promise<Tenant> {
  const slug = `t-${randomUUID().slice(0, 12)}`
  const { organization, apiKey } = await createOrganization(
    app.db,
    CreateOrganizationSchema.parse({ name, slug, defaultLanguage: 'fi' }),
  )
  return { organizationId: organization.id, slug, adminKey: apiKey.key, adminKeyId: apiKey.id }
}

export async function createKey(app: App, tenant: Tenant, roles: Role[]): Promise<string> {
  const created = await createApiKey(app.db, tenant.organizationId, { name: roles.join('+'), roles }, null)
  return created.key
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
