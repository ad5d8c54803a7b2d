import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { readCleanStream } from '@kustodian/shared/manifests/clean-stream';
import {
  DEFAULT_PARSE_LIMITS,
  parseManifests,
  parseManifestsCarefully,
} from '@kustodian/shared/manifests/parse';
import { execa } from 'execa';
import { requireBinary } from '../../../test/env/binaries.ts';

const configRepo = fileURLToPath(new URL('../../../examples/config-repo/', import.meta.url));
const testdata = fileURLToPath(new URL('testdata/', import.meta.url));

const configMap = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\n${extra}`;

/** Asserts that the fast road answers for `text` with the careful reader's objects. */
function assertSameAsCareful(text: string, what: string): void {
  const clean = readCleanStream(text, 'stream', DEFAULT_PARSE_LIMITS);
  assert.ok(clean !== undefined, `${what}: the clean reader declined`);
  assert.deepEqual(clean, parseManifestsCarefully(text, 'stream'), what);
}

describe('readCleanStream', () => {
  it('reads every overlay kustomize renders from the example repository as the careful reader does', async () => {
    const kustomize = await requireBinary('kustomize');
    const dirs = [
      ...(await findOverlays(configRepo)).map((overlay) => join(configRepo, overlay)),
      join(testdata, 'app/overlays/prod'),
    ];
    assert.ok(dirs.length >= 5, `found ${dirs.length} overlays`);
    for (const dir of dirs) {
      const { stdout } = await execa(kustomize, ['build', dir]);
      assertSameAsCareful(stdout, dir);
    }
  });

  it('gives the careful reader objects and lines for clean streams written by hand', () => {
    const scalars = [
      'a: "0o17"',
      'b: 0o17',
      'c: 0x1F',
      'd: 1e3',
      'e: .inf',
      'f: -.INF',
      'g: .nan',
      'h: yes',
      'i: On',
      'j: ~',
      'k: 2024-01-01',
      'l: 1_000',
      'm: +12',
      'n: "üñí ✓"',
      "o: 'it''s'",
      'p: |\n    line one\n    line two\n',
      'q: >-\n    folded\n    text',
      'r: [1, "two", {three: 3}]',
      's: null',
      't: 0012',
      'u: ""',
      'v: 123456789012345678901234567890',
    ];
    const data = `data:\n${scalars.map((line) => `  ${line.replaceAll('\n', '\n  ')}`).join('\n')}\n`;
    const streams: Record<string, string> = {
      'one object': configMap('a'),
      'core schema scalars': configMap('a', data),
      'comments before and between documents': `# head\n\n${configMap('a')}---\n# about b\n\n${configMap('b')}`,
      'empty, null and comment-only documents': `---\n# nothing\n---\n---\n${configMap('a')}---\n~\n---\n${configMap('b')}`,
      'document end markers': `${configMap('a')}...\n---\n${configMap('b')}...\n`,
      'a flow mapping on the marker line': `--- {apiVersion: v1, kind: Namespace, metadata: {name: web}}\n---\n${configMap('b')}`,
      'CRLF line ends': `${configMap('a')}---\n${configMap('b')}`.replaceAll('\n', '\r\n'),
      'no final newline': configMap('a').trimEnd(),
      'a __proto__ key kept as data': configMap('a', 'data:\n  __proto__: x\n'),
      'an anchor below the root': configMap('a', 'data:\n  k: &v value\n'),
      'the same name in two namespaces': `${configMap('a')}---\n${configMap('a').replace('namespace: web', 'namespace: api')}`,
    };
    for (const [what, text] of Object.entries(streams)) assertSameAsCareful(text, what);
    const [proto] = parseManifests(streams['a __proto__ key kept as data'] ?? '', 's');
    assert.equal(Object.getPrototypeOf(proto?.object.data), Object.prototype);
  });

  it('leaves every stream with a problem, an alias, a root anchor or tag, or a List to the careful reader', () => {
    const streams: Record<string, string> = {
      'a syntax error': `${configMap('a')}  bad: [\n`,
      'a duplicate key': configMap('a', 'data:\n  k: 1\n  k: 2\n'),
      'an alias': configMap('a', 'data:\n  k: &v value\n  l: *v\n'),
      'an anchor on the root': `&root\n${configMap('a')}`,
      'a tag on the root': `!!map\n${configMap('a')}`,
      'a List': `apiVersion: v1\nkind: List\nitems:\n- ${configMap('a').replaceAll('\n', '\n  ')}`,
      'a duplicate object': `${configMap('a')}---\n${configMap('a')}`,
      'a missing kind': 'apiVersion: v1\nmetadata:\n  name: a\n',
      'a scalar document': `${configMap('a')}---\njust text\n`,
      'a sequence document': '- a\n- b\n',
      'nesting past the limit': configMap('a', `data: ${'['.repeat(70)}${']'.repeat(70)}\n`),
      'more documents than the limit': Array.from({ length: 12 }, (_, i) =>
        configMap(`c${i}`),
      ).join('---\n'),
    };
    const limits = { ...DEFAULT_PARSE_LIMITS, maxDocuments: 10 };
    for (const [what, text] of Object.entries(streams)) {
      assert.equal(readCleanStream(text, 'stream', limits), undefined, what);
    }
  });
});
