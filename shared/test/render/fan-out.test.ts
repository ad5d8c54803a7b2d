import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFiles } from '../../../bench/support/config-repo.ts';
import { StepError } from '../../src/errors.ts';
import { execaRunner, type RunCommand } from '../../src/exec.ts';
import { type KustomizeCommand, kustomizeCommandFor } from '../../src/kustomize/locate.ts';
import { noRemote } from '../../src/kustomize/remote-allowance.ts';
import {
  DEFAULT_PARSE_LIMITS,
  type ParsedObject,
  parseManifests,
} from '../../src/manifests/parse.ts';
import { createRenderCache } from '../../src/render/cache.ts';
import { defaultRenderLimits, render } from '../../src/render/render.ts';
import { kustomizeBinary, type TempTree, tempTree } from '../kustomize/tree.ts';

const doc = (lines: readonly string[]) => `${lines.join('\n')}\n`;
const cm = (name: string, namespace?: string) =>
  doc([
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'data:',
    '  key: |',
    '    two',
    '    lines',
  ]);
/** The Deployment `web`, its pod spec's lines (indented as in it) given. */
const deployment = (podSpec: readonly string[]) =>
  doc([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels: { app: web }',
    '  template:',
    '    metadata:',
    '      labels: { app: web }',
    '    spec:',
    ...podSpec,
  ]);
const webContainer = [
  '      containers:',
  '        - name: web',
  '          image: registry.example/web:1.0.0',
];
const kustomization = (resources: readonly string[], extra: readonly string[] = []) =>
  doc(['resources:', ...resources.map((r) => `  - ${r}`), ...extra]);

