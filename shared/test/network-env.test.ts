import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkEnv } from '../src/network-env.ts';

describe('networkEnv', () => {
  it('keeps the CA and proxy variables that are set and nothing else', () => {
    const parent = {
      GIT_SSL_CAINFO: '/etc/ca.pem',
      SSL_CERT_FILE: '/etc/ssl/cert.pem',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      HTTP_PROXY: '',
      GITHUB_TOKEN: 'ghs_secret',
      PATH: '/usr/bin',
    };
    assert.deepEqual(networkEnv(parent), {
      GIT_SSL_CAINFO: '/etc/ca.pem',
      SSL_CERT_FILE: '/etc/ssl/cert.pem',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
    });
  });
});
