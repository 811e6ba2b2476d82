import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import type { HttpRoute } from '../../server/http.js';
import { HttpError } from '../../server/http-util.js';
import { auditAction, badRequest, consoleApi } from '../console-api.js';

const decisionBody = z.object({ tool: z.string().min(1), decision: z.enum(['approve', 'reject']) });

/**
 * `GET quarantine`: quarantined tools with the reasons, the diff against the pinned definition and any rejection;
 * `POST quarantine` with `{"tool", "decision": "approve" | "reject"}`: the same as `toolscope approve-tool` /
 * `reject-tool`, by `console:<user>`, audited.
 */
export function quarantineRoutes(gateway: Gateway): HttpRoute[] {
  const store = () => gateway.state.pins;
  return [
    consoleApi(gateway, 'GET', 'quarantine', async () => {
      // The pinning decides at once and writes its files after: read them once what it decided is on disk.
      await gateway.policy.pinning.settled();
      const entries = await store().reviewedQuarantine();
      return { tools: entries.sort((a, b) => a.tool.localeCompare(b.tool)) };
    }),
    consoleApi(gateway, 'POST', 'quarantine', async ({ user, body }) => {
      const parsed = decisionBody.safeParse(await body());
      if (!parsed.success) throw badRequest('expected {"tool": "<exposed tool name>", "decision": "approve" | "reject"}');
      const { tool, decision } = parsed.data;
      const by = `console:${user.name}`;
      const entry = decision === 'approve' ? await store().approve(tool, by) : await store().reject(tool, by);
      if (!entry) throw new HttpError(404, -32602, `"${tool}" is not quarantined`);
      // Released now rather than at the pinning's next poll, so the console (and clients) see it at once.
      if (decision === 'approve') await gateway.policy.pinning.reload();
      await auditAction(gateway, user, decision === 'approve' ? 'approve-tool' : 'reject-tool', { tool, kind: entry.kind, hash: entry.hash });
      return { tool, decision };
    }),
  ];
}
