import { readFileSync } from 'node:fs'
import { Validator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

type Operation = {
  tags?: string[]
  summary?: string
  responses?: Record<string, unknown>
  security?: unknown
}

t.test('the OpenAPI document', async (t) => {
  const app = await buildTestApp(t)
  const response = await app.inject({ url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const document = response.json()

  t.test('when validated against the OpenAPI 3.1 schema, then it is valid', async (t) => {
    const validator = new Validator()
    const result = await validator.validate(document)
    t.same(result.errors ?? [], [], 'no validation errors')
    t.equal(result.valid, true)
    t.equal(validator.version, '3.1')
  })

  t.test('when each operation is read, then it has tags, a summary and problem responses', async (t) => {
    const operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    )
    t.ok(operations.length >= 6)
    for (const { path, method, operation } of operations) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(operation.tags?.length, `${name} has tags`)
      t.ok(operation.summary, `${name} has a summary`)
      const statuses = Object.keys(operation.responses ?? {})
      t.ok(
        statuses.some((status) => status.startsWith('2')),
        `${name} documents its success`,
      )
      if (path.startsWith('/v1')) {
        t.ok(statuses.includes('401'), `${name} documents 401`)
        t.ok(operation.security, `${name} declares its security`)
      }
    }
  })

  t.test('when compared with the committed openapi/openapi.json, then they are equal', async (t) => {
    const committed = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'))
    t.same(document, committed, 'run `npm run openapi` after changing a route schema')
  })

  t.test('when /docs is opened, then the interactive page renders', async (t) => {
    const docs = await app.inject({ url: '/docs/' })
    t.equal(docs.statusCode, 200)
    t.match(docs.headers['content-type'], /text\/html/)
    t.match(docs.payload, /swagger-ui/i)
  })
})
