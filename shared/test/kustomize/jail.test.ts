import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { execaRunner } from '../../src/exec.ts';
import { buildOverlay } from '../../src/kustomize/build.ts';
import {
  checkOverlayJail as checkWith,
  type JailOptions,
  jailOverlay,
} from '../../src/kustomize/jail.ts';
import { blockingJailReads, directJailReads } from '../../src/kustomize/jail-reads.ts';
import type { JailViolation } from '../../src/kustomize/jail-rules.ts';
import { kustomizeCommandFor } from '../../src/kustomize/locate.ts';
import { parseRemoteAllowance } from '../../src/kustomize/remote-allowance.ts';
import { configMap, kustomizeBinary, type TempTree, tempTree } from './tree.ts';

/** The violations without their messages, which are checked separately. */
function brief(violations: readonly JailViolation[]) {
  return violations.map(({ kind, file, field, value }) => ({ kind, file, field, value }));
}

const legitimate = {
  'base/kustomization.yaml':
    'resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: settings\n    files:\n      - app.properties\n',
  'base/deployment.yaml': configMap('web'),
  'base/app.properties': 'color=blue\n',
  'components/labels/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs:\n      team: web\n',
  'overlays/prod/kustomization.yaml': [
    'resources:\n  - ../../base',
    'components:\n  - ../../components/labels',
    'patches:\n  - path: patch.yaml',
    'configMapGenerator:\n  - name: extra\n    envs:\n      - extra.env\n    files:\n      - key=data.txt',
    'transformers:\n  - prefix.yaml\n',
  ].join('\n'),
  'overlays/prod/patch.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  replicas: "3"\n',
  'overlays/prod/extra.env': 'MODE=prod\n',
  'overlays/prod/data.txt': 'hello\n',
  'overlays/prod/prefix.yaml':
    'apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: prefix\nprefix: prod-\nfieldSpecs:\n  - path: metadata/name\n',
};

