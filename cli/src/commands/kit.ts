/**
 * What a command file gets from `main.ts` to register itself: the common options and help
 * (`command`), the exit-code wrapper (`run`), and the kubeconfig connection (`connect`).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Applications } from '@kustodian/query/applications';
import type { ApplicationsApi } from '@kustodian/query/kube';
import type { ObjectsApi } from '@kustodian/query/objects';
import type { Command } from 'commander';
import type { Output } from '../render.ts';

/** The options every command takes. */
export interface CommonOptions {
  namespace?: string;
  allNamespaces?: boolean;
  output: Output;
  kubeconfig?: string;
  context?: string;
}

/** A connection through the kubeconfig. */
export interface Connection {
  kc: KubeConfig;
  api: ApplicationsApi;
  objects: ObjectsApi;
  apps: Applications;
  /** `-n`, else the context's namespace. */
  namespace: string;
}

/** The helpers of `main.ts`. */
export interface Kit {
  /** A subcommand with the common options, a description and `--help` examples. */
  command(spec: string, description: string, examples: string[]): Command;
  /** Runs an action; its number (default 0) or the error's exit code becomes the exit code. */
  run(action: () => Promise<number | undefined>): Promise<void>;
  connect(options: CommonOptions): Connection;
  /** The namespace of a command about one Application (refuses `-A`). */
  oneNamespace(options: CommonOptions, fallback: string): string;
}

/** A usage error (exit 2) thrown by a command. */
export class CommandUsageError extends Error {}
