import fp from 'fastify-plugin'

/** Echoes the request id (from X-Request-Id when the caller sent a sane one) on every response. */
export default fp(
  async function requestIdPlugin(app) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
  },
  { name: 'request-id' },
)
