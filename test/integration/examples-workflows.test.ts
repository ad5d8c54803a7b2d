/**
 * Every workflow that calls the action (the examples and the project's own end-to-end
 * workflow) passes only inputs `action.yml` declares, reads only outputs it declares, and names
 * a commit mode it knows: a typo there would be silently ignored by GitHub.
 */
import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { projectRoot } from '../demo/config-repo.ts';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps?: Step[] }>;
}
interface ActionMetadata {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** `acme/kustodian/action@v1` in the examples, `./action` in this repository. */
const ourAction = /^(\.\/action|[\w.-]+\/kustodian\/action@.+)$/;
const commitModes = ['push', 'pull-request', 'api', 'none'];

async function workflows(): Promise<Map<string, { text: string; workflow: Workflow }>> {
  const found = new Map<string, { text: string; workflow: Workflow }>();
  for (const pattern of ['examples/workflows/*.yml', '.github/workflows/*.yml']) {
    for await (const file of glob(pattern, { cwd: projectRoot })) {
      const text = await readFile(join(projectRoot, file), 'utf8');
      found.set(relative('.', file), { text, workflow: parse(text) as Workflow });
    }
  }
  return found;
}

test('workflows that call the action use only its declared inputs, outputs and commit modes', async () => {
  const metadata = parse(
    await readFile(join(projectRoot, 'action/action.yml'), 'utf8'),
  ) as ActionMetadata;
  const inputs = new Set(Object.keys(metadata.inputs));
  const outputs = new Set(Object.keys(metadata.outputs));
  let calls = 0;
  for (const [file, { text, workflow }] of await workflows()) {
    for (const [job, { steps = [] }] of Object.entries(workflow.jobs)) {
      for (const step of steps.filter((s) => ourAction.test(s.uses ?? ''))) {
        calls += 1;
        const where = `${file} job ${job} step ${step.id ?? step.uses}`;
        for (const name of Object.keys(step.with ?? {})) {
          assert.ok(inputs.has(name), `${where}: unknown input "${name}"`);
        }
        const mode = step.with?.commit;
        if (typeof mode === 'string' && !mode.includes('${{')) {
          assert.ok(commitModes.includes(mode), `${where}: unknown commit mode "${mode}"`);
        }
        if (step.id === undefined) continue;
        for (const match of text.matchAll(
          new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'),
        )) {
          assert.ok(outputs.has(match[1] ?? ''), `${where}: unknown output "${match[1]}"`);
        }
      }
    }
  }
  // The release and validate examples and the end-to-end workflow's runs.
  assert.ok(calls >= 4, `only ${calls} calls of the action found`);
});
