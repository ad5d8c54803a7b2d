/**
 * Runs the `kustodian` bin as a user does: a child process with a kubeconfig in `KUBECONFIG`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';

/** The bin as `npx kustodian` runs it. */
export const bin = fileURLToPath(new URL('../bin/kustodian.js', import.meta.url));

/** What one run printed and how it ended. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kustodian args…` with `kubeconfig`, without a TTY. */
export function kustodian(kubeconfig: string, ...args: string[]): Promise<Run> {
  return kustodianWith({}, kubeconfig, ...args);
}

/** {@link kustodian} with more environment variables (a token, a CA). */
export function kustodianWith(
  env: Record<string, string>,
  kubeconfig: string,
  ...args: string[]
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmpdir(), ...env } },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

/**
 * A kubeconfig for a service account of `namespace` that may only do `verbs` on Applications
 * there: the admin's cluster with a token from the TokenRequest API.
 */
export async function limitedKubeconfig(
  kc: KubeConfig,
  adminKubeconfig: string,
  namespace: string,
  name: string,
  verbs: string[],
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name },
      rules: [{ apiGroups: ['kustodian.dev'], resources: ['applications'], verbs }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const config = parse(await readFile(adminKubeconfig, 'utf8')) as {
    users: { name: string; user: Record<string, unknown> }[];
    contexts: { context: Record<string, unknown> }[];
  };
  for (const user of config.users) user.user = { token: token.status?.token };
  for (const context of config.contexts) context.context.namespace = namespace;
  const file = join(await mkdtemp(join(tmpdir(), 'kustodian-cli-')), 'kubeconfig');
  await writeFile(file, stringify(config), { mode: 0o600 });
  return file;
}

/** A kubeconfig whose API server does not answer. */
export async function unreachableKubeconfig(adminKubeconfig: string): Promise<string> {
  const config = parse(await readFile(adminKubeconfig, 'utf8')) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  for (const cluster of config.clusters) cluster.cluster.server = 'https://127.0.0.1:1';
  const file = join(await mkdtemp(join(tmpdir(), 'kustodian-cli-')), 'kubeconfig');
  await writeFile(file, stringify(config), { mode: 0o600 });
  return file;
}
