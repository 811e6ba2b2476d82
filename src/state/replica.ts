import { hostname } from 'node:os';

/**
 * Who this process is among replicas: `TOOLSCOPE_REPLICA_ID` if set (e.g. the pod name), else host name and pid.
 * Every audit record carries it, so logs shipped to one place still say which replica wrote each line.
 */
export function replicaId(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOOLSCOPE_REPLICA_ID?.trim() || `${hostname()}:${process.pid}`;
}
