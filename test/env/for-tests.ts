/**
 * The local environment as tests see it. `npm test` starts one environment for the whole run and
 * hands its connection info to every test process through `KUSTODIAN_TEST_ENV`; a test file run
 * on its own starts a private one. Tests isolate themselves with their own namespaces and repos.
 */

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type LocalEnv, type LocalEnvInfo, startLocalEnv } from './index.ts';

/** Connection info plus a ready client configuration. */
export interface TestEnv extends LocalEnvInfo {
  readonly kc: KubeConfig;
  /** Creates a namespace with a unique name starting with `prefix`. */
  createNamespace(prefix: string): Promise<string>;
  /** `http(s)://user:password@host/<name>.git` for a repository on the git server. */
  authenticatedRepoUrl(name: string): string;
}

/** The variable naming the JSON file with the shared environment's info. */
export const testEnvVariable = 'KUSTODIAN_TEST_ENV';

/**
 * Registers `before`/`after` hooks that provide the local environment and returns its accessor.
 * Call at the top level of a test file.
 */
export function localEnv(): () => TestEnv {
  let env: TestEnv | undefined;
  let owned: LocalEnv | undefined;
  before(async () => {
    const shared = process.env[testEnvVariable];
    let info: LocalEnvInfo;
    if (shared) {
      info = JSON.parse(await readFile(shared, 'utf8')) as LocalEnvInfo;
    } else {
      owned = await startLocalEnv();
      info = owned.info;
    }
    env = toTestEnv(info, await readFile(info.kubeconfig, 'utf8'));
  });
  after(async () => {
    await owned?.stop();
  });
  return () => {
    if (!env) throw new Error('the local environment is used before it was started');
    return env;
  };
}

export function toTestEnv(info: LocalEnvInfo, kubeconfig: string): TestEnv {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    ...info,
    kc,
    createNamespace: async (prefix) => {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      await core.createNamespace({ body: { metadata: { name } } });
      return name;
    },
    authenticatedRepoUrl: (name) => {
      const url = new URL(`${info.gitUrl}/${name}.git`);
      url.username = encodeURIComponent(info.gitUsername);
      url.password = encodeURIComponent(info.gitPassword);
      return url.toString();
    },
  };
}
