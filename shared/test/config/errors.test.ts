import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  describeValue,
  formatIssues,
  formatPath,
  issueMessage,
  listProblems,
  parseWith,
} from '@kustodian/shared/config/errors';
import { StepError } from '@kustodian/shared/errors';
import { z } from 'zod';

const schema = z.object({
  images: z.array(z.string().regex(/^[a-z0-9.]+$/, { error: 'expected a tag or digest' })),
  replicas: z.number().int().min(1).max(10),
  mode: z.enum(['push', 'none']),
  name: z.string().min(1),
  token: z.string().min(40),
  repo: z.object({ password: z.string(), url: z.string().startsWith('ssh://') }),
  labels: z.record(z.string(), z.string()),
});

function lines(input: unknown): string[] {
  const result = schema.safeParse(input, { reportInput: true, error: issueMessage });
  assert.equal(result.success, false);
  return formatIssues(result.error!, 'config');
}

const valid = {
  images: ['1.2.3'],
  replicas: 2,
  mode: 'push',
  name: 'web',
  token: 'x'.repeat(40),
  repo: { password: 'p', url: 'ssh://h/x' },
  labels: {},
};

describe('formatIssues', () => {
  it('names the field, what was expected and what was given', () => {
    assert.deepEqual(
      lines({ ...valid, images: ['1.2.3', 'ok', 'Latest!'], replicas: 0, mode: 'pull', name: '' }),
      [
        'images[2]: expected a tag or digest, got "Latest!"',
        'replicas: expected at least 1, got 0',
        'mode: expected one of "push", "none", got "pull"',
        'name: expected a non-empty string, got ""',
      ],
    );
  });

  it('says a field is required when it is missing', () => {
    const { name: _name, ...rest } = valid;
    assert.deepEqual(lines(rest), ['name: required: expected a string']);
  });

  it('describes structures by their shape, never by their content', () => {
    assert.deepEqual(lines({ ...valid, name: { secret: 'x' }, replicas: [1] }), [
      'replicas: expected a number, got a list',
      'name: expected a string, got a mapping',
    ]);
  });

  it('never echoes the value of a secret field', () => {
    const result = lines({
      ...valid,
      token: 'ghp_short',
      repo: { password: 42, url: 'ssh://h/x' },
    });
    assert.deepEqual(result, [
      'token: expected at least 40 characters, got ***',
      'repo.password: expected a string, got ***',
    ]);
  });

  it('hides credentials in URLs it echoes', () => {
    assert.deepEqual(
      lines({
        ...valid,
        repo: { password: 'p', url: 'https://bot:ghp_abcdef123456@github.com/o/r' },
      }),
      ['repo.url: expected text starting with "ssh://", got "https://***@github.com/o/r"'],
    );
  });

  it('uses the subject for issues about the whole input', () => {
    assert.deepEqual(lines('nope'), ['config: expected a mapping, got "nope"']);
  });

  it('quotes keys that are not plain identifiers', () => {
    assert.equal(
      formatPath(['labels', 'app.kubernetes.io/name']),
      'labels["app.kubernetes.io/name"]',
    );
    assert.equal(formatPath(['max-attempts']), 'max-attempts');
    assert.equal(formatPath(['spec', 'dependsOn', 0, 'name']), 'spec.dependsOn[0].name');
    assert.equal(formatPath([]), '');
  });

  it('cuts long values short', () => {
    assert.equal(describeValue('a'.repeat(100)), `"${'a'.repeat(80)}..."`);
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(true), 'true');
  });
});

describe('listProblems', () => {
  it('keeps a single problem on one line and numbers several', () => {
    assert.equal(listProblems(['a: bad']), 'a: bad');
    assert.equal(listProblems(['a: bad', 'b: worse']), '2 problems:\n  a: bad\n  b: worse');
  });
});

describe('parseWith', () => {
  it('returns the parsed value', () => {
    assert.deepEqual(parseWith(schema, valid, 'validate', 'config'), valid);
  });

  it('throws a StepError listing every problem and holding no secret anywhere', () => {
    const secret = 'ghp_0123456789abcdefghijklmnopqrstuv';
    const bad = { ...valid, token: secret, replicas: 11 };
    assert.throws(
      () => parseWith(schema, bad, 'inputs', 'action'),
      (error: unknown) => {
        assert.ok(error instanceof StepError);
        assert.equal(
          error.message,
          'inputs action: 2 problems:\n  replicas: expected at most 10, got 11\n  token: expected at least 40 characters, got ***',
        );
        assert.ok(!inspect(error, { depth: 10 }).includes(secret), 'not even in the cause');
        return true;
      },
    );
  });
});
