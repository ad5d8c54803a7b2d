/**
 * The local environment's certificates, issued with the `openssl` command line: a serving CA
 * (API server and git server TLS), a client CA (admin client certificate) and the
 * service-account signing key pair. ECDSA P-256 keys, fresh for every environment, valid a week.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of a certificate and its private key, PEM. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** A certificate authority whose files live in `dir`, able to issue leaf certificates. */
export interface Authority extends CertFiles {
  issueServer(
    name: string,
    hosts: { dns: readonly string[]; ips: readonly string[] },
  ): Promise<CertFiles>;
  issueClient(
    name: string,
    commonName: string,
    organizations: readonly string[],
  ): Promise<CertFiles>;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args], { timeout: 30_000 });
  } catch (cause) {
    throw new Error(`pki: openssl ${args[0]} failed`, { cause });
  }
}

async function ecKey(path: string): Promise<void> {
  await openssl([
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
}

/** Creates a self-signed CA as `<dir>/<name>.crt` and `<dir>/<name>.key`. */
export async function createAuthority(dir: string, name: string): Promise<Authority> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await ecKey(key);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-out',
    cert,
    '-days',
    '7',
    '-subj',
    `/O=kustodian-local/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const issue = async (leaf: string, subject: string, extensions: string): Promise<CertFiles> => {
    const files = { cert: join(dir, `${leaf}.crt`), key: join(dir, `${leaf}.key`) };
    const csr = join(dir, `${leaf}.csr`);
    const ext = join(dir, `${leaf}.ext`);
    await ecKey(files.key);
    await writeFile(ext, extensions);
    await openssl(['req', '-new', '-key', files.key, '-out', csr, '-subj', subject]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      cert,
      '-CAkey',
      key,
      '-CAcreateserial',
      '-out',
      files.cert,
      '-days',
      '7',
      '-extfile',
      ext,
    ]);
    return files;
  };

  return {
    cert,
    key,
    issueServer: (leaf, hosts) => {
      const sans = [...hosts.dns.map((d) => `DNS:${d}`), ...hosts.ips.map((ip) => `IP:${ip}`)];
      return issue(
        leaf,
        `/CN=${hosts.dns[0] ?? hosts.ips[0] ?? 'localhost'}`,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth',
          `subjectAltName=${sans.join(',')}`,
        ].join('\n'),
      );
    },
    issueClient: (leaf, commonName, organizations) =>
      issue(
        leaf,
        `${organizations.map((o) => `/O=${o}`).join('')}/CN=${commonName}`,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=clientAuth',
        ].join('\n'),
      ),
  };
}

/** A key pair for signing service-account tokens: `<dir>/sa.key` (private) and `<dir>/sa.pub`. */
export async function createSigningKey(
  dir: string,
): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(dir, 'sa.key');
  const publicKey = join(dir, 'sa.pub');
  await ecKey(privateKey);
  await openssl(['pkey', '-in', privateKey, '-pubout', '-out', publicKey]);
  return { privateKey, publicKey };
}

/** Reads a PEM file as text, for embedding into a kubeconfig. */
export function readPem(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
