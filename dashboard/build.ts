/**
 * Builds the dashboard's client into `dashboard/dist/` (app.js, app.css): one ES module
 * bundle, minified, no external fonts or CDNs. Run by the root `prepare` script, so `npm ci`
 * leaves a working dashboard; `npm run build -w @kustodian/dashboard` rebuilds it.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('./', import.meta.url);
const out = new URL('dist/', here);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('src/client/main.ts', here).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  outfile: new URL('app.js', out).pathname,
  logLevel: 'warning',
});
await copyFile(new URL('src/client/style.css', here), new URL('app.css', out));
