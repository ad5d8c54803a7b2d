import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { readBlockStream } from '@kustodian/shared/manifests/block-stream';
import { parseManifests, parseManifestsCarefully } from '@kustodian/shared/manifests/parse';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import { writeMonorepo } from '../../../bench/support/monorepo.ts';
import { requireBinary } from '../../../test/env/binaries.ts';

const configRepo = fileURLToPath(new URL('../../../examples/config-repo/', import.meta.url));
const testdata = fileURLToPath(new URL('testdata/', import.meta.url));

/** What `yaml` makes of every document of `text`. */
function yamlValues(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    assert.deepEqual(document.errors, [], 'yaml reads the text without errors');
    return document.toJS();
  });
}

/** Asserts that the block reader answers for `text`, with `yaml`'s values. */
function assertReadsAsYaml(text: string, what: string): void {
  const read = readBlockStream(text, 64);
  assert.ok(read !== undefined, `${what}: the block reader declined`);
  assert.deepEqual(read.values, yamlValues(text), what);
}

const doc = (body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n${body}`;

describe('readBlockStream', () => {
  it('reads what kustomize renders from the example repository and a generated monorepo as the careful reader does', async () => {
    const kustomize = await requireBinary('kustomize');
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-block-'));
    try {
      const monorepo = await writeMonorepo(dir);
      const dirs = [
        ...(await findOverlays(configRepo)).map((overlay) => join(configRepo, overlay)),
        join(testdata, 'app/overlays/prod'),
        ...monorepo.filter((_, index) => index % 20 < 3).map((overlay) => join(dir, overlay)),
      ];
      assert.ok(dirs.length >= 14, `found ${dirs.length} overlays`);
      for (const path of dirs) {
        const { stdout } = await execa(kustomize, ['build', path], { stripFinalNewline: false });
        assertReadsAsYaml(stdout, path);
        assert.deepEqual(parseManifests(stdout, 's'), parseManifestsCarefully(stdout, 's'), path);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("resolves plain and quoted scalars by the YAML 1.2 core schema, as yaml's parse does", () => {
    const scalars = [
      'a',
      'a b c',
      'http://example.com/#frag',
      'x:y',
      '-1',
      '+12',
      '0012',
      '-0',
      '0o17',
      '0o8',
      '0x1F',
      '0xg',
      '1e3',
      '-1.5E-3',
      '.5',
      '1.',
      '1.0',
      '1_000',
      '.inf',
      '-.Inf',
      '+.INF',
      '.nan',
      '.NaN',
      'nan',
      '~',
      'null',
      'Null',
      'NULL',
      'nULL',
      'true',
      'True',
      'TRUE',
      'tRUE',
      'false',
      'FALSE',
      'yes',
      'On',
      '2024-01-01',
      '123456789012345678901234567890',
      '?x',
      ':x',
      '-x',
      'a{b}[c],d',
      "it's",
      'say "hi"',
      '"8080"',
      '"true"',
      '""',
      '"a: b # c"',
      '"tab\\tnew\\nline \\"q\\" \\\\ \\/ \\u00e9"',
      "'single'",
      "'it''s'",
      "''",
      "'a: b # c'",
      'üñí ✓',
      '{}',
      '[]',
    ];
    const body = scalars.map((value, index) => `  k${index}: ${value}\n`).join('');
    assertReadsAsYaml(doc(`data:\n${body}`), 'as values');
    const items = scalars.map((value) => `  - ${value}\n`).join('');
    assertReadsAsYaml(doc(`list:\n${items}`), 'as sequence items');
    const keys = ['plain', 'with space', 'a.b/c-d_e', '"quoted"', '"80"', "'true'", '"a: b"'];
    assertReadsAsYaml(doc(`data:\n${keys.map((key) => `  ${key}: v\n`).join('')}`), 'as keys');
  });

  it("reads literal block scalars with yaml's chomping, indentation and blank lines", () => {
    const blocks = [
      '|\n    one\n    two\n',
      '|-\n    one\n    two\n',
      '|+\n    one\n    two\n\n\n',
      '|\n    one\n\n    two\n\n\n',
      '|-\n    trailing\n\n',
      '|\n    first\n      indented second\n',
      '|2\n      two more\n    base\n',
      '|2-\n      kept spaces\n',
      '|\n    # not a comment\n    ---\n    - not an entry\n',
      '|\n    tab\there\n',
      '|\n    spaces after   \n     \n    more\n',
      '|+\n    at the end\n\n',
    ];
    for (const block of blocks) {
      for (const [what, text] of Object.entries({
        'a mapping value': doc(`data:\n  k: ${block}  after: x\n`),
        'the last value of a document': `${doc(`data:\n  k: ${block}`)}---\n${doc('')}`,
        'the last value of the stream': doc(`data:\n  k: ${block}`),
        'a value in a sequence entry': doc(
          `list:\n- k: ${block.replaceAll('\n    ', '\n      ')}  j: 1\n`,
        ),
      })) {
        assertReadsAsYaml(text, `${JSON.stringify(block)} as ${what}`);
      }
    }
  });

  it('reads nesting, sequences at their key or deeper, comments, empty and marked documents as yaml does', () => {
    const streams = {
      nested: doc('spec:\n  a:\n    b:\n      c: 1\n  d: 2\n'),
      'a sequence at its key': doc(
        'spec:\n  ports:\n  - name: http\n    port: 80\n  - name: https\n    port: 443\n  type: x\n',
      ),
      'a sequence indented below its key': doc(
        'spec:\n  ports:\n    - port: 80\n      name: a\n    - 8080\n',
      ),
      'a sequence in a sequence entry': doc('spec:\n- args:\n  - a\n  - b\n  name: c\n- d\n'),
      'a key with no value': doc('data:\n  k:\n  l: 1\nlast:\n'),
      'comment lines': doc(
        '# about data\ndata:\n  # inside\n  k: v\n    # odd indentation\n  l: w\n',
      ),
      'empty documents': `---\n---\n${doc('')}---\n# only a comment\n---\n${doc('')}---\n`,
      'a leading comment and marker': `# head\n---\n${doc('data:\n  k: v\n')}`,
    };
    for (const [what, text] of Object.entries(streams)) assertReadsAsYaml(text, what);
    for (const what of ['comment lines', 'a leading comment and marker'] as const) {
      const text = streams[what];
      assert.deepEqual(parseManifests(text, 's'), parseManifestsCarefully(text, 's'), what);
    }
    const read = readBlockStream(streams['empty documents'], 64);
    assert.deepEqual(read?.lines, [-1, 3, -1, 10, -1]);
  });

  it('answers as yaml does for generated objects written by yaml in both sequence styles', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const strings = [
      'a',
      'true',
      '1',
      '0x1',
      '1e5',
      '-',
      '- a',
      'a: b',
      'a #b',
      '#c',
      "it's",
      'x"y',
      '',
      ' pad ',
      'a\nb',
      'a\n\nb\n',
      '\tt',
      '{x}',
      '[y]',
      '&z',
      '*w',
      '!v',
      '|',
      '>',
      '%u',
      '@t',
      '`s',
      'null',
      '~',
      '.5',
      '1_0',
      'ü',
    ];
    const leaf = (): unknown =>
      pick([
        () => pick(strings),
        () => Math.floor(random() * 2000) - 1000,
        () => random() * 10,
        () => random() < 0.5,
        () => null,
      ])();
    const value = (depth: number): unknown => {
      if (depth > 4 || random() < 0.4) return leaf();
      if (random() < 0.5)
        return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (let index = Math.floor(random() * 4); index > 0; index--)
        object[pick(strings) || 'k'] = value(depth + 1);
      return object;
    };
    let answered = 0;
    for (let round = 0; round < 1000; round++) {
      const objects = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: value(0),
      }));
      const text = objects
        .map((object) => stringify(object, { indentSeq: random() < 0.5 }))
        .join('---\n');
      const read = readBlockStream(text, 64);
      if (read === undefined) continue;
      answered++;
      assert.deepEqual(read.values, yamlValues(text), text);
    }
    assert.ok(answered > 250, `answered ${answered} of 1000`);
  });

  it('declines what it does not read, for the slower readers to judge', () => {
    const streams = {
      'an anchor': doc('data:\n  k: &v value\n'),
      'an alias': doc('data:\n  k: *v\n'),
      'a tag': doc('data:\n  k: !!str 1\n'),
      'a flow mapping': doc('data: {k: v}\n'),
      'a flow sequence': doc('data:\n  k: [a]\n'),
      'a folded scalar': doc('data:\n  k: >\n    folded\n'),
      'a plain scalar on two lines': doc('data:\n  k: one\n    two\n'),
      'a quoted scalar on two lines': doc('data:\n  k: "one\n    two"\n'),
      'a comment after a value': doc('data:\n  k: v # c\n'),
      'a tab': doc('data:\n  k:\tv\n'),
      'a CR': doc('data:\n  k: v\r\n'),
      'a number as key': doc('data:\n  1: v\n'),
      'a duplicate key': doc('data:\n  k: 1\n  k: 2\n'),
      'a __proto__ key': doc('data:\n  __proto__: x\n'),
      'a merge key': doc('data:\n  <<: x\n'),
      'a directive': `%YAML 1.2\n---\n${doc('')}`,
      'a document end marker': `${doc('')}...\n`,
      'a sequence in a sequence': doc('list:\n- - a\n'),
      'a lone dash': doc('list:\n-\n  a: 1\n'),
      'a YAML escape JSON has not': doc('data:\n  k: "\\x41"\n'),
      'no final line break': doc('data:\n  k: v'),
      'a root that is no mapping': '- a\n',
      'nesting near the limit': doc(
        `data:\n${Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i + 1)}k:\n`).join('')}`,
      ),
    };
    for (const [what, text] of Object.entries(streams)) {
      assert.equal(readBlockStream(text, 64), undefined, what);
    }
  });
});
