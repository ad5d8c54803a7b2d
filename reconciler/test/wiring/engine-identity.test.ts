/**
 * Who an Application applies as: the `--default-service-account` flag read at the edge, and the
 * account chosen for an Application with and without `serviceAccountName`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseApplicationSpec } from '@kustodian/shared/config/application';
import { applyingAccount, parseDefaultServiceAccount } from '../../src/wiring/engine.ts';

const ctx = (serviceAccountName?: string) => ({
  namespace: 'team-a',
  spec: parseApplicationSpec(
    {
      source: { url: 'https://git.example.com/org/config.git' },
      ...(serviceAccountName ? { serviceAccountName } : {}),
    },
    'Application team-a/web',
  ),
});

test('the flag takes a name, or a namespace and a name', () => {
  assert.deepEqual(parseDefaultServiceAccount('deployer'), { name: 'deployer' });
  assert.deepEqual(parseDefaultServiceAccount('kustodian-system/kustodian-applier'), {
    namespace: 'kustodian-system',
    name: 'kustodian-applier',
  });
  for (const bad of ['', 'a/b/c', '/name', 'ns/', 'Upper', 'ns/with space']) {
    assert.throws(() => parseDefaultServiceAccount(bad), /--default-service-account: expected/);
  }
});

test('an Application applies as the account it names, in its own namespace, whatever the default', () => {
  assert.deepEqual(applyingAccount(ctx('deployer'), { namespace: 'x', name: 'applier' }), {
    namespace: 'team-a',
    name: 'deployer',
  });
});

test('an Application that names none applies as the default account, or as the reconciler without one', () => {
  const fixed = { namespace: 'kustodian-system', name: 'kustodian-applier' };
  assert.deepEqual(applyingAccount(ctx(), fixed), fixed);
  assert.deepEqual(applyingAccount(ctx(), { name: 'tenant' }), {
    namespace: 'team-a',
    name: 'tenant',
  });
  assert.equal(applyingAccount(ctx(), undefined), undefined);
});
