/**
 * The dashboard in the demo: kustodian-server as a process of its own, started the way `npm run
 * dashboard` starts it (with the administrator's kubeconfig, which may impersonate), signed in
 * through the local environment's OpenID provider, with the user roles of
 * `reconciler/deploy/dashboard/user-roles.yaml` bound to the provider's test groups: alice
 * (`platform-admins`) operates everything, bob (`viewers-team-b`) views `viewerNamespace`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../env/ports.ts';
import { type ManagedProcess, startProcess, waitUntilHealthy } from '../env/process.ts';
import { projectRoot } from './config-repo.ts';
import type { DemoKube, KubeObject } from './kube.ts';

/** A running dashboard. */
export interface DashboardProcess {
  /** `http://localhost:<port>` */
  readonly url: string;
  readonly logFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** What it needs. */
export interface DashboardOptions {
  readonly kubeconfig: string;
  readonly issuer: string;
  readonly viewerNamespace: string;
  readonly dir: string;
  /** The CA of the git server, for the diff's fetch. */
  readonly gitCaFile?: string | undefined;
}

function binding(name: string, role: string, group: string, namespace?: string): KubeObject {
  const subjects = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }];
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role };
  return namespace
    ? {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef,
        subjects,
      }
    : {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef,
        subjects,
      };
}

/** Binds the test groups, registers a client at the provider and starts the server. */
export async function startDashboardProcess(
  kube: DemoKube,
  options: DashboardOptions,
): Promise<DashboardProcess> {
  const roles = await readFile(
    join(projectRoot, 'reconciler/deploy/dashboard/user-roles.yaml'),
    'utf8',
  );
  for (const doc of parseAllDocuments(roles)) await kube.apply(doc.toJS() as KubeObject);
  for (const obj of [
    binding('demo-platform-admins', 'kustodian-dashboard-operator', 'oidc:platform-admins'),
    binding('demo-platform-admins-view', 'view', 'oidc:platform-admins'),
    binding(
      'demo-viewers-team-b',
      'kustodian-dashboard-viewer',
      'oidc:viewers-team-b',
      options.viewerNamespace,
    ),
    binding('demo-viewers-team-b-view', 'view', 'oidc:viewers-team-b', options.viewerNamespace),
  ])
    await kube.apply(obj);

  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const discovery = (await (
    await fetch(`${options.issuer}/.well-known/openid-configuration`)
  ).json()) as {
    registration_endpoint: string;
  };
  const registered = await fetch(discovery.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [`${url}/auth/callback`],
      post_logout_redirect_uris: [`${url}/signed-out`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }),
  });
  if (!registered.ok)
    throw new Error(`register the dashboard at the OpenID provider: HTTP ${registered.status}`);
  const client = (await registered.json()) as { client_id: string; client_secret: string };
  const proc = await startProcess({
    name: 'dashboard',
    file: process.execPath,
    args: [
      join(projectRoot, 'dashboard/src/server/main.ts'),
      `--issuer=${options.issuer}`,
      `--client-id=${client.client_id}`,
      `--redirect-url=${url}/auth/callback`,
      `--listen=127.0.0.1:${port}`,
      `--kubeconfig=${options.kubeconfig}`,
    ],
    logDir: options.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: options.dir,
      KUSTODIAN_OIDC_CLIENT_SECRET: client.client_secret,
      ...(options.gitCaFile ? { GIT_SSL_CAINFO: options.gitCaFile } : {}),
    },
  });
  try {
    await waitUntilHealthy(proc, async () => (await fetch(`${url}/healthz`)).ok, 60_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, logFile: proc.logFile, process: proc, stop: () => proc.stop() };
}
