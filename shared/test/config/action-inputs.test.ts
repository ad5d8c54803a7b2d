import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  ACTION_INPUT_NAMES,
  type ActionInputs,
  parseActionInputs,
} from '@kustodian/shared/config/action-inputs';
import { StepError } from '@kustodian/shared/errors';

const options = { defaultRepository: 'acme/config' };

/** Every input unset, as `core.getInput` returns them when a workflow gives none. */
const unset = Object.fromEntries(ACTION_INPUT_NAMES.map((name) => [name, '']));

function parse(inputs: Record<string, string>): ActionInputs {
  return parseActionInputs({ ...unset, ...inputs }, options);
}

/** The problem lines of inputs that must be refused. */
function problems(inputs: Record<string, string>): string[] {
  try {
    parse(inputs);
  } catch (error) {
    assert.ok(error instanceof StepError);
    assert.equal(error.step, 'inputs');
    assert.equal(error.object, 'action');
    const text = error.message.replace(/^inputs action: /, '');
    return text.includes(' problems:\n')
      ? text
          .split('\n')
          .slice(1)
          .map((line) => line.trim())
      : [text];
  }
  assert.fail('expected the inputs to be refused');
}

describe('action inputs', () => {
  it('fills in every default when no input is set', () => {
    assert.deepEqual(parse({}), {
      repository: 'acme/config',
      overlays: [],
      paths: [],
      images: [],
      commit: 'push',
      allowDowngrade: false,
      allowRemote: { kind: 'none' },
      retryTimeoutMs: 300_000,
      concurrency: 4,
      kubernetesVersion: '1.36',
    });
  });

  it('reads every input into its typed field', () => {
    const inputs = parse({
      repository: 'https://github.com/acme/other.git',
      ref: 'release/1.4',
      token: 'ghs_0123456789abcdef',
      overlays: 'apps/*/overlays/prod\napps/*/overlays/staging',
      paths: 'apps/api/**, apps/web/**',
      images: 'api=1.4.3\nweb=ghcr.io/acme/web:2.0.0',
      commit: 'pull-request',
      message: 'Bump api to 1.4.3',
      'allow-downgrade': 'True',
      'max-attempts': '3',
      'retry-timeout': '90s',
      concurrency: '8',
      'kubernetes-version': '1.35',
      'pr-branch': 'kustodian/bump-api',
      'pr-title': 'Bump api',
      'pr-base': 'main',
    });
    assert.deepEqual(inputs, {
      repository: 'https://github.com/acme/other.git',
      ref: 'release/1.4',
      token: 'ghs_0123456789abcdef',
      overlays: ['apps/*/overlays/prod', 'apps/*/overlays/staging'],
      paths: ['apps/api/**', 'apps/web/**'],
      images: [
        { name: 'api', newTag: '1.4.3' },
        { name: 'web', newName: 'ghcr.io/acme/web', newTag: '2.0.0' },
      ],
      commit: 'pull-request',
      message: 'Bump api to 1.4.3',
      allowDowngrade: true,
      allowRemote: { kind: 'none' },
      maxAttempts: 3,
      retryTimeoutMs: 90_000,
      concurrency: 8,
      kubernetesVersion: '1.35',
      prBranch: 'kustodian/bump-api',
      prTitle: 'Bump api',
      prBase: 'main',
    });
  });

  it('trims inputs and treats blank ones as unset', () => {
    const inputs = parse({ ref: '  main  ', message: '   ', 'max-attempts': ' 7 ' });
    assert.equal(inputs.ref, 'main');
    assert.equal('message' in inputs, false);
    assert.equal(inputs.maxAttempts, 7);
  });

  it('reads booleans the way getBooleanInput does', () => {
    for (const [text, value] of [
      ['true', true],
      ['TRUE', true],
      ['False', false],
      ['false', false],
    ] as const) {
      assert.equal(parse({ 'allow-downgrade': text }).allowDowngrade, value, text);
    }
    assert.deepEqual(problems({ 'allow-downgrade': 'yes' }), [
      'allow-downgrade: expected true or false, got "yes"',
    ]);
  });

  it('accepts owner/name and every git URL form for the repository', () => {
    for (const repository of [
      'acme/config',
      'acme-inc/config.repo_2',
      'https://git.example.com/acme/config.git',
      'ssh://git@git.example.com/acme/config.git',
      'git@github.com:acme/config.git',
      'file:///srv/git/config',
    ]) {
      assert.equal(parse({ repository }).repository, repository);
    }
  });

  it('refuses a repository with a token in it, without repeating the token', () => {
    const token = 'ghp_AbCdEf0123456789AbCdEf0123456789abcd';
    const error = (() => {
      try {
        parse({ repository: `https://x-access-token:${token}@github.com/acme/config` });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    assert.ok(error instanceof StepError);
    assert.ok(!inspect(error, { depth: 10 }).includes(token));
    assert.match(
      error.message,
      /expected no credentials in the URL; pass the token in the `token` input instead/,
    );
  });

  it('lists every bad input at once with the field, the expectation and the value', () => {
    const [repository, ref, overlays, images, ...rest] = problems({
      repository: 'not a repo',
      ref: 'feature..x',
      overlays: 'apps/*\n../outside',
      images: 'api=1.4.3\napi=Latest!',
      commit: 'force-push',
      'max-attempts': '0',
      concurrency: 'four',
      'kubernetes-version': 'latest',
      'pr-base': '-main',
    });
    assert.equal(
      repository,
      'repository: expected owner/name or a git URL (https://, ssh://, git@host:path, file://), got "not a repo"',
    );
    assert.equal(ref, 'ref: expected a valid git ref name, but it contains "..", got "feature..x"');
    assert.equal(
      overlays,
      'overlays[1]: expected a relative glob inside the repository, but it contains ".." segments, got "../outside"',
    );
    // The images parser words its own message; it names the line and quotes it once.
    assert.match(images!, /^images: line 2: .*Latest!/);
    assert.equal(images!.split('got ').length, 2, images);
    assert.deepEqual(rest, [
      'commit: expected one of "push", "pull-request", "api", "none", got "force-push"',
      'max-attempts: expected at least 1, got 0',
      'concurrency: expected a whole number from 1 to 32, got "four"',
      'kubernetes-version: expected a Kubernetes minor version like 1.36, got "latest"',
      'pr-base: expected a valid git ref name, but it starts with "-", got "-main"',
    ]);
  });

  it('bounds the number inputs', () => {
    assert.deepEqual(problems({ 'max-attempts': '1001', concurrency: '33' }), [
      'max-attempts: expected at most 1000, got 1001',
      'concurrency: expected at most 32, got 33',
    ]);
    assert.deepEqual(problems({ 'max-attempts': '2.5' }), [
      'max-attempts: expected a whole number from 1 to 1000, got "2.5"',
    ]);
    assert.equal(parse({ 'max-attempts': '20', concurrency: '1' }).maxAttempts, 20);
  });

  it('bounds landing by a time, retry-timeout, and by a count only when max-attempts is set', () => {
    const defaults = parse({});
    assert.equal(defaults.retryTimeoutMs, 300_000);
    assert.equal('maxAttempts' in defaults, false);
    assert.equal(parse({ 'retry-timeout': '1m30s' }).retryTimeoutMs, 90_000);
    assert.deepEqual(problems({ 'retry-timeout': 'soon' }), [
      'retry-timeout: expected a duration like 30s, 5m or 1h30m (units: ms, s, m, h), got "soon"',
    ]);
    assert.deepEqual(problems({ 'retry-timeout': '2h' }), [
      'retry-timeout: expected a duration between 1s and 1h, got "2h"',
    ]);
  });

  it('ignores inputs it does not know', () => {
    assert.equal(parseActionInputs({ 'github-token': 'x' }, options).repository, 'acme/config');
  });
});
