import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepError } from '@kustodian/shared/errors';
import { createLogger, createRedactor, memorySink, parseLogLevel } from '../../src/log.ts';

const fixedNow = () => Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe('structured logger', () => {
  it('writes one JSON object per line with time, level and msg first', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: { write: (line) => lines.push(line) }, now: fixedNow });
    log.info('applied', { application: 'web/api', revision: 'abc123', step: 'apply', count: 3 });
    assert.equal(lines.length, 1);
    const line = lines[0] ?? '';
    assert.ok(!line.includes('\n'));
    assert.deepEqual(Object.keys(JSON.parse(line)), [
      'time',
      'level',
      'msg',
      'application',
      'revision',
      'step',
      'count',
    ]);
    assert.deepEqual(JSON.parse(line), {
      time: '2026-01-02T03:04:05.678Z',
      level: 'info',
      msg: 'applied',
      application: 'web/api',
      revision: 'abc123',
      step: 'apply',
      count: 3,
    });
  });

  it('drops lines below the configured level', () => {
    const sink = memorySink();
    const log = createLogger({ sink, level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      sink.lines.map((line) => line.level),
      ['warn', 'error'],
    );
  });

  it('binds fields in child loggers without changing the parent', () => {
    const sink = memorySink();
    const log = createLogger({ sink, fields: { component: 'reconciler' } });
    const child = log.child({ application: 'web/api' }).child({ revision: 'r1' });
    child.info('one', { step: 'build' });
    log.info('two');
    assert.equal(sink.lines[0]?.component, 'reconciler');
    assert.equal(sink.lines[0]?.application, 'web/api');
    assert.equal(sink.lines[0]?.revision, 'r1');
    assert.equal(sink.lines[0]?.step, 'build');
    assert.equal(sink.lines[1]?.application, undefined);
  });

  it('never lets a field overwrite time, level or msg', () => {
    const sink = memorySink();
    createLogger({ sink }).warn('real', { level: 'debug', msg: 'fake', time: 'never' });
    assert.equal(sink.lines[0]?.level, 'warn');
    assert.equal(sink.lines[0]?.msg, 'real');
    assert.notEqual(sink.lines[0]?.time, 'never');
  });

  it('redacts URL credentials and registered secrets in the message and in nested fields', () => {
    const sink = memorySink();
    const redactor = createRedactor();
    const log = createLogger({ sink, redactor });
    redactor.addSecret('s3cr3t-token-value');
    log.error('fetch https://bot:hunter22@git.example.com/o/r.git failed', {
      detail: { stderr: ['remote said s3cr3t-token-value', 'ok'] },
      header: 'Authorization: Bearer abcdefabcdef',
    });
    const text = JSON.stringify(sink.lines[0]);
    assert.ok(!text.includes('hunter22'), text);
    assert.ok(!text.includes('s3cr3t-token-value'), text);
    assert.ok(!text.includes('abcdefabcdef'), text);
    assert.ok(text.includes('git.example.com/o/r.git'), text);
  });

  it('shares registered secrets with child loggers made before the secret was known', () => {
    const sink = memorySink();
    const redactor = createRedactor();
    const child = createLogger({ sink, redactor }).child({ application: 'a' });
    redactor.addSecret('password-from-a-secret');
    child.info('using password-from-a-secret');
    assert.equal(sink.lines[0]?.msg, 'using ***');
  });

  it('writes errors as name, message, step, object and cause, redacted', () => {
    const sink = memorySink();
    const redactor = createRedactor();
    redactor.addSecret('tok-123456789');
    const cause = new Error('git said tok-123456789');
    const error = new StepError('fetch', 'https://x-access-token:abc@h/o/r', 'failed', { cause });
    createLogger({ sink, redactor }).error('reconcile failed', { error });
    const logged = sink.lines[0]?.error as Record<string, unknown>;
    assert.equal(logged.name, 'StepError');
    assert.equal(logged.step, 'fetch');
    assert.equal(logged.object, 'https://***@h/o/r');
    assert.deepEqual(logged.cause, { name: 'Error', message: 'git said ***' });
  });

  it('survives cycles, bigints and undefined fields', () => {
    const sink = memorySink();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    createLogger({ sink }).info('odd', { cyclic, big: 10n, missing: undefined });
    assert.equal(sink.lines[0]?.big, '10');
    assert.equal('missing' in (sink.lines[0] ?? {}), false);
    assert.ok(JSON.stringify(sink.lines[0]).includes('[too deep]'));
  });

  it('parses level names and refuses unknown ones', () => {
    assert.equal(parseLogLevel('DEBUG'), 'debug');
    assert.throws(() => parseLogLevel('verbose'), /unknown log level "verbose": expected debug/);
  });
});
