/**
 * Bundles the action into ESM for `runs.using: node24`: `dist/index.js`, and in `dist/chunks/`
 * the code it loads only when a run needs it (each Kubernetes group-version's schemas, the CEL
 * engine, the GitHub API client), so a run compiles only what it uses; a one-shot process
 * spends more of its time compiling than most steps take. Everything (the shared workspace, npm
 * dependencies, the JSON schemas) is inside; license texts of bundled packages go to a
 * `.LEGAL.txt` beside each file that has them. The output is deterministic: the same
 * sources give the same bytes, which CI checks against the committed `dist/`.
 *
 * `npm run build -w action`
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

// Some bundled CommonJS packages call `require` for Node built-ins; ESM has none, so give
// the bundle one.
const requireShim = [
  "import { createRequire as __kustodianCreateRequire } from 'node:module';",
  'const require = __kustodianCreateRequire(import.meta.url);',
].join('\n');

/**
 * `@actions/core` imports its OIDC client, and with it `@actions/http-client` and undici (whose
 * module starts compiling a WebAssembly HTTP parser as it loads), for `getIDToken`, which the
 * action never calls. Marking those packages free of side effects lets esbuild leave them out
 * of what every run loads; the GitHub API client, which does use them, still has them.
 */
const unusedHttpStack: Plugin = {
  name: 'unused-http-stack',
  setup(build) {
    build.onResolve({ filter: /^(@actions\/http-client|undici|tunnel)(\/|$)/ }, async (args) => {
      if (args.pluginData === unusedHttpStack) return undefined;
      const { path, kind, resolveDir, importer } = args;
      const resolved = await build.resolve(path, {
        kind,
        resolveDir,
        importer,
        pluginData: unusedHttpStack,
      });
      return resolved.errors.length > 0 ? undefined : { ...resolved, sideEffects: false };
    });
  },
};

/**
 * zod's namespace carries the messages of every language it speaks (half of zod's bytes, which
 * every run would parse as it starts); the action speaks English only, which zod registers from
 * its own module, so the namespace of locales is bundled with English alone.
 */
const englishOnlyZod: Plugin = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[/\\]zod[/\\]v4[/\\]/.test(args.importer)
        ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'english-only-zod' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

await rm(new URL('dist/', import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: here,
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
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
  plugins: [unusedHttpStack, englishOnlyZod],
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js')).length;
console.log(`dist: ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
