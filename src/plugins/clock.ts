import fp from 'fastify-plugin'

/** Server time, injectable so that tests can move through phases without sleeping. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

declare module 'fastify' {
  interface FastifyInstance {
    clock: Clock
  }
}

export default fp<{ clock: Clock }>(
  async function clockPlugin(app, { clock }) {
    app.decorate('clock', clock)
  },
  { name: 'clock' },
)
