import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writesBy } from '../env/audit.ts';

const dir = await mkdtemp(join(tmpdir(), 'kustodian-audit-'));
after(() => rm(dir, { recursive: true, force: true }));

function event(user: string, verb: string, name: string, extra: object = {}): string {
  return JSON.stringify({
    stage: 'ResponseComplete',
    verb,
    user: { username: user },
    objectRef: { resource: 'configmaps', namespace: 'web', name },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2026-11-26T20:00:00.000000Z',
    ...extra,
  });
}

describe('writesBy', () => {
  it('lists the completed writes of one user, without dry runs, and ignores a cut last line', async () => {
    const log = join(dir, 'audit.log');
    const lines = [
      event('kustodian-reconciler', 'patch', 'a'),
      event('kustodian-reconciler', 'patch', 'b', { stage: 'RequestReceived' }),
      event('kustodian-reconciler', 'patch', 'c', {
        annotations: { 'dryrun.kubernetes.io': 'true' },
      }),
      event('admin', 'delete', 'd'),
      event('kustodian-reconciler', 'delete', 'e').slice(0, 90),
    ];
    await writeFile(log, lines.join('\n'));
    const writes = await writesBy(log, 'kustodian-reconciler');
    assert.deepEqual(
      writes.map((w) => `${w.verb} ${w.resource} ${w.namespace}/${w.name} ${w.code}`),
      ['patch configmaps web/a 200'],
    );
    assert.deepEqual(await writesBy(log, 'kustodian-reconciler', Date.now()), []);
  });

  it('fails on a log it cannot read or parse instead of answering with no writes', async () => {
    await assert.rejects(writesBy(join(dir, 'missing.log'), 'kustodian-reconciler'), /ENOENT/);
    const broken = join(dir, 'broken.log');
    const line = event('kustodian-reconciler', 'patch', 'a');
    const cut = line.slice(0, line.indexOf('kustodian-reconciler') + 30);
    await writeFile(broken, `${cut}\n${line}\n`);
    await assert.rejects(writesBy(broken, 'kustodian-reconciler'), /not JSON/);
  });
});
