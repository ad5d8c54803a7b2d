/**
 * A config repository on the local git server over HTTPS (a test CA), reached with a token, as
 * the action reaches a forge.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GitServer, startGitServer } from '../../../test/env/git-server.ts';
import { type Authority, createAuthority, readPem } from '../../../test/env/pki.ts';
import { git } from '../helpers.ts';

/** A running HTTPS git server and what a client needs to trust and use it. */
export interface HttpsGit {
  readonly server: GitServer;
  readonly caFile: string;
  /** The test CA, to issue certificates of other servers the same clients trust. */
  readonly ca: Authority;
  readonly token: string;
  /** `https://127.0.0.1:<port>/<name>.git`. */
  url(name: string): string;
  /** The bare repository behind `name` on disk. */
  barePath(name: string): string;
}

/**
 * Starts the server under `dir` with a fresh CA, accepting `token`; it serves the bare
 * repositories under `root` (`<dir>/repos` by default, or another server's, such as the GitHub
 * emulator's). With `anonymousRead`, fetches need no token (public repositories).
 */
export async function startHttpsGit(
  dir: string,
  token: string,
  root = join(dir, 'repos'),
  options: { readonly anonymousRead?: boolean } = {},
): Promise<HttpsGit> {
  await mkdir(join(dir, 'pki'), { recursive: true });
  const ca = await createAuthority(join(dir, 'pki'), 'ca');
  const leaf = await ca.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
  const server = await startGitServer({
    root,
    username: 'kustodian',
    password: token,
    tls: { cert: await readPem(leaf.cert), key: await readPem(leaf.key) },
    ...(options.anonymousRead === undefined ? {} : { anonymousRead: options.anonymousRead }),
  });
  return {
    server,
    caFile: ca.cert,
    ca,
    token,
    url: (name) => `${server.url}/${name}.git`,
    barePath: (name) => join(root, `${name}.git`),
  };
}

/** A config repository with one overlay (`production`) running one image, `registry.example.com/web:1.0.0`. */
export const webConfigFiles: Readonly<Record<string, string>> = {
  'base/web.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: registry.example.com/web:1.0.0',
    '',
  ].join('\n'),
  'base/kustomization.yaml': 'resources:\n  - web.yaml\n',
  'production/kustomization.yaml':
    'namespace: shop\nresources:\n  - ../base\nimages:\n  - name: registry.example.com/web\n    newTag: 1.0.0\n',
};

/** Pushes the files as the first commit of `name` on the server (which creates the repository). */
export async function seedRepository(
  https: HttpsGit,
  dir: string,
  name: string,
  files: Record<string, string>,
): Promise<void> {
  const work = join(dir, `seed-${name}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(work, path, '..'), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(['init', '-q', '-b', 'main'], work);
  await git(['add', '-A'], work);
  await git(
    ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', 'commit', '-qm', 'seed'],
    work,
  );
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${https.token}`).toString('base64')}`;
  await git(['-c', `http.extraHeader=${header}`, 'push', '-q', https.url(name), 'main'], work, {
    GIT_SSL_CAINFO: https.caFile,
  });
}
