import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRemote, tokenForRemote } from '../../src/git/remote.ts';
import { inputSecrets, parseInputs } from '../../src/inputs.ts';

const server = 'https://github.com';
const workflowToken = 'ghs_workflowtoken0123456789';
const explicitToken = 'glpat-explicittoken0123456789';

describe('which token goes to the repository’s host', () => {
  it('gives the workflow token to the GitHub server the workflow runs on, and to nothing else', () => {
    const tokens = { githubToken: workflowToken };
    const to = (repository: string, serverUrl = server) =>
      tokenForRemote(resolveRemote(repository, serverUrl), tokens, serverUrl);
    assert.equal(to('acme/config'), workflowToken);
    assert.equal(to('https://github.com/acme/config.git'), workflowToken);
    assert.equal(to('https://github.com:443/acme/config.git'), workflowToken);
    assert.equal(to('acme/config', 'https://ghes.example.com'), workflowToken);
    assert.equal(to('https://gitlab.com/acme/config.git'), undefined);
    assert.equal(to('https://github.com.evil.example/acme/config.git'), undefined);
    assert.equal(to('https://github.com:8443/acme/config.git'), undefined);
    assert.equal(to('https://github.com/acme/config.git', 'https://ghes.example.com'), undefined);
    assert.equal(to('git@github.com:acme/config.git'), undefined);
  });

  it('gives an explicit token to whatever host the repository names', () => {
    const tokens = { token: explicitToken, githubToken: workflowToken };
    const remote = resolveRemote('https://gitlab.example.com/acme/config.git', server);
    assert.equal(tokenForRemote(remote, tokens, server), explicitToken);
    assert.equal(
      tokenForRemote(resolveRemote('acme/config', server), tokens, server),
      explicitToken,
    );
  });
});

describe('the parsed token input', () => {
  it('is the workflow token for owner/name when token is empty', () => {
    const inputs = parseInputs({ token: '', 'github-token': workflowToken }, 'acme/config');
    assert.equal(inputs.token, workflowToken);
  });

  it('is absent for another forge when token is empty', () => {
    const raw = { repository: 'https://gitea.example.com/acme/config.git', token: '' };
    const inputs = parseInputs({ ...raw, 'github-token': workflowToken }, 'acme/web', server);
    assert.equal(inputs.token, undefined);
  });

  it('is the explicit token on another forge', () => {
    const raw = { repository: 'https://gitea.example.com/acme/config.git', token: explicitToken };
    const inputs = parseInputs({ ...raw, 'github-token': workflowToken }, 'acme/web', server);
    assert.equal(inputs.token, explicitToken);
  });

  it('follows GITHUB_SERVER_URL for GitHub Enterprise Server', () => {
    const raw = { repository: 'https://ghes.example.com/acme/config.git' };
    const raw2 = { ...raw, 'github-token': workflowToken };
    assert.equal(parseInputs(raw2, 'acme/web', 'https://ghes.example.com').token, workflowToken);
    assert.equal(parseInputs(raw2, 'acme/web', '').token, undefined);
  });

  it('masks both tokens and the headers that carry them', () => {
    const secrets = inputSecrets({ token: explicitToken, 'github-token': workflowToken });
    for (const token of [explicitToken, workflowToken]) {
      const base64 = Buffer.from(`x-access-token:${token}`).toString('base64');
      assert.ok(secrets.includes(token));
      assert.ok(secrets.includes(base64));
      assert.ok(secrets.includes(`AUTHORIZATION: basic ${base64}`));
    }
    assert.deepEqual(inputSecrets({ token: '', 'github-token': '' }), []);
  });
});
