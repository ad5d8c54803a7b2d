/**
 * The background process behind `npm run env:up`: starts the local environment, writes its
 * connection info to the state file, and on SIGTERM or SIGINT stops everything and removes it.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { startLocalEnv } from './index.ts';
import { stateFile } from './state.ts';

const env = await startLocalEnv({ gitTls: process.env.KUSTODIAN_GIT_TLS === 'true' });
const state = stateFile();
await writeFile(
  `${state}.tmp`,
  `${JSON.stringify({ pid: process.pid, dir: env.dir, info: env.info })}\n`,
);
await rename(`${state}.tmp`, state);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await env.stop();
  await rm(state, { force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
