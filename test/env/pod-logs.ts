/**
 * Container logs on the fake nodes, for tests: `serve` writes a log file and a kwok ClusterLogs
 * that maps the pods of one namespace (optionally only some pods, some containers) to it. The API
 * server's `pods/log` then reads that file through kwok, as it reads a kubelet's container log:
 * `follow`, `tailLines`, `sinceSeconds`, `timestamps` and `container` all apply.
 *
 *   const logs = await podLogs(env()).serve({ namespace });
 *   await logs.append(['starting', 'ready']);
 *   …
 *   await logs.stop();
 *
 * Lines are written in the CRI log format (`<RFC 3339 time> stdout F <text>`), which is what
 * kwok parses; each line carries the time it was appended unless `at` says otherwise. Whether a
 * read follows the file is the request's `follow`: kwok v0.8's server does not read the
 * ClusterLogs' own `follow` field, so it is left out.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** Which pods and containers read the file. */
export interface ServeOptions {
  readonly namespace: string;
  /** Only pods of these names (default: every pod of the namespace). */
  readonly pods?: readonly string[];
  /** Only these containers (default: every container). */
  readonly containers?: readonly string[];
}

/** How one batch of lines is written. */
export interface AppendOptions {
  /** The time the lines carry (default: now). */
  readonly at?: Date;
  readonly stream?: 'stdout' | 'stderr';
}

/** A log file that pods read as their containers' log. */
export interface ServedLogs {
  /** The file, in the CRI log format. */
  readonly file: string;
  /** The ClusterLogs object's name. */
  readonly name: string;
  /** Appends lines (without newlines) to the file. */
  append(lines: readonly string[], options?: AppendOptions): Promise<void>;
  /** Deletes the ClusterLogs and the file. */
  stop(): Promise<void>;
}

const group = 'kwok.x-k8s.io';
const version = 'v1alpha1';
const plural = 'clusterlogs';

/** One CRI log line. */
export function criLogLine(text: string, at: Date, stream: 'stdout' | 'stderr' = 'stdout'): string {
  return `${at.toISOString()} ${stream} F ${text}\n`;
}

/** Serves log files to pods of the local environment. */
export interface PodLogs {
  serve(options: ServeOptions): Promise<ServedLogs>;
}

/** Logs for pods of the local environment, served by its fake nodes. */
export function podLogs(env: { readonly kc: KubeConfig }): PodLogs {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  return {
    /**
     * Creates an empty log file and a ClusterLogs selecting the pods. kwok picks the ClusterLogs
     * up through a watch, so create it before the pods whose logs are read.
     */
    async serve(options: ServeOptions): Promise<ServedLogs> {
      const dir = await mkdtemp(join(tmpdir(), 'kustodian-pod-logs-'));
      const file = join(dir, 'container.log');
      await writeFile(file, '');
      const name = `${options.namespace}-${randomBytes(3).toString('hex')}`;
      try {
        await api.createClusterCustomObject({
          group,
          version,
          plural,
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'ClusterLogs',
            metadata: { name },
            spec: {
              selector: {
                matchNamespaces: [options.namespace],
                ...(options.pods ? { matchNames: [...options.pods] } : {}),
              },
              logs: [
                {
                  ...(options.containers ? { containers: [...options.containers] } : {}),
                  logsFile: file,
                },
              ],
            },
          },
        });
      } catch (cause) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`pod logs: create ClusterLogs ${name}`, { cause });
      }
      return {
        file,
        name,
        append: async (lines, { at, stream } = {}) => {
          const time = at ?? new Date();
          await appendFile(file, lines.map((line) => criLogLine(line, time, stream)).join(''));
        },
        stop: async () => {
          // Cleanup after a test: the environment may already be stopping.
          await api.deleteClusterCustomObject({ group, version, plural, name }).catch(() => {});
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
