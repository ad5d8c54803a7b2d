import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepError } from '../../src/errors.ts';
import { type ImageEditOptions, setImages } from '../../src/images/kustomization.ts';
import { parseImageUpdates } from '../../src/images/update.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const ADD: ImageEditOptions = { path: 'overlays/prod/kustomization.yaml', allowAdd: true };
const NO_ADD: ImageEditOptions = { ...ADD, allowAdd: false };

/** Sets images from `updates` text in `yaml`. */
function edit(yaml: string, updates: string, options = ADD) {
  return setImages(yaml, parseImageUpdates(updates), options);
}

/** Asserts a refusal with `step`, the caller's path as object, and a message matching `pattern`. */
function refuses(yaml: string, updates: string, pattern: RegExp, step = 'edit'): void {
  assert.throws(
    () => edit(yaml, updates),
    (error) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, step);
      assert.equal(error.object, ADD.path);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('setImages changes', () => {
  test('reports each field with its old and new value and a closed outcome', () => {
    const yaml = [
      'images:',
      '- name: app',
      '  newName: ghcr.io/org/app',
      '  newTag: "1.0"',
      '- name: db',
      `  digest: ${DIGEST}`,
      '',
    ].join('\n');
    const { text, changes } = edit(yaml, 'app=ghcr.io/org/app:1.1\ndb=16.2\nnew=ghcr.io/org/new:1');
    assert.equal(
      text,
      [
        'images:',
        '- name: app',
        '  newName: ghcr.io/org/app',
        '  newTag: "1.1"',
        '- name: db',
        '  newTag: "16.2"',
        '- name: new',
        '  newName: ghcr.io/org/new',
        '  newTag: "1"',
        '',
      ].join('\n'),
    );
    assert.deepEqual(changes, [
      {
        name: 'app',
        field: 'newName',
        from: 'ghcr.io/org/app',
        to: 'ghcr.io/org/app',
        outcome: 'unchanged',
      },
      { name: 'app', field: 'newTag', from: '1.0', to: '1.1', outcome: 'updated' },
      { name: 'db', field: 'newTag', to: '16.2', outcome: 'added' },
      { name: 'db', field: 'digest', from: DIGEST, outcome: 'updated' },
      { name: 'new', field: 'newName', to: 'ghcr.io/org/new', outcome: 'added' },
      { name: 'new', field: 'newTag', to: '1', outcome: 'added' },
    ]);
  });

  test('leaves the text byte-identical when every value is already set', () => {
    const yaml = 'images:\n- name: app # {"$imagepolicy": "ns:app"}\n  newTag: \'1.0\'   \n';
    const result = edit(yaml, 'app=1.0');
    assert.equal(result.text, yaml);
    assert.deepEqual(result.changes, [
      { name: 'app', field: 'newTag', from: '1.0', to: '1.0', outcome: 'unchanged' },
    ]);
  });

  test('lists names without an entry as missing when adding is not allowed', () => {
    const yaml = 'resources:\n- deployment.yaml\n';
    const result = edit(yaml, 'app=1.0\nweb=2.0', NO_ADD);
    assert.equal(result.text, yaml);
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.missing, ['app', 'web']);
  });

  test('edits existing entries and skips missing ones when adding is not allowed', () => {
    const result = edit('images:\n- name: app\n  newTag: "1"\n', 'app=2\nweb=2', NO_ADD);
    assert.equal(result.text, 'images:\n- name: app\n  newTag: "2"\n');
    assert.deepEqual(result.missing, ['web']);
  });

  test('quotes a value that would otherwise read back as a number', () => {
    const result = edit('images:\n- name: app\n  newTag: 1.0\n', 'app=1.0');
    assert.equal(result.text, 'images:\n- name: app\n  newTag: "1.0"\n');
    assert.equal(result.changes[0]?.outcome, 'updated');
  });
});

