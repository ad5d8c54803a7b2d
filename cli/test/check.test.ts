/**
 * `kustodian build` and `kustodian validate` on a local checkout of a config repository (the
 * example one, plus an overlay with a schema error and one that does not build), compared with
 * what the bundled action reports for the same repository: the same errors, the same exit code.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { bareConfigRepo, exampleRepo, runAction, tempDir } from '../../action/test/helpers.ts';
import { kustodian } from './support.ts';

/** An overlay whose Deployment has a string for `replicas`, and one that names a missing file. */
const broken: Record<string, string> = {
  'apps/shop/overlays/prod/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'apps/shop/overlays/prod/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
spec:
  replicas: two
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: shop
          image: ghcr.io/acme/shop:1.0.0
`,
  'apps/cart/overlays/prod/kustomization.yaml': 'resources:\n  - missing.yaml\n',
};

/** The messages of the action's error annotations (`::error title=…::message`), unescaped. */
function actionErrors(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::error title='))
    .map((line) =>
      line
        .slice(line.indexOf('::', 2) + 2)
        .replaceAll('%0A', '\n')
        .replaceAll('%0D', '\r')
        .replaceAll('%25', '%'),
    );
}

/** The messages of the CLI's `error: …` lines. */
function cliErrors(stderr: string): string[] {
  return stderr
    .split(/\n(?=error: |warning: |overlays to build|built \d)/)
    .filter((line) => line.startsWith('error: '))
    .map((line) => line.slice('error: '.length).replace(/\n$/, ''));
}

describe('kustodian build and validate', () => {
  let dir = '';
  let cleanup = async () => {};
  let checkout = '';
  before(async () => {
    ({ dir, cleanup } = await tempDir('cli-check'));
    checkout = join(dir, 'checkout');
    await cp(exampleRepo, checkout, { recursive: true });
    for (const [path, text] of Object.entries(broken)) {
      await mkdir(dirname(join(checkout, path)), { recursive: true });
      await writeFile(join(checkout, path), text);
    }
  });
  after(() => cleanup());

  test('validate of a good overlay exits 0 and says so', async () => {
    const run = await kustodian('/nonexistent', 'validate', checkout, '--overlays', 'apps/web/**');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'validated 2 overlays: 0 errors, 0 warnings\n');
    assert.match(
      run.stderr,
      /^overlays to build \(2\): apps\/web\/overlays\/production, apps\/web\/overlays\/staging$/m,
    );
    assert.doesNotMatch(run.stderr, /^error: /m);
  });

  test('validate reports what the action reports for the same repository, with its exit code', async () => {
    const url = await bareConfigRepo(join(dir, 'action'), broken);
    const action = await runAction({ inputs: { repository: url, commit: 'none' } });
    assert.equal(action.code, 1, action.stdout);
    const run = await kustodian('/nonexistent', 'validate', checkout);
    assert.equal(run.code, action.code);
    const expected = actionErrors(action.stdout);
    assert.ok(
      expected.some((m) => m.includes('replicas')),
      expected.join('\n'),
    );
    assert.ok(
      expected.some((m) => m.startsWith('build apps/cart/overlays/prod')),
      expected.join('\n'),
    );
    assert.deepEqual(cliErrors(run.stderr).sort(), expected.sort());
    assert.match(run.stdout, /^validated 6 overlays: 2 errors, 0 warnings\n$/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  test('validate -o json lists the problems with their check, overlay and file', async () => {
    const run = await kustodian('/nonexistent', 'validate', checkout, '-o', 'json');
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      overlays: string[];
      problems: {
        severity: string;
        check: string;
        overlay?: string;
        file?: string;
        message: string;
      }[];
    };
    assert.equal(result.ok, false);
    assert.equal(result.overlays.length, 6);
    const schema = result.problems.find((p) => p.check === 'schema');
    assert.equal(schema?.severity, 'error');
    assert.equal(schema?.overlay, 'apps/shop/overlays/prod');
    assert.equal(
      result.problems.find((p) => p.check === 'build')?.overlay,
      'apps/cart/overlays/prod',
    );
  });

  test('build prints the YAML of each overlay after a comment naming it, and exits 0 when all build', async () => {
    const run = await kustodian(
      '/nonexistent',
      'build',
      checkout,
      '--overlays',
      'apps/web/overlays/staging,apps/shop/**',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^---\n# overlay: apps\/shop\/overlays\/prod\napiVersion: apps\/v1\nkind: Deployment\n/,
    );
    assert.match(run.stdout, /^---\n# overlay: apps\/web\/overlays\/staging$/m);
    const kinds = parseAllDocuments(run.stdout).map(
      (d) => (d.toJS() as { kind?: string } | null)?.kind,
    );
    assert.deepEqual(kinds.filter(Boolean).sort(), [
      'Deployment',
      'Deployment',
      'Namespace',
      'Service',
    ]);
  });

  test('build of an overlay that does not build exits 1 with the action message', async () => {
    const run = await kustodian(
      '/nonexistent',
      'build',
      checkout,
      '--overlays',
      'apps/cart/**',
      '-o',
      'json',
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^error: build apps\/cart\/overlays\/prod: /m);
    const result = JSON.parse(run.stdout) as { overlays: unknown[]; problems: { check: string }[] };
    assert.deepEqual(result.overlays, []);
    assert.deepEqual(
      result.problems.map((p) => p.check),
      ['build'],
    );
  });

  test('an overlays glob that matches nothing exits 1 naming it, and a bad --concurrency is a usage error', async () => {
    const none = await kustodian('/nonexistent', 'validate', checkout, '--overlays', 'nothing/**');
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'error: discover overlays: no overlay found matching nothing/**\n');
    const bad = await kustodian('/nonexistent', 'build', checkout, '--concurrency', 'many');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--concurrency many: give a whole number from 1 to 32/);
  });
});