/** Trees of the differential tests: name → files; every tree renders its `app` directory. */
const trees = {
  plain: setFiles('app', { prefix: 'fan', namespaces: 5, perKind: 3, extraConfigMaps: 1 }),
  namespaceWithSubject: {
    'app/kustomization.yaml': kustomization(['team', 'rbac']),
    'app/team/kustomization.yaml': kustomization(['sa.yaml'], ['namespace: team-a']),
    'app/team/sa.yaml': doc([
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: robot',
    ]),
    'app/rbac/kustomization.yaml': kustomization(['binding.yaml']),
    'app/rbac/binding.yaml': doc([
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: RoleBinding',
      'metadata:',
      '  name: robot',
      '  namespace: team-a',
      'roleRef:',
      '  apiGroup: rbac.authorization.k8s.io',
      '  kind: ClusterRole',
      '  name: view',
      'subjects:',
      '  - kind: ServiceAccount',
      '    name: robot',
    ]),
  },
  namespaceWithScalarReferences: {
    'app/kustomization.yaml': kustomization(['team', 'apps']),
    'app/team/kustomization.yaml': kustomization(['sa.yaml', 'cm.yaml'], ['namespace: team-a']),
    'app/team/sa.yaml': doc([
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: robot',
    ]),
    'app/team/cm.yaml': cm('settings'),
    'app/apps/kustomization.yaml': kustomization(['deploy.yaml'], ['namespace: team-a']),
    'app/apps/deploy.yaml': deployment([
      '      serviceAccountName: robot',
      ...webContainer,
      '          envFrom:',
      '            - configMapRef: { name: settings }',
    ]),
  },
  transformedChildren: {
    'app/kustomization.yaml': kustomization(['a', 'b', 'c']),
    'app/a/kustomization.yaml': kustomization(
      ['deploy.yaml'],
      [
        'labels:',
        '  - pairs: { team: a }',
        '    includeSelectors: true',
        'images:',
        '  - name: registry.example/web',
        '    newTag: 2.0.0',
        'replicas:',
        '  - name: web',
        '    count: 3',
      ],
    ),
    'app/a/deploy.yaml': deployment(webContainer),
    'app/b/kustomization.yaml': kustomization(
      ['objects.yaml'],
      ['commonLabels:', '  tier: b', 'commonAnnotations:', '  owner: team-b'],
    ),
    'app/b/objects.yaml': [
      cm('web'),
      doc([
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: web',
        'spec:',
        '  ports: [{ port: 80 }]',
      ]),
      doc(['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: zeta']),
    ].join('---\n'),
    'app/c/kustomization.yaml': kustomization(['objects.yaml']),
    'app/c/objects.yaml': [
      cm('web', 'gamma'),
      doc(['apiVersion: example.com/v1', 'kind: Widget', 'metadata:', '  name: w']),
      doc(['apiVersion: example.com/v1', 'kind: Namespace', 'metadata:', '  name: custom']),
      doc([
        'apiVersion: admissionregistration.k8s.io/v1',
        'kind: ValidatingWebhookConfiguration',
        'metadata:',
        '  name: hook',
        'webhooks: []',
      ]),
      doc(['apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: alpha']),
      doc([
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata:',
        '  name: reader',
      ]),
    ].join('---\n'),
  },
  nested: {
    'app/kustomization.yaml': kustomization(['east', 'west']),
    'app/east/kustomization.yaml': kustomization(['one', 'two']),
    'app/east/one/kustomization.yaml': kustomization(['cm.yaml']),
    'app/east/one/cm.yaml': cm('one', 'east'),
    'app/east/two/kustomization.yaml': kustomization(['cm.yaml', 'more']),
    'app/east/two/cm.yaml': cm('two', 'east'),
    'app/east/two/more/kustomization.yaml': kustomization(['cm.yaml']),
    'app/east/two/more/cm.yaml': cm('more'),
    'app/west/kustomization.yaml': kustomization(['three']),
    'app/west/three/kustomization.yaml': kustomization(['cm.yaml'], ['namespace: west']),
    'app/west/three/cm.yaml': cm('one'),
  },
  childWithGenerator: {
    'app/kustomization.yaml': kustomization(['a', 'b']),
    'app/a/kustomization.yaml': kustomization(['cm.yaml']),
    'app/a/cm.yaml': cm('a'),
    'app/b/kustomization.yaml': doc([
      'configMapGenerator:',
      '  - name: generated',
      '    literals: [key=value]',
    ]),
  },
  rootWithPrefix: {
    'app/kustomization.yaml': kustomization(['a', 'b'], ['namePrefix: pre-']),
    'app/a/kustomization.yaml': kustomization(['cm.yaml']),
    'app/a/cm.yaml': cm('a'),
    'app/b/kustomization.yaml': kustomization(['cm.yaml']),
    'app/b/cm.yaml': cm('b'),
  },
  localConfig: {
    'app/kustomization.yaml': kustomization(['a', 'b']),
    'app/a/kustomization.yaml': kustomization(['cm.yaml']),
    'app/a/cm.yaml': cm('a').replace(
      'metadata:\n',
      'metadata:\n  annotations:\n    config.kubernetes.io/local-config: "true"\n',
    ),
    'app/b/kustomization.yaml': kustomization(['cm.yaml']),
    'app/b/cm.yaml': cm('b'),
  },
} as const satisfies Record<string, Record<string, string>>;

/** How each tree is expected to render: by how many parts, or whole. */
const expectedParts: Record<keyof typeof trees, number | undefined> = {
  plain: 5,
  namespaceWithSubject: undefined,
  namespaceWithScalarReferences: 2,
  transformedChildren: 3,
  nested: 3,
  childWithGenerator: undefined,
  rootWithPrefix: undefined,
  localConfig: undefined,
};

/**
 * Parts of objects drawn from kinds, groups, versions, namespaces and names that kustomize's
 * legacy order treats differently (ranked and unranked Kinds, Namespaces of several groups, empty
 * and `default` namespaces, names past ASCII), each id once, so one order is right.
 */
