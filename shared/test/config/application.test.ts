import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  APPLICATION_API_VERSION,
  type ApplicationSpec,
  CREDENTIAL_SECRET_KEYS,
  parseApplicationSpec,
} from '@kustodian/shared/config/application';
import { StepError } from '@kustodian/shared/errors';

const subject = 'kustodian.dev/Application/kustodian-system/web';
const url = 'https://github.com/acme/config.git';

function parse(spec: unknown): ApplicationSpec {
  return parseApplicationSpec(spec, subject);
}

function problems(spec: unknown): string[] {
  try {
    parse(spec);
  } catch (error) {
    assert.ok(error instanceof StepError);
    assert.equal(error.step, 'validate');
    assert.equal(error.object, subject);
    const text = error.message.slice(`validate ${subject}: `.length);
    return text.includes(' problems:\n')
      ? text
          .split('\n')
          .slice(1)
          .map((line) => line.trim())
      : [text];
  }
  assert.fail('expected the spec to be refused');
}

describe('Application spec', () => {
  it('names its API and the credential keys Flux and Argo CD users know', () => {
    assert.equal(APPLICATION_API_VERSION, 'kustodian.dev/v1alpha1');
    assert.deepEqual(
      [...CREDENTIAL_SECRET_KEYS],
      ['username', 'password', 'identity', 'known_hosts', 'ca.crt', 'bearerToken'],
    );
  });

  it('fills in every default from just a URL', () => {
    assert.deepEqual(parse({ source: { url } }), {
      source: { url, ref: { branch: 'main' }, path: '.' },
      destination: {},
      interval: 300_000,
      retryInterval: 300_000,
      timeout: 300_000,
      prune: true,
      selfHeal: true,
      wait: true,
      suspend: false,
      dependsOn: [],
      force: false,
      allowEmpty: false,
      enableRemoteResources: false,
      allowRemote: { kind: 'none' },
      deletionPolicy: 'MirrorPrune',
    });
  });

  it('reads every field, with durations in milliseconds', () => {
    const spec = parse({
      source: {
        url: 'git@github.com:acme/config.git',
        ref: { tag: 'v1.4.0' },
        path: 'clusters/prod',
        secretRef: { name: 'config-repo-ssh' },
      },
      destination: { namespace: 'web' },
      serviceAccountName: 'web-deployer',
      interval: '1h30m',
      retryInterval: '30s',
      timeout: '2m',
      prune: false,
      selfHeal: false,
      wait: false,
      suspend: true,
      dependsOn: [{ name: 'infra' }, { name: 'crds', namespace: 'kustodian-system' }],
      force: true,
      allowEmpty: true,
      enableRemoteResources: true,
      deletionPolicy: 'Orphan',
    });
    assert.deepEqual(spec, {
      source: {
        url: 'git@github.com:acme/config.git',
        ref: { tag: 'v1.4.0' },
        path: 'clusters/prod',
        secretRef: { name: 'config-repo-ssh' },
      },
      destination: { namespace: 'web' },
      serviceAccountName: 'web-deployer',
      interval: 5_400_000,
      retryInterval: 30_000,
      timeout: 120_000,
      prune: false,
      selfHeal: false,
      wait: false,
      suspend: true,
      dependsOn: [{ name: 'infra' }, { name: 'crds', namespace: 'kustodian-system' }],
      force: true,
      allowEmpty: true,
      enableRemoteResources: true,
      allowRemote: { kind: 'any' },
      deletionPolicy: 'Orphan',
    });
  });

  it('reads allowRemote as a host list, * as any host, and enableRemoteResources as *', () => {
    assert.deepEqual(
      parse({ source: { url }, allowRemote: ['GitHub.com', 'git.example.com:8443'] }).allowRemote,
      {
        kind: 'hosts',
        hosts: ['github.com', 'git.example.com:8443'],
      },
    );
    assert.deepEqual(parse({ source: { url }, allowRemote: ['*'] }).allowRemote, { kind: 'any' });
    assert.deepEqual(parse({ source: { url }, enableRemoteResources: true }).allowRemote, {
      kind: 'any',
    });
    assert.throws(
      () => parse({ source: { url }, allowRemote: ['https://user:pw@github.com/org'] }),
      /allowRemote/,
    );
  });

  it('retries at the interval unless told otherwise', () => {
    assert.equal(parse({ source: { url }, interval: '10m' }).retryInterval, 600_000);
  });

  it('follows exactly one of a branch, a tag or a full commit', () => {
    const sha = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
    assert.deepEqual(parse({ source: { url, ref: { commit: sha } } }).source.ref, {
      commit: sha.toLowerCase(),
    });
    assert.deepEqual(parse({ source: { url, ref: { branch: 'release/1.4' } } }).source.ref, {
      branch: 'release/1.4',
    });
    assert.deepEqual(problems({ source: { url, ref: { branch: 'main', tag: 'v1' } } }), [
      'source.ref: expected exactly one of branch, tag or commit',
    ]);
    assert.deepEqual(problems({ source: { url, ref: {} } }), [
      'source.ref: expected exactly one of branch, tag or commit',
    ]);
    assert.deepEqual(problems({ source: { url, ref: { commit: 'a1b2c3d' } } }), [
      'source.ref.commit: expected a full 40-character commit SHA, got "a1b2c3d"',
    ]);
    assert.deepEqual(problems({ source: { url, ref: { branch: 'main.lock' } } }), [
      'source.ref.branch: expected a valid git ref name, but it has a part ending with ".lock", got "main.lock"',
    ]);
  });

  it('refuses credentials in the URL, points to secretRef and does not repeat them', () => {
    const token = 'glpat-Zx9yW8vU7tS6rQ5pO4nM';
    const attempt = () =>
      parse({ source: { url: `https://oauth2:${token}@gitlab.example.com/acme/config.git` } });
    assert.throws(attempt, (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(
        error.message,
        `validate ${subject}: source.url: expected no credentials in the URL; put them in a Secret ` +
          '(keys: username, password, identity, known_hosts, ca.crt, bearerToken) and name it in ' +
          'source.secretRef, got "https://***@gitlab.example.com/acme/config.git"',
      );
      assert.ok(!inspect(error, { depth: 10 }).includes(token));
      return true;
    });
  });

  it('accepts plain http and ssh but not local files', () => {
    assert.equal(
      parse({ source: { url: 'http://git.internal/acme/config' } }).source.url,
      'http://git.internal/acme/config',
    );
    assert.equal(
      parse({ source: { url: 'ssh://git@git.internal:2222/acme/config' } }).source.url,
      'ssh://git@git.internal:2222/acme/config',
    );
    assert.deepEqual(problems({ source: { url: 'file:///srv/git/config' } }), [
      'source.url: expected a git URL (https://, http://, ssh://, git@host:path), got "file:///srv/git/config"',
    ]);
  });

  it('lists every problem with the field, the expectation and the value', () => {
    assert.deepEqual(
      problems({
        source: { url, path: '../other-repo', secretRef: { name: 'Git_Creds' } },
        destination: { namespace: 'Web' },
        interval: '5s',
        timeout: '5 minutes',
        prune: 'yes',
        dependsOn: [{ name: 'infra' }, { namespace: 'x' }],
      }),
      [
        'source.path: expected a relative path inside the repository, but it contains ".." segments, got "../other-repo"',
        'source.secretRef.name: expected a lowercase name of letters, digits, "-" and ".", got "Git_Creds"',
        'destination.namespace: expected a lowercase namespace name of letters, digits and "-", got "Web"',
        'interval: expected a duration between 10s and 596h, got "5s"',
        'timeout: expected a duration like 30s, 5m or 1h30m (units: ms, s, m, h), got "5 minutes"',
        'prune: expected true or false, got "yes"',
        'dependsOn[1].name: required: expected a string',
      ],
    );
  });

  it('says what is missing when there is no source', () => {
    assert.deepEqual(problems({}), ['source: required: expected a mapping']);
    assert.deepEqual(problems(undefined), [`${subject}: required: expected a mapping`]);
  });
});
