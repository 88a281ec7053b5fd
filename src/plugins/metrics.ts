import fastifyMetrics from 'fastify-metrics'
import fp from 'fastify-plugin'

// fastify-metrics is CommonJS with an `exports.default`; under Node's ESM interop that is `.default`.
const metrics = fastifyMetrics.default

/** Prometheus text at /metrics: request durations by route and status, and database pool gauges. */
export default fp(
  async function metricsPlugin(app) {
    await app.register(metrics, {
      endpoint: {
        url: '/metrics',
        method: 'GET',
        schema: { hide: true },
        config: { rateLimit: false },
      } as never,
      routeMetrics: {
        enabled: true,
        groupStatusCodes: false,
        routeBlacklist: ['/metrics', '/healthz', '/readyz'],
        overrides: { histogram: { name: 'http_request_duration_seconds' } },
      },
      clearRegisterOnInit: true,
    })
    const { Gauge } = app.metrics.client
    const pool = () => app.database.poolStats()
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database connections by state',
      labelNames: ['state'],
      registers: [app.metrics.client.register],
      collect() {
        const stats = pool()
        this.set({ state: 'total' }, stats.total)
        this.set({ state: 'idle' }, stats.idle)
        this.set({ state: 'waiting' }, stats.waiting)
      },
    })
  },
  { name: 'metrics', dependencies: ['db'] },
)
