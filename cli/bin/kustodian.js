#!/usr/bin/env node
// A checkout runs its sources (even while `npm pack` builds a bundle next to them); the packed
// tarball has no sources and runs its bundle (dist/, built by `prepack`).
// Node keeps the compiled code of what it loads from here on in its compile cache (in the
// temporary directory, or NODE_COMPILE_CACHE), so that a later start skips most compiling.
import { existsSync } from 'node:fs';
import module from 'node:module';

module.enableCompileCache?.();
const sources = new URL('../src/main.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : '../dist/kustodian.js');
