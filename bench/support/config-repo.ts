/**
 * The generated config repository of the reconciler benchmarks: sets of namespaces, each
 * holding ConfigMaps, Services, Deployments and ServiceAccounts, laid out as kustomizations and
 * pushed to the local git server. Every set has namespaces of its own, so each run (ours or
 * kubectl's) starts from nothing.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Kinds in every namespace, `perKind` of each, besides the Namespace itself. */
export const benchKinds = ['ConfigMap', 'Service', 'Deployment', 'ServiceAccount'] as const;

/** The shape of one set. */
export interface SetShape {
  /** Namespaces are `<prefix>-00`, `<prefix>-01`, ... */
  readonly prefix: string;
  readonly namespaces: number;
  readonly perKind: number;
  /** ConfigMaps per namespace beyond `perKind` of each kind; default none. */
  readonly extraConfigMaps?: number;
}

/** Objects in a set: a Namespace, `perKind` of each kind and the extra ConfigMaps per namespace. */
export function objectCount(shape: SetShape): number {
  return shape.namespaces * (1 + benchKinds.length * shape.perKind + (shape.extraConfigMaps ?? 0));
}

/** The namespaces of a set. */
export function namespacesOf(shape: SetShape): string[] {
  return Array.from({ length: shape.namespaces }, (_, i) => `${shape.prefix}-${pad(i)}`);
}

/**
 * The files of a set under `dir`: one kustomization per namespace and one at `dir` listing
 * them all, so `dir` renders the whole set and `dir/<namespace>` one namespace.
 */
export function setFiles(dir: string, shape: SetShape): Record<string, string> {
  const files: Record<string, string> = {};
  const namespaces = namespacesOf(shape);
  for (const namespace of namespaces) {
    files[`${dir}/${namespace}/kustomization.yaml`] = 'resources:\n  - objects.yaml\n';
    files[`${dir}/${namespace}/objects.yaml`] = namespaceObjects(
      namespace,
      shape.perKind,
      shape.extraConfigMaps ?? 0,
    );
  }
  files[`${dir}/kustomization.yaml`] =
    `resources:\n${namespaces.map((namespace) => `  - ${namespace}\n`).join('')}`;
  return files;
}

function namespaceObjects(namespace: string, perKind: number, extra: number): string {
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`];
  for (let i = 0; i < extra; i++) {
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-${i}\n  namespace: ${namespace}\ndata:\n  index: "${i}"\n`,
    );
  }
  for (let i = 0; i < perKind; i++) {
    const name = `app-${i}`;
    const meta = `metadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n    app: ${name}\n`;
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\n${meta}data:\n  mode: standard\n  replicas: "0"\n  greeting: hello from ${name}\n`,
      `apiVersion: v1\nkind: Service\n${meta}spec:\n  selector:\n    app: ${name}\n  ports:\n    - port: 80\n      targetPort: 8080\n`,
      // No replicas: the benchmark measures applying, not scheduling pods on fake nodes.
      `apiVersion: apps/v1\nkind: Deployment\n${meta}spec:\n  replicas: 0\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      serviceAccountName: ${name}\n      containers:\n        - name: app\n          image: registry.example/app:1.0.0\n          ports:\n            - containerPort: 8080\n          resources:\n            requests:\n              cpu: 10m\n              memory: 16Mi\n`,
      `apiVersion: v1\nkind: ServiceAccount\n${meta}`,
    );
  }
  return docs.join('---\n');
}

function pad(i: number): string {
  return String(i).padStart(i >= 100 ? 3 : 2, '0');
}

/** A repository pushed to the git server, with its working tree. */
export interface PushedRepo {
  readonly url: string;
  readonly commit: string;
  /** The working tree, for rendering the same files for kubectl. */
  readonly dir: string;
}

/** Where the benchmarks push: the local git server and its credentials. */
export interface BenchGit {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** Commits `files` into a fresh repository and pushes it to `<gitUrl>/<name>.git` as `main`. */
export async function pushRepo(
  git: BenchGit,
  name: string,
  files: Readonly<Record<string, string>>,
): Promise<PushedRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-repo-'));
  const url = `${git.url}/${name}.git`;
  await gitIn(dir, git, ['init', '--quiet', '--initial-branch=main']);
  const commit = await pushFiles(git, { url, dir }, files, 'generated for the benchmark');
  return { url, commit, dir };
}

/** Writes `files` into the working tree of `repo`, commits them and pushes; the new commit. */
export async function pushFiles(
  git: BenchGit,
  repo: Pick<PushedRepo, 'url' | 'dir'>,
  files: Readonly<Record<string, string>>,
  message: string,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(repo.dir, path)), { recursive: true });
    await writeFile(join(repo.dir, path), content);
  }
  await gitIn(repo.dir, git, ['add', '--all']);
  await gitIn(repo.dir, git, ['commit', '--quiet', '-m', message]);
  await gitIn(repo.dir, git, ['push', '--quiet', repo.url, 'HEAD:main']);
  return (await gitIn(repo.dir, git, ['rev-parse', 'HEAD'])).trim();
}

/** Runs git in `dir` with the server's credentials and nothing of the machine's config. */
export async function gitIn(dir: string, git: BenchGit, args: readonly string[]): Promise<string> {
  const basic = Buffer.from(`${git.username}:${git.password}`).toString('base64');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
  return (await run('git', [...args], { cwd: dir, env, maxBuffer: 16 << 20 })).stdout;
}
