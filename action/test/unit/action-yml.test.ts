import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { inputNames } from '../../src/inputs.ts';
import { outputNames } from '../../src/report/sink.ts';
import { repoRoot } from '../helpers.ts';

interface ActionYml {
  name: string;
  description: string;
  branding: { icon: string; color: string };
  inputs: Record<string, { description?: string; default?: unknown }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

describe('action.yml', async () => {
  const yml = parse(await readFile(join(repoRoot, 'action/action.yml'), 'utf8')) as ActionYml;

  it('declares exactly the inputs the action reads, each with a description and a default', () => {
    assert.deepEqual(Object.keys(yml.inputs).sort(), [...inputNames].sort());
    for (const [name, input] of Object.entries(yml.inputs)) {
      assert.ok(input.description, `${name} has no description`);
      assert.equal(typeof input.default, 'string', `${name} has no default`);
    }
  });

  it('declares exactly the outputs the action sets', () => {
    assert.deepEqual(Object.keys(yml.outputs).sort(), [...outputNames].sort());
  });

  it('runs the bundled file on node24', () => {
    assert.deepEqual(yml.runs, { using: 'node24', main: 'dist/index.js' });
    assert.ok(yml.name && yml.description && yml.branding.icon);
  });
});
