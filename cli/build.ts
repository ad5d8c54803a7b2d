/**
 * Bundles the CLI into one ESM file, `dist/kustodian.js`, with every dependency inside (the
 * query and shared workspaces, client-node, commander, ora), so that the tarball of `npm pack`
 * installs with no dependencies. Runs before `npm pack` (`prepack`); `postpack` removes it
 * again, so that a checkout always runs its sources.
 *
 * `npm run build -w kustodian`
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

// Bundled CommonJS packages call `require` for Node built-ins; ESM has none, so give it one.
const requireShim = [
  "import { createRequire as __kustodianCreateRequire } from 'node:module';",
  'const require = __kustodianCreateRequire(import.meta.url);',
].join('\n');

await rm(new URL('dist/', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: here,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/kustodian.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  banner: { js: requireShim },
  alias: { punycode: 'punycode/' },
  logLevel: 'warning',
});
