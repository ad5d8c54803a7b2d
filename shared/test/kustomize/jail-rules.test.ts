import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { yamlDocuments } from '../../src/kustomize/jail-rules.ts';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** What `yaml` with merge keys makes of `text`: the reading the jail has always had. */
function asYamlReadsIt(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { merge: true });
  if (docs.some((doc) => doc.errors.length > 0)) return undefined;
  return docs.map((doc) => doc.toJS({ maxAliasCount: 100 }));
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('yamlDocuments', () => {
  it('reads every YAML file of the examples as yaml with merge keys does', async () => {
    const files = await yamlFilesUnder(examples);
    assert.ok(files.length > 20, `found ${files.length} files`);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      assert.deepEqual(yamlDocuments(text), asYamlReadsIt(text), file);
    }
  });

  it('reads merge keys, aliases, empty and comment-only files, and several documents alike', () => {
    const texts = [
      '',
      '# only a comment\n',
      'resources:\n  - ../base\n---\nkind: Component\n',
      'common: &common\n  resources:\n    - ../../etc\n<<: *common\n',
      'a: &x [1, 2]\nb: *x\n',
      'namePrefix: x-\n<<: {resources: [../../etc]}\n',
      'patches:\n  - patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 3\n',
      'images:\n  - name: web\n    newTag: "1.0"\n    digest: sha256:abc\n',
      'k: yes\nl: 0o17\nm: 2024-01-01\nn: ~\n',
    ];
    for (const text of texts) assert.deepEqual(yamlDocuments(text), asYamlReadsIt(text), text);
  });

  it('refuses what is not YAML, duplicate keys, and alias expansion past the limit', () => {
    const bomb = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      ...Array.from({ length: 6 }, (_, i) => {
        const name = String.fromCharCode(98 + i);
        const previous = String.fromCharCode(97 + i);
        return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`;
      }),
    ].join('\n');
    for (const text of ['resources: [\n', 'a: 1\na: 2\n', bomb]) {
      assert.equal(yamlDocuments(text), undefined, text.slice(0, 40));
    }
  });
});
