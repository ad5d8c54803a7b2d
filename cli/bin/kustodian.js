#!/usr/bin/env node
// A packed tarball carries the bundle (dist/, built by `prepack`); a checkout runs the sources.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/kustodian.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../src/main.ts');
