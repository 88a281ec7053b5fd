import { eq } from 'drizzle-orm'
import t from 'tap'
import { auditLog } from '../../src/db/schema.js'
import { bearer, buildTestApp, createKey, createTenant } from '../helpers/app.js'
import { insertAreas } from '../helpers/rounds.js'

t.test('when the organization is read, then it shows its languages and age bands', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const response = await app.inject({ url: '/v1/organization', headers: bearer(tenant.adminKey) })
  t.match(response.json(), {
    id: tenant.organizationId,
    slug: tenant.slug,
    defaultLanguage: 'fi',
    languages: ['fi', 'sv', 'en', 'se', 'smn', 'sms'],
    ageBands: ['0-14', '15-17', '18-29', '30-64', '65+'],
  })
})

t.test('when an admin changes the age bands and languages, then they apply and are audited', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  const patch = (payload: object, key = tenant.adminKey) =>
    app.inject({ method: 'PATCH', url: '/v1/organization', headers: bearer(key), payload })
  const bands = ['0-6', '7-14', '15-17', '18-29', '30-64', '65-74', '75+']
  const response = await patch({ ageBands: bands, languages: ['fi', 'sv'], name: 'Uusi kunta' })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { ageBands: bands, languages: ['fi', 'sv'], name: 'Uusi kunta' })
  const audit = await app.db.select().from(auditLog).where(eq(auditLog.organizationId, tenant.organizationId))
  t.match(audit, [{ entity: 'organization', action: 'update', actorKeyId: tenant.adminKeyId }])

  const noDefault = await patch({ languages: ['sv'] })
  t.equal(noDefault.statusCode, 400)
  t.equal(noDefault.json().errors[0].pointer, '/languages')
  const badBand = await patch({ ageBands: ['young'] })
  t.equal(badBand.statusCode, 400)
  t.equal(badBand.json().errors[0].pointer, '/ageBands/0')
  const reviewer = await createKey(app, tenant, ['reviewer'])
  t.equal((await patch({ name: 'x' }, reviewer)).statusCode, 403)
})

t.test('when a band an area uses would be dropped, then 409 naming it', async (t) => {
  const app = await buildTestApp(t)
  const tenant = await createTenant(app)
  await insertAreas(app, tenant, { north: 100 })
  const response = await app.inject({
    method: 'PATCH',
    url: '/v1/organization',
    headers: bearer(tenant.adminKey),
    payload: { ageBands: ['0-17', '18+'] },
  })
  t.equal(response.statusCode, 409)
  t.match(response.json().errors, [{ pointer: '/ageBands', detail: /0-14 is used by area north/ }])
})