describe('setImages keeps what it does not edit', () => {
  test('changes only the edited line of an oddly formatted file', () => {
    const long = `description: ${'word '.repeat(30).trim()}`;
    const lines = [
      '---',
      '# header',
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      long,
      'labels: {app: web,   tier: "front"}',
      'configMapGenerator:',
      '    -   name: cfg',
      '        literals: [ "A=1" ]',
      '',
      '',
      'script: >',
      '  folded text',
      '  over lines',
      'images:',
      '    - name: web      # aligned',
      '      newTag: v1.0.0       # {"$imagepolicy": "flux-system:web:tag"}',
      '    - name: worker',
      '      newTag: &shared 2.0',
      '...',
      '',
    ];
    const yaml = lines.join('\n');
    const tag = `v${'9'.repeat(127)}`;
    const result = edit(yaml, `web=${tag}`).text.split('\n');
    const expected = [...lines];
    expected[15] = `      newTag: ${tag}       # {"$imagepolicy": "flux-system:web:tag"}`;
    assert.deepEqual(result, expected);
  });

  test('keeps an anchor on a replaced value', () => {
    const result = edit('images:\n- name: app\n  newTag: &tag "1.0"\n', 'app=1.1');
    assert.equal(result.text, 'images:\n- name: app\n  newTag: &tag "1.1"\n');
  });

  test('edits a file without a final newline', () => {
    const yaml = `images:\n- name: app\n  newTag: "1.0"\n  digest: ${DIGEST}`;
    assert.equal(edit(yaml, 'app=1.1').text, 'images:\n- name: app\n  newTag: "1.1"');
  });

  test('fills a key written without a value, keeping its comment', () => {
    const result = edit('images:\n- name: app\n  newTag:   # set by CI\n', 'app=1.1');
    assert.equal(result.text, 'images:\n- name: app\n  newTag: "1.1"   # set by CI\n');
  });

  test('fills an images key that has no entries yet', () => {
    const result = edit('images: ~ # none yet\nresources:\n  - a.yaml\n', 'app=1.1');
    assert.equal(
      result.text,
      'images: # none yet\n  - name: app\n    newTag: "1.1"\nresources:\n  - a.yaml\n',
    );
  });

  test('moves the next key onto the dash line when the first key goes', () => {
    const yaml = `images:\n- digest: ${DIGEST}\n  name: app\n`;
    assert.equal(edit(yaml, 'app=1.1').text, 'images:\n- name: app\n  newTag: "1.1"\n');
  });

  test('keeps a comment that follows a removed first key', () => {
    const yaml = `images:\n- digest: ${DIGEST}\n  # the app\n  name: app\n`;
    assert.equal(
      edit(yaml, 'app=1.1').text,
      'images:\n-\n  # the app\n  name: app\n  newTag: "1.1"\n',
    );
  });

  test('appends to a flow sequence on one line, keeping its padding', () => {
    const result = edit('images: [ {name: app, newTag: "1"} ] # flow\n', 'web=2');
    assert.equal(
      result.text,
      'images: [ { name: app, newTag: "1" }, { name: web, newTag: "2" } ] # flow\n',
    );
  });

  test('keeps tagSuffix and newName on a tag bump', () => {
    const yaml = 'images:\n- name: app\n  newName: r/app\n  tagSuffix: -alpine\n  newTag: "1"\n';
    assert.equal(edit(yaml, 'app=2').text, yaml.replace('"1"', '"2"'));
  });
});

describe('setImages refuses', () => {
  test('a file of several documents', () => {
    refuses('images: []\n---\nimages: []\n', 'a=1', /has 2 YAML documents/);
  });

  test('a document that is not a mapping', () => {
    refuses('- a\n- b\n', 'a=1', /the document is a sequence; expected a mapping/);
    refuses('# only a comment\n', 'a=1', /the document is empty; expected a mapping/);
  });

  test('an images that is not a sequence of named mappings', () => {
    refuses('images: {a: 1}\n', 'a=1', /images is a mapping; expected a sequence/);
    refuses('images:\n- nginx\n', 'a=1', /images item 1 is a scalar; expected a mapping/);
    refuses('images:\n- newTag: "1"\n', 'a=1', /images item 1 has no name/);
  });

  test('two entries with the name being updated', () => {
    refuses(
      'images:\n- name: a\n- name: b\n- name: a\n',
      'a=1',
      /2 entries named "a" \(items 1 and 3\)/,
    );
  });

  test('a field that holds a collection', () => {
    refuses('images:\n- name: a\n  newTag: [1]\n', 'a=1', /newTag that is a sequence/);
  });

  test('mixed line endings', () => {
    refuses(
      'images:\r\n- name: a\n  newTag: "1"\r\n',
      'a=2',
      /mixed line endings \(2 CRLF, 1 LF\)/,
    );
  });

  test('the same image twice in one call', () => {
    assert.throws(
      () =>
        setImages(
          'images: []\n',
          [
            { name: 'a', newTag: '1' },
            { name: 'a', newTag: '2' },
          ],
          ADD,
        ),
      /edit overlays\/prod\/kustomization.yaml: image "a" is updated twice/,
    );
  });

  test('an update with an invalid value or no value at all', () => {
    const yaml = 'images:\n- name: a\n  newTag: "1"\n';
    for (const [update, pattern] of [
      [{ name: 'a', newTag: 'bad tag' }, /tag "bad tag" may contain only/],
      [{ name: 'a', digest: 'sha256:abc' }, /3 hex characters/],
      [{ name: 'a', newName: 'Org/app' }, /must be lowercase/],
      [{ name: 'A', newTag: '1' }, /must be lowercase/],
      [{ name: 'a' }, /gives no new name, tag or digest/],
    ] as const) {
      assert.throws(
        () => setImages(yaml, [update], ADD),
        (error) => {
          assert.ok(error instanceof StepError);
          assert.equal(error.step, 'edit');
          assert.match(error.message, pattern);
          return true;
        },
      );
    }
  });

  test('invalid YAML, at the parse step', () => {
    refuses(
      'images:\n- name: a\n  newTag: "1\n',
      'a=1',
      /^parse \S+: invalid YAML: Missing closing "quote at line 4, column 1:$/,
      'parse',
    );
  });
});
