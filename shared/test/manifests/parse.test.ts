import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StepError } from '@kustodian/shared/errors';
import { findDuplicates } from '@kustodian/shared/manifests/location';
import {
  DEFAULT_PARSE_LIMITS,
  ManifestParseError,
  parseManifests,
} from '@kustodian/shared/manifests/parse';
import { execa } from 'execa';
import { requireBinary } from '../../../test/env/binaries.ts';

const overlay = fileURLToPath(new URL('testdata/app/overlays/prod', import.meta.url));

/** The problems of a stream that must fail to parse. */
function problemsOf(text: string, limits = {}): readonly string[] {
  try {
    parseManifests(text, 'overlays/a', limits);
  } catch (error) {
    assert.ok(error instanceof ManifestParseError);
    return error.problems;
  }
  assert.fail('expected the stream to be rejected');
}

const configMap = (name: string, namespace = 'web') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n`;

describe('parseManifests', () => {
  it('reads real kustomize output into ids with the line each object starts on', async () => {
    const kustomize = await requireBinary('kustomize');
    const { stdout } = await execa(kustomize, ['build', overlay]);
    const objects = parseManifests(stdout, 'overlays/prod');
    assert.deepEqual(
      objects.map((o) => [o.id, o.location.document, o.location.line]),
      [
        ['Namespace/web', 1, 1],
        ['rbac.authorization.k8s.io/ClusterRole/web-reader', 2, 6],
        ['ConfigMap/web/settings-hf678c7m2b', 3, 19],
        ['Service/web/api', 4, 27],
        ['apps/Deployment/web/api', 5, 38],
      ],
    );
    const deployment = objects[4]!;
    assert.deepEqual(deployment.ref, {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'web',
      name: 'api',
    });
    assert.equal(deployment.location.source, 'overlays/prod');
    assert.ok(typeof deployment.object.spec === 'object', 'fields beyond the header are kept');
  });

  it('skips empty and comment-only documents but counts them', () => {
    const text = `---\n# nothing here\n---\n---\n${configMap('a')}---\n~\n---\n${configMap('b')}`;
    const objects = parseManifests(text, 'file.yaml');
    assert.deepEqual(
      objects.map((o) => [o.id, o.location.document, o.location.line]),
      [
        ['ConfigMap/web/a', 3, 5],
        ['ConfigMap/web/b', 5, 13],
      ],
    );
  });

  it('returns nothing for an empty stream', () => {
    assert.deepEqual(parseManifests('', 'empty.yaml'), []);
    assert.deepEqual(parseManifests('# just a comment\n', 'empty.yaml'), []);
  });

  it('flattens the items of a kind List and says which item each came from', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: { name: one, namespace: web }',
      '  - apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata: { name: two, namespace: web }',
      '',
    ].join('\n');
    const objects = parseManifests(text, 'list.yaml');
    assert.deepEqual(
      objects.map((o) => [o.id, o.location]),
      [
        ['ConfigMap/web/one', { source: 'list.yaml', document: 1, item: 1, line: 4 }],
        ['apps/Deployment/web/two', { source: 'list.yaml', document: 1, item: 2, line: 7 }],
      ],
    );
  });

  it('lists every problem in the stream with its document and line', () => {
    const text = [
      configMap('fine').trimEnd(),
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: ""',
      '---',
      'a: 1',
      'a: 2',
      '---',
      'apiVersion: apps/v1',
      'kind: deployment',
      'metadata:',
      '  name: api',
      '  namespace: 7',
      '---',
      '- just',
      '- a list',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata: []',
      '',
    ].join('\n');
    assert.deepEqual(problemsOf(text), [
      'doc 2 line 10: metadata.name: expected a non-empty string, got ""',
      'doc 3 line 13: Map keys must be unique',
      'doc 4 line 16: kind: expected a Kind starting with an uppercase letter, like Deployment, got "deployment"',
      'doc 4 line 19: metadata.namespace: expected a string, got 7',
      'doc 5 line 21: object: expected a mapping, got a list',
      'doc 6 line 26: metadata: expected a mapping, got a list',
    ]);
  });

  it('reports a missing field at the mapping that should hold it', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: { a: b }\n';
    assert.deepEqual(problemsOf(text), [
      'doc 1 line 4: metadata.name: required: expected a string',
    ]);
  });

  it('names the step and the source in the error message', () => {
    assert.throws(
      () => parseManifests('apiVersion: v1\nkind: ConfigMap\n', 'overlays/staging'),
      (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(error.step, 'parse');
        assert.equal(error.object, 'overlays/staging');
        assert.equal(
          error.message,
          'parse overlays/staging: doc 1 line 1: metadata: required: expected a mapping',
        );
        return true;
      },
    );
  });

  it('rejects an id defined twice, naming both places', () => {
    const text = `${configMap('a')}---\n${configMap('b')}---\n${configMap('a')}`;
    assert.deepEqual(problemsOf(text), [
      'ConfigMap/web/a defined twice: overlays/a doc 1 line 1 and doc 3 line 13',
    ]);
  });

  it('treats two API versions of one object as a duplicate', () => {
    const hpa = (version: string) =>
      `apiVersion: autoscaling/${version}\nkind: HorizontalPodAutoscaler\nmetadata: { name: api, namespace: web }\n`;
    assert.deepEqual(problemsOf(`${hpa('v1')}---\n${hpa('v2')}`), [
      'autoscaling/HorizontalPodAutoscaler/web/api defined twice: overlays/a doc 1 line 1 and doc 2 line 5',
    ]);
  });

  it('finds duplicates across sources and names each source', () => {
    const a = parseManifests(configMap('x'), 'a.yaml');
    const b = parseManifests(`${configMap('y')}---\n${configMap('x')}`, 'b.yaml');
    assert.deepEqual(findDuplicates([...a, ...b]), [
      'ConfigMap/web/x defined twice: a.yaml doc 1 line 1 and b.yaml doc 2 line 7',
    ]);
  });

  it('uses safe defaults for its limits', () => {
    assert.deepEqual(
      { ...DEFAULT_PARSE_LIMITS },
      { maxBytes: 64 * 1024 * 1024, maxDocuments: 10_000, maxAliasCount: 100, maxDepth: 64 },
    );
  });

  it('refuses a stream larger than the byte limit, counting UTF-8 bytes, before parsing it', () => {
    assert.deepEqual(problemsOf('# é\n'.repeat(4), { maxBytes: 19 }), [
      '20 bytes is more than the limit of 19',
    ]);
    assert.deepEqual(parseManifests('# é\n'.repeat(4), 'ok.yaml', { maxBytes: 20 }), []);
  });

  it('refuses more documents than the limit, counting List items as objects', () => {
    const three = `${configMap('a')}---\n${configMap('b')}---\n${configMap('c')}`;
    assert.deepEqual(problemsOf(three, { maxDocuments: 2 }), [
      '3 documents is more than the limit of 2',
    ]);
    const list = `apiVersion: v1\nkind: List\nitems:\n${['a', 'b', 'c']
      .map((name) => `  - { apiVersion: v1, kind: ConfigMap, metadata: { name: ${name} } }`)
      .join('\n')}\n`;
    assert.deepEqual(problemsOf(list, { maxDocuments: 2 }), [
      '3 objects is more than the limit of 2',
    ]);
  });

  it('stops alias expansion bombs', () => {
    const bomb = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: lol }',
      'data:',
      '  a: &a [x, x, x, x, x, x, x, x, x]',
      '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      '  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const [problem, ...rest] = problemsOf(bomb);
    assert.equal(rest.length, 0);
    assert.match(problem!, /^doc 1 line 1: .*resource exhaustion.* \(alias limit 100\)$/);
    assert.equal(parseManifests(bomb, 'bomb.yaml', { maxAliasCount: -1 }).length, 1);
  });

  it('refuses nesting deeper than the limit and points at the line', () => {
    const nested = (levels: number) => {
      let text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: deep }\ndata:\n';
      for (let level = 2; level < levels; level++) text += `${'  '.repeat(level - 1)}k:\n`;
      return `${text}${'  '.repeat(levels - 1)}k: v\n`;
    };
    assert.equal(parseManifests(nested(64), 'ok.yaml').length, 1);
    assert.deepEqual(problemsOf(nested(65)), ['doc 1 line 68: nested more than 64 levels deep']);
    assert.deepEqual(problemsOf(nested(6), { maxDepth: 5 }), [
      'doc 1 line 9: nested more than 5 levels deep',
    ]);
  });

  it('counts depth through aliases too', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: deep }',
      'x: &x [[[1]]]',
      'y: [[[*x]]]',
      '',
    ].join('\n');
    assert.equal(parseManifests(text, 'ok.yaml').length, 1);
    assert.deepEqual(problemsOf(text, { maxDepth: 6 }), [
      'doc 1 line 5: nested more than 6 levels deep',
    ]);
  });

  it('ends on an alias that refers to the mapping holding it', () => {
    const text = `${configMap('loop')}data: &a { self: *a }\n`;
    assert.deepEqual(problemsOf(text), ['doc 1 line 6: nested more than 64 levels deep']);
  });

  it('keeps a __proto__ key as data without touching prototypes', () => {
    const text = `${configMap('a')}data:\n  __proto__: { polluted: "yes" }\n`;
    const [object] = parseManifests(text, 'proto.yaml');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(object!.object), Object.prototype);
    assert.ok(Object.hasOwn(object!.object.data as object, '__proto__'));
  });

  it('reports a List whose items are not a list', () => {
    assert.deepEqual(problemsOf('apiVersion: v1\nkind: List\nitems: nope\n'), [
      'doc 1 line 3: items: expected a list of objects',
    ]);
  });
});
