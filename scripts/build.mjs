// Transpiles src/ and bench/ to dist/ (no bundling, no type-check: `npm run typecheck` does that).
// esbuild takes well under a second, so `npm start` and the CLIs can build on every run.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: [...tsFiles('src'), ...tsFiles('bench')],
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
})