function mixedParts(seed: number, parts: number, perPart: number): Record<string, string> {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const types = [
    'v1 Namespace',
    'example.com/v1 Namespace',
    'v1 ConfigMap',
    'v1 Secret',
    'v1 Service',
    'v1 ServiceAccount',
    'apps/v1 Deployment',
    'apps/v1 StatefulSet',
    'batch/v1 Job',
    'batch/v1 CronJob',
    'policy/v1 PodDisruptionBudget',
    'rbac.authorization.k8s.io/v1 Role',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
    'example.com/v1 Widget',
    'example.com/v2alpha1 Gadget',
    'other.example/v1 Widget',
  ];
  const namespaces = [undefined, 'default', 'a', 'b-2', 'z'];
  const names = ['app', 'app-1', 'app.2', 'b', 'zz', 'A', 'ünï', 'x😀', 'xｘ'];
  const files: Record<string, string> = {};
  const used = new Set<string>();
  const children: string[] = [];
  for (let p = 0; p < parts; p++) {
    const docs: string[] = [];
    for (let i = 0; i < perPart; i++) {
      const [apiVersion = '', kind = ''] = (types[next(types.length)] ?? '').split(' ');
      const namespace = namespaces[next(namespaces.length)];
      const name = `${names[next(names.length)]}${next(3) === 0 ? `-${p}` : ''}`;
      const scoped = ['Namespace', 'ClusterRole', 'MutatingWebhookConfiguration'].includes(kind);
      const key = `${apiVersion.split('/').slice(0, -1).join('/')}/${kind}/${scoped ? '' : (namespace ?? 'default')}/${name}`;
      if (used.has(key)) continue;
      used.add(key);
      const meta = [`  name: ${JSON.stringify(name)}`];
      if (namespace !== undefined && !scoped) meta.push(`  namespace: ${namespace}`);
      docs.push(doc([`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', ...meta]));
    }
    children.push(`part-${p}`);
    files[`app/part-${p}/kustomization.yaml`] = kustomization(['objects.yaml']);
    files[`app/part-${p}/objects.yaml`] = docs.join('---\n');
  }
  files['app/kustomization.yaml'] = kustomization(children);
  return files;
}

describe('rendering an aggregating kustomization by parts', () => {
  let kustomize: KustomizeCommand;
  const made: TempTree[] = [];
  let builds = 0;
  const counting: RunCommand = (command, args, options) => {
    builds++;
    return execaRunner(command, args, options);
  };
  const options = (extra: { cache?: ReturnType<typeof createRenderCache> } = {}) => ({
    ...defaultRenderLimits,
    kustomize,
    runCommand: counting,
    fanOutConcurrency: 2,
    ...extra,
  });
  const tree = async (files: Readonly<Record<string, string>>) => {
    const t = await tempTree(files);
    made.push(t);
    return t;
  };
  /** What one `kustomize build` of `dir` gives, parsed as a render names it. */
  const kustomizeBuild = async (root: string, dir: string): Promise<ParsedObject[]> => {
    const args = ['build', `${root}/${dir}`, '--load-restrictor', 'LoadRestrictionsRootOnly'];
    const result = await execaRunner(kustomize.file, args, {
      timeoutMs: 60_000,
      maxOutputBytes: 1 << 24,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    return parseManifests(result.stdout, dir, DEFAULT_PARSE_LIMITS);
  };

  before(async () => {
    kustomize = kustomizeCommandFor(await kustomizeBinary());
  });
  after(() => Promise.all(made.map((t) => t.cleanup())));

  for (const [name, files] of Object.entries(trees)) {
    const parts = expectedParts[name as keyof typeof trees];
    const how = parts === undefined ? 'as one build' : `by ${parts} parts`;
    it(`renders the ${name} tree exactly as kustomize builds it, ${how}`, async () => {
      const t = await tree(files);
      builds = 0;
      const rendered = await render(t.root, 'app', noRemote, options());
      assert.deepEqual(rendered.objects, await kustomizeBuild(t.root, 'app'));
      assert.equal(rendered.parts, parts);
      assert.equal(builds, parts ?? 1);
    });
  }

  it('builds whole when a part sets a namespace that a RoleBinding in another part picks up', async () => {
    const t = await tree(trees.namespaceWithSubject);
    const subjects = (objects: readonly ParsedObject[]) =>
      objects.find((o) => o.object.kind === 'RoleBinding')?.object.subjects;
    const robot = { kind: 'ServiceAccount', name: 'robot' };
    // kustomize fixes name references across all it builds: the subject gets the account's namespace.
    assert.deepEqual(subjects(await kustomizeBuild(t.root, 'app')), [
      { ...robot, namespace: 'team-a' },
    ]);
    assert.deepEqual(subjects(await kustomizeBuild(t.root, 'app/rbac')), [robot]);
    const rendered = await render(t.root, 'app', noRemote, options());
    assert.deepEqual(subjects(rendered.objects), [{ ...robot, namespace: 'team-a' }]);
  });

  for (const seed of [1, 7, 42]) {
    it(`orders objects of many kinds, groups and namespaces as kustomize does (seed ${seed})`, async () => {
      const t = await tree(mixedParts(seed, 6, 20));
      builds = 0;
      const rendered = await render(t.root, 'app', noRemote, options());
      assert.equal(rendered.parts, 6);
      assert.deepEqual(rendered.objects, await kustomizeBuild(t.root, 'app'));
    });
  }

  it('builds whole after the parts when their output holds a referrer Kind that no file spells out', async () => {
    const t = await tree({
      ...trees.namespaceWithSubject,
      'app/rbac/binding.yaml': trees.namespaceWithSubject['app/rbac/binding.yaml'].replace(
        'kind: RoleBinding',
        'kind: "Role\\x42inding"',
      ),
    });
    builds = 0;
    const rendered = await render(t.root, 'app', noRemote, options());
    assert.equal(rendered.parts, undefined);
    assert.equal(builds, 3, 'two parts, then the one build');
    assert.deepEqual(rendered.objects, await kustomizeBuild(t.root, 'app'));
  });

  it('builds whole after the parts when a name field holds a mapping that kustomize would give a namespace', async () => {
    const t = await tree({
      ...trees.namespaceWithSubject,
      'app/rbac/binding.yaml': doc([
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  namespace: team-a',
        'spec:',
        '  template:',
        '    spec:',
        '      serviceAccountName: { name: robot }',
      ]),
    });
    const account = (objects: readonly ParsedObject[]) =>
      objects.find((o) => o.object.kind === 'Deployment')?.object.spec;
    const whole = await kustomizeBuild(t.root, 'app');
    assert.deepEqual(account(whole), {
      template: { spec: { serviceAccountName: { name: 'robot', namespace: 'team-a' } } },
    });
    builds = 0;
    const rendered = await render(t.root, 'app', noRemote, options());
    assert.equal(rendered.parts, undefined);
    assert.equal(builds, 3, 'two parts, then the one build');
    assert.deepEqual(rendered.objects, whole);
  });

  it('refuses objects of one id in two parts, as kustomize does, naming the path and the ids', async () => {
    const t = await tree({
      'app/kustomization.yaml': kustomization(['a', 'b', 'c']),
      'app/a/kustomization.yaml': kustomization(['cm.yaml']),
      'app/a/cm.yaml': cm('same', 'default'),
      'app/b/kustomization.yaml': kustomization(['cm.yaml']),
      'app/b/cm.yaml': cm('same'),
      'app/c/kustomization.yaml': kustomization(['role.yaml'], ['namespace: elsewhere']),
      'app/c/role.yaml': doc([
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata:',
        '  name: same',
      ]),
    });
    const whole = await execaRunner(kustomize.file, ['build', `${t.root}/app`], {
      timeoutMs: 60_000,
      maxOutputBytes: 1 << 24,
    });
    assert.notEqual(whole.exitCode, 0, 'kustomize refuses it too');
    await assert.rejects(render(t.root, 'app', noRemote, options()), (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, 'build');
      assert.equal(error.object, 'app');
      assert.match(error.message, /ConfigMap\/default\/same/);
      return true;
    });
  });

  it('refuses a cluster-scoped object in two parts even under different namespaces, as kustomize does', async () => {
    const role = (namespace: string) =>
      doc([
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata:',
        '  name: same',
        `  namespace: ${namespace}`,
      ]);
    const t = await tree({
      'app/kustomization.yaml': kustomization(['a', 'b']),
      'app/a/kustomization.yaml': kustomization(['role.yaml']),
      'app/a/role.yaml': role('one'),
      'app/b/kustomization.yaml': kustomization(['role.yaml']),
      'app/b/role.yaml': role('two'),
    });
    const whole = await execaRunner(kustomize.file, ['build', `${t.root}/app`], {
      timeoutMs: 60_000,
      maxOutputBytes: 1 << 24,
    });
    assert.notEqual(whole.exitCode, 0, 'kustomize refuses it too');
    await assert.rejects(render(t.root, 'app', noRemote, options()), (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, 'build');
      assert.match(error.message, /ClusterRole\/one\/same/);
      return true;
    });
  });

  it('leaves a part that fails to build to the one build, whose error it reports', async () => {
    const t = await tree({
      // More parts than build at once: the ones waiting when b fails must still settle.
      'app/kustomization.yaml': kustomization(['a', 'b', 'c', 'd']),
      'app/a/kustomization.yaml': kustomization(['cm.yaml']),
      'app/a/cm.yaml': cm('a'),
      'app/c/kustomization.yaml': kustomization(['cm.yaml']),
      'app/c/cm.yaml': cm('c'),
      'app/d/kustomization.yaml': kustomization(['cm.yaml']),
      'app/d/cm.yaml': cm('d'),
      'app/b/kustomization.yaml': kustomization(['broken.yaml']),
      'app/b/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n',
    });
    const whole = await render(t.root, 'app', noRemote, {
      ...options(),
      fanOutConcurrency: 0,
    }).then(
      () => assert.fail('kustomize refuses a malformed resource'),
      (error: unknown) => error,
    );
    assert.ok(whole instanceof StepError);
    builds = 0;
    await assert.rejects(render(t.root, 'app', noRemote, options()), (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.message, whole.message);
      return true;
    });
    assert.ok(builds > 1, 'parts were tried first');
  });

  it('builds whole an aggregate that kustomize refuses for holding two kustomization files', async () => {
    const t = await tree({
      'app/kustomization.yaml': kustomization(['a', 'b']),
      'app/kustomization.yml': kustomization(['a', 'b']),
      'app/a/kustomization.yaml': kustomization(['cm.yaml']),
      'app/a/cm.yaml': cm('a'),
      'app/b/kustomization.yaml': kustomization(['cm.yaml']),
      'app/b/cm.yaml': cm('b'),
    });
    builds = 0;
    await assert.rejects(
      render(t.root, 'app', noRemote, options()),
      /multiple kustomization files/,
    );
    assert.equal(builds, 1);
  });

  it('reuses the builds of parts that another aggregate shares', async () => {
    const t = await tree({
      ...setFiles('sets', { prefix: 'shared', namespaces: 3, perKind: 1 }),
      'app/kustomization.yaml': kustomization(['../sets/shared-00', '../sets/shared-01']),
      'other/kustomization.yaml': kustomization(['../sets/shared-01', '../sets/shared-02']),
    });
    const cache = createRenderCache();
    builds = 0;
    await render(t.root, 'app', noRemote, options({ cache }));
    assert.equal(builds, 2);
    const other = await render(t.root, 'other', noRemote, options({ cache }));
    assert.equal(builds, 3, 'only shared-02 is new');
    assert.deepEqual(other.objects, await kustomizeBuild(t.root, 'other'));
    const again = await render(t.root, 'sets', noRemote, options({ cache }));
    assert.equal(builds, 3, 'every part of sets is known');
    assert.equal(again.parts, 3);
  });
});
