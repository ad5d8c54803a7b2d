/**
 * The local environment, programmatically: a real control plane, a real git server and the
 * pinned kustomize, all on loopback, all in one temporary directory that `stop()` removes.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { type GitServer, startGitServer } from './git-server.ts';
import { type OidcProvider, type OidcProviderInfo, startOidcProvider } from './oidc-provider.ts';
import { createAuthority } from './pki.ts';

/** Options of the local environment. */
export interface LocalEnvOptions {
  /** Run controller-manager, scheduler and kwok so that workloads roll out (default true). */
  readonly controllers?: boolean;
  /** Fake nodes (default 2). */
  readonly nodes?: number;
  /** Serve git over HTTPS with a test CA (default false). */
  readonly gitTls?: boolean;
}

/** What `env:up` prints and what tests in other processes read back. */
export interface LocalEnvInfo {
  readonly kubeconfig: string;
  readonly gitUrl: string;
  readonly gitUsername: string;
  readonly gitPassword: string;
  readonly kustomize: string;
  /** The CA of the git server's certificate, when it serves HTTPS. */
  readonly gitCaFile?: string;
  /** A kubeconfig of the administrator `kustodian-reconciler`, for the reconciler alone. */
  readonly reconcilerKubeconfig: string;
  /** The API server's audit log of write requests (see `audit.ts`). */
  readonly auditLog: string;
  /** An OpenID Connect provider with test users, for the dashboard. */
  readonly oidc: OidcProviderInfo;
}

/** A running local environment. */
export interface LocalEnv {
  readonly info: LocalEnvInfo;
  readonly dir: string;
  readonly controlPlane: ControlPlane;
  readonly git: GitServer;
  stop(): Promise<void>;
}

/** Starts everything; on failure stops what was started and removes the directory. */
export async function startLocalEnv(options: LocalEnvOptions = {}): Promise<LocalEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-env-'));
  let controlPlane: ControlPlane | undefined;
  let git: GitServer | undefined;
  let oidc: OidcProvider | undefined;
  const stop = async () => {
    await oidc?.stop();
    await git?.stop();
    await controlPlane?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const kustomize = await requireBinary('kustomize');
    controlPlane = await startControlPlane({
      dir,
      ...(options.controllers === undefined ? {} : { controllers: options.controllers }),
      ...(options.nodes === undefined ? {} : { nodes: options.nodes }),
    });
    const gitUsername = 'kustodian';
    const gitPassword = randomBytes(18).toString('base64url');
    let tls: { cert: string; key: string } | undefined;
    let gitCaFile: string | undefined;
    if (options.gitTls) {
      const ca = await createAuthority(dir, 'git-ca');
      const files = await ca.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
      tls = { cert: await readFile(files.cert, 'utf8'), key: await readFile(files.key, 'utf8') };
      gitCaFile = ca.cert;
    }
    git = await startGitServer({
      root: join(dir, 'repositories'),
      username: gitUsername,
      password: gitPassword,
      ...(tls ? { tls } : {}),
    });
    oidc = await startOidcProvider(dir);
    const info: LocalEnvInfo = {
      kubeconfig: controlPlane.kubeconfigPath,
      gitUrl: git.url,
      gitUsername,
      gitPassword,
      kustomize,
      ...(gitCaFile ? { gitCaFile } : {}),
      reconcilerKubeconfig: controlPlane.reconcilerKubeconfigPath,
      auditLog: controlPlane.auditLog,
      oidc: oidc.info,
    };
    return { info, dir, controlPlane, git, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
