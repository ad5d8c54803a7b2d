/**
 * What ships and what the shells read: the tarball of `npm pack -w kustodian` installed into
 * an empty directory runs `--help` with the pinned Node, lists Applications of the real control
 * plane and validates a checkout (the bundle and its chunks, not the sources), and the zsh and
 * fish completion scripts are valid (checked by `zsh -n` and `fish --no-execute` where those shells are
 * installed, and by their structure everywhere).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adminKube, installCrd } from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { kustodian } from './support.ts';

const env = localEnv();

const root = fileURLToPath(new URL('../..', import.meta.url));
const commands = [
  'get',
  'tree',
  'sync',
  'wait',
  'suspend',
  'resume',
  'history',
  'events',
  'trace',
  'matrix',
  'logs',
  'diff',
  'build',
  'validate',
  'rollback',
];

function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd ?? root, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

const scripts = await mkdtemp(join(tmpdir(), 'kustodian-completion-'));
after(() => rm(scripts, { recursive: true, force: true }));

/** Writes a completion script to a file for the shell to parse. */
async function scriptFile(name: string, text: string): Promise<string> {
  const file = join(scripts, name);
  await writeFile(file, text);
  return file;
}

/** Whether `shell` is on PATH. */
async function has(shell: string): Promise<boolean> {
  return (await exec('sh', ['-c', `command -v ${shell}`])).code === 0;
}

describe('the kustodian package and its completion scripts', () => {
  const dirs: string[] = [];
  let installed: string | undefined;
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('the tarball of npm pack installs into an empty directory and its bin runs --help with the pinned Node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-pack-'));
    dirs.push(dir);
    // npm scripts put the pinned Node first on PATH, so prepack bundles with it.
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    const env = { ...process.env, PATH: path };
    const pack = await exec(
      'npm',
      ['pack', '-w', 'kustodian', '--pack-destination', dir, '--json'],
      { env },
    );
    assert.equal(pack.code, 0, pack.stderr);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed, pack.stdout);
    const shipped = packed.files
      .map((f) => f.path)
      .filter((p) => !/^(README\.md|LICENSE|package\.json)$/.test(p))
      .sort();
    // The entry and the chunks each command loads on demand, with their licence notes.
    assert.deepEqual(
      shipped.filter((p) => !p.startsWith('dist/chunks/')),
      ['bin/kustodian.js', 'dist/kustodian.js'],
    );
    const chunks = shipped.filter((p) => p.startsWith('dist/chunks/'));
    assert.ok(chunks.length > 1, shipped.join(' '));
    for (const chunk of chunks) assert.match(chunk, /^dist\/chunks\/[\w-]+\.js(\.LEGAL\.txt)?$/);
    assert.equal(existsSync(join(root, 'cli/dist')), false, 'postpack removes the bundle again');

    const app = join(dir, 'app');
    const install = await exec(
      'npm',
      [
        'install',
        '--prefix',
        app,
        '--offline',
        '--no-audit',
        '--no-fund',
        join(dir, packed.filename),
      ],
      { env, cwd: dir },
    );
    assert.equal(install.code, 0, install.stderr);
    const help = await exec(join(app, 'node_modules/.bin/kustodian'), ['--help'], {
      cwd: dir,
      env: { PATH: path, HOME: dir },
    });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: kustodian \[options\] \[command\]/);
    for (const name of commands) assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'));
    assert.match(help.stdout, /Exit codes:/);
    installed = join(app, 'node_modules/.bin/kustodian');
  });

  test('the installed bin lists Applications with get -A against the control plane, and runs validate', async () => {
    assert.ok(installed, 'installed by the test before');
    const kube = adminKube(env());
    await installCrd(kube);
    const namespace = await env().createNamespace('cli-package');
    await kube.apply({
      apiVersion: 'kustodian.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'packed', namespace },
      spec: {
        source: { url: 'https://git.example.test/team/config.git', path: 'app' },
        suspend: true,
      },
    });
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    const home = await mkdtemp(join(tmpdir(), 'kustodian-home-'));
    dirs.push(home);
    const runEnv = { PATH: path, HOME: home, KUBECONFIG: env().kubeconfig };
    // Twice: the first start fills Node's compile cache, the second reads it.
    for (const round of [1, 2]) {
      const get = await exec(installed, ['get', '-A', '-o', 'json'], { env: runEnv });
      assert.equal(get.code, 0, `round ${round}: ${get.stderr}`);
      const listed = JSON.parse(get.stdout) as { namespace: string; name: string }[];
      assert.ok(listed.some((a) => a.namespace === namespace && a.name === 'packed'));
    }
    // A command whose code is a chunk of its own (the Action's validation).
    const repo = await mkdtemp(join(tmpdir(), 'kustodian-packed-repo-'));
    dirs.push(repo);
    await mkdir(join(repo, 'apps/web'), { recursive: true });
    await writeFile(join(repo, 'apps/web/kustomization.yaml'), 'resources:\n  - settings.yaml\n');
    await writeFile(
      join(repo, 'apps/web/settings.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n',
    );
    const validate = await exec(installed, ['validate', repo], { env: runEnv });
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal(validate.stdout, 'validated 1 overlays: 0 errors, 0 warnings\n');
  });

  test('completion zsh prints a #compdef function that completes every command, and zsh parses it', async () => {
    const run = await kustodian('/nonexistent', 'completion', 'zsh');
    assert.equal(run.code, 0, run.stderr);
    const script = run.stdout;
    assert.match(script, /^#compdef kustodian\n/);
    assert.match(script, /^_kustodian\(\) \{$/m);
    assert.match(script, /^compdef _kustodian kustodian$/m);
    assert.equal(script.split('{').length, script.split('}').length, 'braces balance');
    assert.equal(
      script.split('((').length,
      script.split('))').length,
      'arithmetic parentheses balance',
    );
    const words = /compadd -- (.*)\n/.exec(script)?.[1]?.split(' ') ?? [];
    for (const name of commands) assert.ok(words.includes(name), `${name} in ${words.join(' ')}`);
    if (await has('zsh')) {
      const parsed = await exec('zsh', ['-n', await scriptFile('kustodian.zsh', script)]);
      assert.equal(parsed.code, 0, parsed.stderr);
    }
  });

  test('completion fish prints complete commands for every command and option, and fish parses it', async () => {
    const run = await kustodian('/nonexistent', 'completion', 'fish');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) {
      assert.match(line, /^(#.*|complete -c kustodian .*)$/, line);
      assert.equal(line.split("'").length % 2, 1, `quotes balance: ${line}`);
    }
    const words = /-a '([^']*)'/.exec(run.stdout)?.[1]?.split(' ') ?? [];
    for (const name of commands) assert.ok(words.includes(name), `${name} in ${words.join(' ')}`);
    assert.ok(lines.some((l) => l.endsWith('-l namespace')));
    // The options of single commands too, such as diff's.
    for (const option of ['revision', 'path', 'allow-http', 'overlays'])
      assert.ok(
        lines.some((l) => l.endsWith(`-l ${option}`)),
        option,
      );
    if (await has('fish')) {
      const parsed = await exec('fish', [
        '--no-execute',
        await scriptFile('kustodian.fish', run.stdout),
      ]);
      assert.equal(parsed.code, 0, parsed.stderr);
    }
  });
});