for (const [readsName, reads] of [
  ['promise-based reads', directJailReads],
  ['blocking reads', blockingJailReads],
] as const) {
  const checkOverlayJail = (options: JailOptions) => checkWith({ reads, ...options });

  describe(`checkOverlayJail with ${readsName}`, () => {
    let tree: TempTree | undefined;
    afterEach(async () => {
      await tree?.cleanup();
      tree = undefined;
    });

    it('passes a legitimate base, component and overlay, which then build with real kustomize', async () => {
      tree = await tempTree(legitimate);
      // A symlink that stays inside the repository is fine.
      await symlink('../../base', join(tree.root, 'overlays/prod/base-link'));
      assert.deepEqual(
        await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' }),
        [],
      );
      const kustomize = kustomizeCommandFor(await kustomizeBinary());
      const options = {
        kustomize,
        root: tree.root,
        runCommand: execaRunner,
        timeoutMs: 30_000,
        maxOutputBytes: 1e6,
      };
      const built = await buildOverlay({ ...options, overlayDir: 'overlays/prod' });
      assert.match(built.yaml, /name: prod-web/);
      assert.match(built.yaml, /team: web/);
      assert.match(built.yaml, /replicas: "3"/);
    });

    it('refuses a symlink in the overlay that points at ../../../../etc', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': 'resources:\n  - etc/hostname\n',
      });
      await symlink('../../../../etc', join(tree.root, 'overlays/prod/etc'));
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(brief(violations), [
        {
          kind: 'symlink-outside-root',
          file: 'overlays/prod/etc',
          field: 'symlink',
          value: '../../../../etc',
        },
        {
          kind: 'outside-root',
          file: 'overlays/prod/kustomization.yaml',
          field: 'resources[0]',
          value: 'etc/hostname',
        },
      ]);
      assert.match(violations[0]?.message ?? '', /symlink points outside the repository/);
      assert.match(
        violations[1]?.message ?? '',
        /resolves to \/etc\/hostname, outside the repository/,
      );
    });

    it('refuses a resources entry that climbs out of the root', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': 'resources:\n  - ../../../../etc\n  - ok.yaml\n',
      });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(brief(violations), [
        {
          kind: 'outside-root',
          file: 'overlays/prod/kustomization.yaml',
          field: 'resources[0]',
          value: '../../../../etc',
        },
      ]);
    });

    it('follows symlinks in every path field and names the field', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': [
          'resources:\n  - ../../linked-base',
          'patches:\n  - path: outside-patch.yaml',
          'bases:\n  - ../../../../..',
          'patchesJson6902:\n  - path: /etc/json6902.yaml\n    target:\n      kind: ConfigMap\n      name: web',
          'patchesStrategicMerge:\n  - /etc/passwd',
          'configMapGenerator:\n  - name: leak\n    files:\n      - token=../../../../../../../../var/run/secrets/token',
          'secretGenerator:\n  - name: leak\n    envs:\n      - /proc/self/environ',
          'replacements:\n  - path: /etc/replacements.yaml',
          'crds:\n  - /etc/crds.json',
          'configurations:\n  - /etc/configurations.yaml',
          'openapi:\n  path: /etc/openapi.json\n',
        ].join('\n'),
      });
      const outside = await tempTree({
        'kustomization.yaml': 'resources: []\n',
        'patch.yaml': 'x: 1\n',
      });
      try {
        await symlink(outside.root, join(tree.root, 'linked-base'));
        await symlink(
          join(outside.root, 'patch.yaml'),
          join(tree.root, 'overlays/prod/outside-patch.yaml'),
        );
        const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
        const fields = violations.filter((v) => v.kind === 'outside-root').map((v) => v.field);
        assert.deepEqual(fields, [
          'resources[0]',
          'bases[0]',
          'crds[0]',
          'configurations[0]',
          'patchesStrategicMerge[0]',
          'patches[0].path',
          'patchesJson6902[0].path',
          'replacements[0].path',
          'openapi.path',
          'configMapGenerator[0].files[0]',
          'secretGenerator[0].envs[0]',
        ]);
        const symlinks = violations
          .filter((v) => v.kind === 'symlink-outside-root')
          .map((v) => v.file);
        assert.deepEqual(symlinks, ['overlays/prod/outside-patch.yaml']);
      } finally {
        await outside.cleanup();
      }
    });

    it('finds violations in bases and components and names their files', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\ncomponents:\n  - ../../components/evil\n',
        'base/kustomization.yaml': 'resources:\n  - ../nested\n',
        'nested/kustomization.yaml': 'resources:\n  - ../../outside\n',
        'components/evil/kustomization.yaml':
          'kind: Component\nhelmCharts:\n  - name: evil\n    repo: https://example.com/charts\n',
      });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(brief(violations), [
        {
          kind: 'outside-root',
          file: 'nested/kustomization.yaml',
          field: 'resources[0]',
          value: '../../outside',
        },
        {
          kind: 'helm',
          file: 'components/evil/kustomization.yaml',
          field: 'helmCharts',
          value: '[{"name":"evil","repo":"https://example.com/charts"}]',
        },
      ]);
    });

    it('refuses remote resources unless they are allowed', async () => {
      const remotes = [
        'https://github.com/org/repo//deploy?ref=v1.0.0',
        'github.com/org/repo/deploy?ref=main',
        'git@github.com:org/repo.git/deploy',
        'ssh://git@example.com/org/repo.git',
        'gh:org/repo/deploy',
        'gitlab.com/org/repo/deploy',
        'dev.azure.com/org/project/_git/repo/deploy',
      ];
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': `resources:\n${remotes.map((r) => `  - ${r}\n`).join('')}openapi:\n  path: https://example.com/openapi.json\n`,
      });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(
        violations.map((v) => [v.kind, v.value]),
        [...remotes, 'https://example.com/openapi.json'].map((r) => [
          'remote',
          r.replace(/\?.*$/, ''),
        ]),
      );
      assert.equal(violations.at(-1)?.field, 'openapi.path');
      assert.equal(
        violations[0]?.message,
        'remote resources are not allowed: https://github.com/org/repo//deploy in ' +
          'overlays/prod/kustomization.yaml would fetch content from github.com; to allow it ' +
          'set `allow-remote: github.com` in the Action inputs',
      );
      const any = parseRemoteAllowance('*');
      assert.deepEqual(
        await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod', allowRemote: any }),
        [],
      );
    });

    it('lets remote resources through only from the allowed hosts', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': [
          'resources:',
          '  - https://github.com/org/repo//deploy?ref=v1',
          '  - git@github.com:org/other.git/deploy',
          '  - https://deploy:s3cr3t@git.example.com:8443/org/repo.git//base?ref=main&token=t0k',
          '',
        ].join('\n'),
      });
      const allowRemote = parseRemoteAllowance('github.com');
      const violations = await checkOverlayJail({
        root: tree.root,
        overlayDir: 'overlays/prod',
        allowRemote,
      });
      assert.deepEqual(
        violations.map((v) => v.value),
        ['https://git.example.com:8443/org/repo.git//base'],
      );
      const message = violations[0]?.message ?? '';
      assert.match(
        message,
        /from git\.example\.com:8443; to allow it set `allow-remote: git\.example\.com:8443`/,
      );
      assert.doesNotMatch(message, /s3cr3t|t0k|deploy:/);
      const both = parseRemoteAllowance('github.com,\ngit.example.com');
      assert.deepEqual(
        await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod', allowRemote: both }),
        [],
      );
      const report = await jailOverlay({
        reads,
        root: tree.root,
        overlayDir: 'overlays/prod',
        allowRemote: both,
      });
      assert.deepEqual(report.remotes, [
        'https://github.com/org/repo//deploy',
        'git@github.com:org/other.git/deploy',
        'https://git.example.com:8443/org/repo.git//base',
      ]);
    });

    it('refuses KRM function and exec plugins, inline or in plugin files', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml': [
          'generators:',
          '  - |-',
          '    apiVersion: example.com/v1',
          '    kind: Generate',
          '    metadata:',
          '      name: gen',
          '      annotations:',
          '        config.kubernetes.io/function: |',
          '          container:',
          '            image: example.com/evil:1',
          'transformers:',
          '  - exec-plugin.yaml',
          '  - builtin.yaml',
          'validators:',
          '  - |-',
          '    apiVersion: example.com/v1',
          '    kind: Check',
          '    metadata:',
          '      name: check',
          '      annotations:',
          '        config.k8s.io/function: "starlark: {path: x.star}"',
          '',
        ].join('\n'),
        'overlays/prod/exec-plugin.yaml':
          'apiVersion: example.com/v1\nkind: Run\nmetadata:\n  name: run\nspec:\n  exec:\n    path: ./steal.sh\n',
        'overlays/prod/builtin.yaml':
          'apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  a: b\n',
      });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(brief(violations), [
        {
          kind: 'function',
          file: 'overlays/prod/kustomization.yaml',
          field: 'generators[0]',
          value: 'annotation config.kubernetes.io/function',
        },
        {
          kind: 'function',
          file: 'overlays/prod/kustomization.yaml',
          field: 'validators[0]',
          value: 'annotation config.k8s.io/function',
        },
        {
          kind: 'function',
          file: 'overlays/prod/exec-plugin.yaml',
          field: 'transformers[0]',
          value: 'spec.exec',
        },
      ]);
    });

    it('does not hang on a FIFO named kustomization.yaml, or on a cycle', {
      timeout: 10_000,
    }, async () => {
      tree = await tempTree({
        'a/kustomization.yaml': 'resources:\n  - ../b\n  - ../fifo\n',
        'b/kustomization.yaml': 'resources:\n  - ../a\n',
      });
      await promisify(execFile)('mkdir', [join(tree.root, 'fifo')]);
      await promisify(execFile)('mkfifo', [join(tree.root, 'fifo/kustomization.yaml')]);
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'a' });
      assert.deepEqual(brief(violations), [
        {
          kind: 'unreadable',
          file: 'fifo/kustomization.yaml',
          field: 'file',
          value: 'fifo/kustomization.yaml',
        },
      ]);
      assert.equal(violations[0]?.message, 'not a regular file');
    });

    it('stops walking after maxFiles and says so', async () => {
      const files: Record<string, string> = {
        'overlays/prod/kustomization.yaml': 'resources: []\n',
      };
      for (let i = 0; i < 50; i++) files[`overlays/prod/junk/file-${i}.yaml`] = '';
      tree = await tempTree(files);
      const violations = await checkOverlayJail({
        root: tree.root,
        overlayDir: 'overlays/prod',
        maxFiles: 10,
      });
      assert.deepEqual(
        violations.map((v) => [v.kind, v.field, v.value]),
        [['limit', 'maxFiles', '10']],
      );
      assert.match(violations[0]?.message ?? '', /more than 10 files/);
    });

    it('refuses a kustomization that is not YAML it can read, since its references cannot be checked', async () => {
      tree = await tempTree({ 'overlays/prod/kustomization.yaml': 'resources: [unclosed\n' });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(
        violations.map((v) => [v.kind, v.file, v.message]),
        [['unreadable', 'overlays/prod/kustomization.yaml', 'not valid YAML']],
      );
    });

    it('sees references brought in through YAML merge keys', async () => {
      tree = await tempTree({
        'overlays/prod/kustomization.yaml':
          'common: &common\n  resources:\n    - ../../../../etc\n<<: *common\n',
      });
      const violations = await checkOverlayJail({ root: tree.root, overlayDir: 'overlays/prod' });
      assert.deepEqual(
        violations.map((v) => [v.kind, v.field]),
        [['outside-root', 'resources[0]']],
      );
    });
  });
}
