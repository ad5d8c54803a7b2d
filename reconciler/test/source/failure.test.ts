import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyGitFailure,
  gitFailure,
  type SourceFailureReason,
  stderrSummary,
} from '@kustodian/shared/source/failure';

const failed = (stderr: string) => ({ exitCode: 128, stderr, timedOut: false });

/** stderr as git 2.39 (curl, OpenSSH) prints it, and the reason it must get. */
const samples: readonly (readonly [string, SourceFailureReason])[] = [
  [
    "fatal: could not read Username for 'https://example.com': terminal prompts disabled",
    'AuthFailed',
  ],
  [
    "remote: Invalid username or password.\nfatal: Authentication failed for 'https://example.com/a.git/'",
    'AuthFailed',
  ],
  [
    "fatal: unable to access 'https://example.com/a.git/': The requested URL returned error: 403",
    'AuthFailed',
  ],
  [
    'git@example.com: Permission denied (publickey).\nfatal: Could not read from remote repository.',
    'AuthFailed',
  ],
  [
    'No ED25519 host key is known for example.com and you have requested strict checking.\nHost key verification failed.\nfatal: Could not read from remote repository.',
    'AuthFailed',
  ],
  [
    "fatal: unable to access 'https://example.com/a.git/': server certificate verification failed. CAfile: none CRLfile: none",
    'AuthFailed',
  ],
  [
    "fatal: unable to access 'https://example.com/a.git/': SSL certificate problem: unable to get local issuer certificate",
    'AuthFailed',
  ],
  [
    'fatal: remote error: upload-pack: not our ref 0123456789abcdef0123456789abcdef01234567',
    'RefNotFound',
  ],
  [
    "remote: repository not found\nfatal: repository 'http://127.0.0.1:1234/nope.git/' not found",
    'RefNotFound',
  ],
  [
    "fatal: unable to access 'https://nowhere.invalid/a.git/': Could not resolve host: nowhere.invalid",
    'Unreachable',
  ],
  [
    "fatal: unable to access 'http://127.0.0.1:1/a.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
    'Unreachable',
  ],
  [
    "remote: service unavailable\nfatal: unable to access 'http://127.0.0.1:1/a.git/': The requested URL returned error: 503",
    'Unreachable',
  ],
  [
    'ssh: connect to host example.com port 22: Connection refused\nfatal: Could not read from remote repository.',
    'Unreachable',
  ],
  ['fatal: the remote end hung up unexpectedly', 'Unreachable'],
  ['fatal: not a git repository (or any of the parent directories): .git', 'Other'],
  ['', 'Other'],
];

describe('classifying git failures', () => {
  for (const [stderr, reason] of samples) {
    it(`classifies ${JSON.stringify(stderr.split('\n').at(-1)?.slice(0, 60))} as ${reason}`, () => {
      assert.equal(classifyGitFailure(failed(stderr)), reason);
    });
  }

  it('classifies a run stopped by its time limit as Timeout, whatever it printed', () => {
    const outcome = { exitCode: undefined, stderr: 'Could not resolve host', timedOut: true };
    assert.equal(classifyGitFailure(outcome), 'Timeout');
    const error = gitFailure('https://example.com/a.git', 'fetch', outcome, [], 5000);
    assert.equal(error.reason, 'Timeout');
    assert.match(
      error.message,
      /^fetch https:\/\/example\.com\/a\.git: git fetch timed out after 5000 ms: /,
    );
  });
});

describe('failure messages', () => {
  it("names the step, the repository and the command, explains cryptic words and keeps git's", () => {
    const stderr =
      "fatal: could not read Username for 'https://example.com': terminal prompts disabled";
    const error = gitFailure(
      'https://example.com/a.git',
      'ls-remote',
      failed(stderr),
      [],
      undefined,
    );
    assert.equal(error.step, 'fetch');
    assert.equal(error.object, 'https://example.com/a.git');
    assert.equal(
      error.message,
      `fetch https://example.com/a.git: git ls-remote exited 128: the server asked for credentials: those in the Secret were refused, or there were none: ${stderr}`,
    );
  });

  it('removes secrets, their base64 forms, URL userinfo and headers from what git printed', () => {
    const token = 'ghp_0123456789abcdefSECRET';
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const stderr = [
      `fatal: unable to access 'https://user:${token}@example.com/a.git/': error`,
      `> Authorization: Basic ${basic}`,
      `echo ${token}`,
    ].join('\n');
    const summary = stderrSummary(stderr, [token]);
    assert.ok(!summary.includes(token), summary);
    assert.ok(!summary.includes(basic), summary);
    assert.ok(!summary.includes('user:'), summary);
    assert.match(summary, /example\.com/);
  });

  it('keeps only the last lines of long output and drops hints', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const summary = stderrSummary(['hint: try this', ...lines].join('\n'), []);
    assert.equal(summary, 'line 14; line 15; line 16; line 17; line 18; line 19');
    const long = stderrSummary('x'.repeat(2000), []);
    assert.equal(long.length, 603);
    assert.ok(long.startsWith('...'));
  });
});
