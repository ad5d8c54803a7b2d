/** The admin kubeconfig of the local environment: client-certificate auth, embedded PEM data. */
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** What a kubeconfig for one cluster and one user needs. */
export interface KubeconfigInput {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly name?: string;
}

const b64 = async (path: string) => (await readFile(path)).toString('base64');

/** Renders a kubeconfig with one cluster, user and context, all named `kustodian-local`. */
export async function renderKubeconfig(input: KubeconfigInput): Promise<string> {
  const name = input.name ?? 'kustodian-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: input.server, 'certificate-authority-data': await b64(input.caFile) },
      },
    ],
    users: [
      {
        name,
        user: {
          'client-certificate-data': await b64(input.certFile),
          'client-key-data': await b64(input.keyFile),
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
  });
}
