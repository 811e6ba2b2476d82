import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EmptyResultSchema, LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogLevels, passes } from '../src/surface/log-levels.js';
import { waitFor } from './support/toolscope-cli.js';
import { everythingGateway, type EverythingGateway } from './support/surface.js';

/**
 * Logging through toolscope: `logging/setLevel` per session, server log lines sent during a call to that call's
 * client, the others to the sessions that asked for logs at their level.
 */

type LogParams = LoggingMessageNotification['params'];

function recordLogs(client: Client): LogParams[] {
  const received: LogParams[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void received.push(notification.params));
  return received;
}

describe('log levels', () => {
  it('passes a message at or above the level a session set', () => {
    expect(passes('error', 'warning')).toBe(true);
    expect(passes('warning', 'warning')).toBe(true);
    expect(passes('info', 'warning')).toBe(false);
  });

  it('sets servers to the most verbose level any session asked for, and back when that session leaves', () => {
    const levels = new LogLevels();
    expect(levels.mostVerbose()).toBeUndefined();
    expect(levels.set('a', 'error')).toBe('error');
    expect(levels.set('b', 'debug')).toBe('debug');
    expect(levels.set('a', 'warning')).toBeUndefined();
    expect(levels.drop('b')).toBe('warning');
    expect(levels.drop('nobody')).toBeUndefined();
  });
});

describe('logging through toolscope, against server-everything', () => {
  let everything: EverythingGateway;

  beforeAll(async () => {
    everything = await everythingGateway();
  });

  afterAll(async () => {
    await everything?.close();
  });

  it("relays a call's log line to its caller, and later lines only to the session that set a level", async () => {
    const [listener, caller, quiet] = [await everything.connect(), await everything.connect(), await everything.connect()];
    const [heard, told, overheard] = [recordLogs(listener), recordLogs(caller), recordLogs(quiet)];
    await listener.setLoggingLevel('debug');
    // Turning simulated logging on logs once during the call, then every 5 s outside any call.
    const on = await caller.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
    try {
      expect(on.isError).toBeFalsy();
      expect(told.length).toBeGreaterThanOrEqual(1);
      await waitFor(() => heard.length > 0, 'a log line outside the call', 20_000);
      expect(heard[0]).toMatchObject({ level: expect.any(String), data: expect.stringMatching(/message/) });
      // The caller set no level: lines outside its calls are not sent to it; the quiet session gets none.
      expect(told.length).toBe(1);
      expect(overheard).toEqual([]);
    } finally {
      await caller.callTool({ name: 'everything__toggle-simulated-logging', arguments: {} });
    }
  }, 40_000);

  it('refuses an unknown level with an error naming the problem', async () => {
    const client = await everything.connect();
    await expect(client.request({ method: 'logging/setLevel', params: { level: 'loud' } }, EmptyResultSchema)).rejects.toThrow(/invalid params.*level/is);
  });
});
