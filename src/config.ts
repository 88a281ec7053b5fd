import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')

const listFromEnv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
)

/** The environment the service reads, validated once at the edge. */
export const EnvironmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  VOTER_KEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(180_000),
  RATE_LIMIT_ANONYMOUS: z.coerce.number().int().min(1).default(600),
  CORS_ORIGINS: listFromEnv.default([]),
  TRUST_PROXY: booleanFromEnv.default(false),
  BOOTSTRAP_ON_EMPTY: booleanFromEnv.default(true),
})

export type Config = Readonly<{
  port: number
  host: string
  database: Readonly<{ kind: 'postgres'; url: string; poolMax: number } | { kind: 'pglite'; dataDir: string }>
  logLevel: (typeof LOG_LEVELS)[number]
  voterKeySecret: string | undefined
  bodyLimitBytes: number
  rateLimit: Readonly<{ windowMs: number; perKey: number; anonymous: number }>
  corsOrigins: readonly string[]
  trustProxy: boolean
  bootstrapOnEmpty: boolean
}>

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/** Reads the environment once; nothing else in the service looks at process.env. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''))
  const parsed = EnvironmentSchema.safeParse(present)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  const e = parsed.data
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database: Object.freeze(
      e.DATABASE_URL
        ? { kind: 'postgres' as const, url: e.DATABASE_URL, poolMax: e.DB_POOL_MAX }
        : { kind: 'pglite' as const, dataDir: e.DATA_DIR },
    ),
    logLevel: e.LOG_LEVEL,
    voterKeySecret: e.VOTER_KEY_SECRET,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimit: Object.freeze({
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      perKey: e.RATE_LIMIT_PER_KEY,
      anonymous: e.RATE_LIMIT_ANONYMOUS,
    }),
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    trustProxy: e.TRUST_PROXY,
    bootstrapOnEmpty: e.BOOTSTRAP_ON_EMPTY,
  })
}
