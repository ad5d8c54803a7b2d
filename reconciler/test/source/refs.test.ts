import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceError } from '@kustodian/shared/source/failure';
import {
  commitFromLsRemote,
  lsRemotePatterns,
  refProblem,
  revisionOf,
} from '@kustodian/shared/source/refs';
import { treeSize } from '@kustodian/shared/source/tree-size';
import { parseSourceUrl, type UrlPolicy } from '@kustodian/shared/source/url';

const sha = (digit: string) => digit.repeat(40);

describe('refs', () => {
  it('reads the commit of a branch from ls-remote, matching the exact name only', () => {
    const output = `${sha('1')}\trefs/heads/feature/main\n${sha('2')}\trefs/heads/main\n`;
    assert.equal(commitFromLsRemote(output, { kind: 'branch', name: 'main' }), sha('2'));
    assert.equal(commitFromLsRemote(output, { kind: 'branch', name: 'other' }), undefined);
  });

  it('prefers the peeled commit of an annotated tag to the tag object', () => {
    const output = `${sha('a')}\trefs/tags/v1\n${sha('b')}\trefs/tags/v1^{}\n`;
    assert.deepEqual(lsRemotePatterns({ kind: 'tag', name: 'v1' }), [
      'refs/tags/v1',
      'refs/tags/v1^{}',
    ]);
    assert.equal(commitFromLsRemote(output, { kind: 'tag', name: 'v1' }), sha('b'));
    assert.equal(
      commitFromLsRemote(`${sha('c')}\trefs/tags/v0\n`, { kind: 'tag', name: 'v0' }),
      sha('c'),
    );
  });

  it('writes revisions as Flux does', () => {
    assert.equal(revisionOf({ kind: 'branch', name: 'main' }, sha('A')), `main@sha1:${sha('a')}`);
    assert.equal(revisionOf({ kind: 'tag', name: 'v1.2.0' }, sha('b')), `v1.2.0@sha1:${sha('b')}`);
    assert.equal(revisionOf({ kind: 'commit', name: sha('c') }, sha('c')), `sha1:${sha('c')}`);
    assert.equal(
      revisionOf({ kind: 'commit', name: '' }, 'd'.repeat(64)),
      `sha256:${'d'.repeat(64)}`,
    );
  });

  it('accepts ordinary names and full commits', () => {
    for (const name of ['main', 'release/1.x', 'v1.2.0', 'feature-a_b']) {
      assert.equal(refProblem({ kind: 'branch', name }), undefined, name);
    }
    assert.equal(refProblem({ kind: 'commit', name: sha('F') }), undefined);
  });

  it('refuses names git would refuse or could read as an option', () => {
    const bad = [
      '',
      '-main',
      '--upload-pack=x',
      'a..b',
      'a b',
      'a~1',
      'x^{}',
      'a:b',
      'a/',
      '.hidden',
      'x.lock',
      'a@{1}',
      'refs/heads/main',
      'a//b',
    ];
    for (const name of bad) {
      assert.notEqual(refProblem({ kind: 'tag', name }), undefined, name);
    }
    assert.match(refProblem({ kind: 'commit', name: 'abc1234' }) ?? '', /not a full commit hash/);
  });
});

describe('source URLs', () => {
  const transport = (url: string, policy: UrlPolicy = {}) => parseSourceUrl(url, policy).transport;
  const refused = (url: string, policy: UrlPolicy = {}) => {
    assert.throws(
      () => parseSourceUrl(url, policy),
      (error: unknown) => {
        assert.ok(error instanceof SourceError && error.reason === 'InvalidSource', String(error));
        return true;
      },
      url,
    );
  };

  it('accepts HTTPS, SSH and scp-like addresses', () => {
    assert.equal(transport('https://github.com/org/config.git'), 'https');
    assert.equal(transport('ssh://git@github.com:22/org/config.git'), 'ssh');
    assert.equal(transport('git@github.com:org/config.git'), 'ssh');
  });

  it('accepts plain HTTP and local files only when allowed', () => {
    refused('http://git.local/config.git');
    assert.equal(transport('http://git.local/config.git', { allowHttp: true }), 'http');
    refused('file:///srv/config.git');
    assert.equal(transport('file:///srv/config.git', { allowFile: true }), 'file');
  });

  it('refuses other transports, option-like hosts and credentials in the URL', () => {
    for (const url of [
      'ext::sh-c-touch',
      'git://github.com/a.git',
      'fd::3',
      '-u/a',
      'ssh://-oProxyCommand=touch/a',
      'git@-oProxyCommand=x:a',
      'a b',
    ]) {
      refused(url);
    }
    try {
      parseSourceUrl('https://bot:ghp_token123456@github.com/org/config.git', {});
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof SourceError);
      assert.match(error.message, /credentials must come from the Secret/);
      assert.ok(!error.message.includes('ghp_token123456'), error.message);
    }
  });
});

describe('tree size', () => {
  it('sums blob sizes of ls-tree -r -l -z and skips submodules', () => {
    const listing = [
      `100644 blob ${sha('1')}      12\tREADME.md`,
      `100755 blob ${sha('2')}    4096\tbin/run\twith tab`,
      `160000 commit ${sha('3')}       -\tvendor/lib`,
      `120000 blob ${sha('4')}       7\tlink`,
      '',
    ].join('\0');
    assert.deepEqual(treeSize(listing), { bytes: 12 + 4096 + 7, files: 3 });
    assert.deepEqual(treeSize(''), { bytes: 0, files: 0 });
    assert.throws(() => treeSize('garbage'), /unexpected git ls-tree entry/);
  });
});
