import { BenchChild, childLaunch } from './child-process.js';
import { REPO_ROOT } from './paths.js';

/** The trivial downstream server's only tool (see children/echo-server.ts). */
export const ECHO_SERVER = 'echo';
export const ECHO_TOOL = 'echo';

/** How to start the echo server on stdio: for toolscope's config and for a direct client alike. */
export function echoStdioLaunch(): { command: string; args: string[]; cwd: string } {
  return { ...childLaunch('echo-server'), cwd: REPO_ROOT };
}

/** Starts the echo server over Streamable HTTP on 127.0.0.1; stops with `child.close()`. */
export async function startEchoHttp(signal: AbortSignal): Promise<{ child: BenchChild; url: string }> {
  const child = new BenchChild('echo-server', ['--http'], { signal });
  const ready = await child.next('ready');
  return { child, url: String(ready.url) };
}
