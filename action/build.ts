/**
 * Bundles the action into one ESM file, `dist/index.js`, for `runs.using: node24`. Everything
 * (the shared workspace, npm dependencies, the JSON schemas) is inside; license texts of
 * bundled packages go to `dist/index.js.LEGAL.txt`. The output is deterministic: the same
 * sources give the same bytes, which CI checks against the committed `dist/`.
 *
 * `npm run build -w action`
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

// Some bundled CommonJS packages call `require` for Node built-ins; ESM has none, so give
// the bundle one.
const requireShim = [
  "import { createRequire as __kustodianCreateRequire } from 'node:module';",
  'const require = __kustodianCreateRequire(import.meta.url);',
].join('\n');

await rm(new URL('dist/', import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: here,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  banner: { js: requireShim },
  // `punycode` names both a deprecated Node built-in and the userland package that replaces
  // it; bundle the package so the action does not print Node's deprecation warning.
  alias: { punycode: 'punycode/' },
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`dist/index.js: ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
