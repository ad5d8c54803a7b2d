/**
 * Bundles the CLI into `dist/`, with every dependency inside (the query and shared workspaces,
 * client-node, commander, ora), so that the tarball of `npm pack` installs with no dependencies.
 * `dist/kustodian.js` holds what every command needs (commander, the kubeconfig, the Kubernetes
 * client, the output); each command's heavier parts (the Action's validation for `build` and
 * `validate`, the reconciler's render and apply for `diff`, the Action's landers for `rollback`,
 * the spinner) are chunks in `dist/chunks/`, loaded only when that command runs. Minified, so
 * that a start parses as little as it can. Runs before `npm pack` (`prepack`); `postpack`
 * removes it again (a checkout runs its sources either way: the bin prefers them).
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
  entryPoints: { kustodian: 'src/main.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  legalComments: 'linked',
  banner: { js: requireShim },
  alias: { punycode: 'punycode/' },
  logLevel: 'warning',
});
