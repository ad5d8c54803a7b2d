#!/usr/bin/env node
/**
 * `kustodian-server` (and `npm run dashboard`): the dashboard, with the kubeconfig found as
 * kubectl finds it, or in-cluster with its service account.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfig } from '@kustodian/query/kube';
import { describe, parseConfig, usage } from './config.ts';
import { jsonLogger } from './log.ts';
import { startServer } from './server.ts';

const log = jsonLogger();
if (process.argv.includes('--help')) {
  console.log(usage);
  process.exit(0);
}
try {
  const config = parseConfig(process.argv.slice(2), process.env);
  let kc: KubeConfig;
  if (!config.kubeconfig && process.env.KUBERNETES_SERVICE_HOST) {
    kc = new KubeConfig();
    kc.loadFromCluster();
  } else kc = loadKubeconfig({ kubeconfig: config.kubeconfig, context: config.context }).kc;
  const running = await startServer(config, kc, log);
  log.info('listening', { url: running.url, settings: describe(config) });
  const stop = () => void running.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  log.error('kustodian-server cannot start', {
    reason: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
}
