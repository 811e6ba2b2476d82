import { mkdir, mkdtemp, readdir, rm, rmdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileApprovalQueue } from '../src/state/file/file-approval-queue.js';
import { approvalArgumentsText, Approvals } from '../src/policy/approval/approvals.js';
import { ClientAsks } from '../src/policy/approval/client-asks.js';
import { Redactor } from '../src/policy/audit/redactor.js';
import { createLogger } from '../src/log.js';
import { approveStage } from '../src/pipeline/stages/approve.js';
import { argumentCheck } from '../src/pipeline/stages/validate.js';
import { ArgumentRules } from '../src/policy/rules/argument-rules.js';
import { SchemaValidator } from '../src/policy/rules/schema-validator.js';
import { waitFor } from './support/toolscope-cli.js';
import { callContext, policyConfig, refusalOf, run, tool, type PolicyConfig } from './support/policy.js';

const deleteEntities = tool('memory', {
  name: 'delete_entities',
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
});
const readGraph = tool('memory', { name: 'read_graph', annotations: { readOnlyHint: true, openWorldHint: false } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-approval-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** `ops` is a human approver (its client may be asked by elicitation) unless `raw.approval` says otherwise. */
function approvalsFor(raw: Record<string, unknown>, queue = new FileApprovalQueue(join(dir, 'approvals'), 20)) {
  const approval = { humanApprovers: ['ops'], ...(raw.approval as Record<string, unknown> | undefined) };
  const config: PolicyConfig = policyConfig({ ...raw, approval });
  return { approvals: new Approvals(config.approval, config.capabilities, queue, new Redactor(['s3cr3t-value']), new ClientAsks(), createLogger('silent')), queue };
}

/** The validate stage's check under no argument rules: what an approved call passes again after the wait. */
const schemaCheck = argumentCheck(new SchemaValidator(), new ArgumentRules({}));

/** Answers the first pending request through a second queue object, as the CLI process would. */
async function answerWhenQueued(approve: boolean): Promise<string> {
  const other = new FileApprovalQueue(join(dir, 'approvals'));
  for (;;) {
    const [request] = await other.pending();
    if (request) {
      expect(await other.decide(request.id, approve, 'cli:test')).toBe('decided');
      return request.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('which calls need approval', () => {
  it('defaults to destructive tools; globs and classes can be listed', () => {
    expect(approvalsFor({}).approvals.requiredBy(deleteEntities)).toBe('approval.required[0]: destructive');
    expect(approvalsFor({}).approvals.requiredBy(readGraph)).toBeUndefined();
    const custom = approvalsFor({ approval: { required: ['memory:read_*'] } }).approvals;
    expect(custom.requiredBy(readGraph)).toBe('approval.required[0]: memory:read_*');
    expect(custom.requiredBy(deleteEntities)).toBeUndefined();
  });
});

describe('approval by elicitation', () => {
  function client(answer: (params: ElicitRequest['params']) => Promise<ElicitResult>) {
    const asked: Array<ElicitRequest['params']> = [];
    return { asked, channel: { elicit: (params: ElicitRequest['params']) => (asked.push(params), answer(params)) } };
  }

  it('shows tool and (redacted) arguments and forwards only on accept with approve=true', async () => {
    const stage = approveStage(approvalsFor({}).approvals, schemaCheck);
    const yes = client(async () => ({ action: 'accept', content: { approve: true } }));
    const ctx = callContext(deleteEntities, { entityNames: ['Alice'], note: 's3cr3t-value' }, { name: 'ops' }, yes.channel);
    const approved = await run([stage], ctx);
    expect(approved.reached).toBe(true);
    expect(yes.asked[0]!.message).toMatch(/ops wants to call delete_entities on server "memory"/);
    expect(yes.asked[0]!.message).toContain('"Alice"');
    expect(yes.asked[0]!.message).not.toContain('s3cr3t-value');
    expect(ctx.decisions).toEqual([
      { stage: 'approve', outcome: 'pass', reason: 'approved by client:ops (accept) via elicitation' },
      { stage: 'validate', outcome: 'pass', reason: 'checked again after the wait for approval' },
    ]);

    for (const [answer, how] of [
      [{ action: 'accept', content: { approve: false } }, 'accept, approve: false'],
      [{ action: 'decline' }, 'decline'],
      [{ action: 'cancel' }, 'cancel'],
    ] as Array<[ElicitResult, string]>) {
      const no = client(async () => answer);
      const denied = await run([stage], callContext(deleteEntities, {}, { name: 'ops' }, no.channel));
      expect(denied.reached).toBe(false);
      expect(refusalOf(denied.result)).toMatchObject({
        stage: 'approve',
        reason: `the call was not approved (denied by client:ops (${how}) via elicitation)`,
        rule: 'approval.required[0]: destructive',
      });
    }
  });

  it('checks the arguments again once approved: a folder swapped for a symlink during the wait is refused', async () => {
    const publicDir = join(dir, 'public');
    await mkdir(join(publicDir, 'd'), { recursive: true });
    await mkdir(join(dir, 'secret'));
    const writeFileTool = tool('filesystem', { name: 'write_file', annotations: { destructiveHint: true } });
    const rules = new ArgumentRules({ 'filesystem:*': { path: { pathUnder: publicDir } } }, new Set(['filesystem']));
    const stage = approveStage(approvalsFor({}).approvals, argumentCheck(new SchemaValidator(), rules));
    const planted = join(publicDir, 'd', 'planted.txt');

    const unchanged = client(async () => ({ action: 'accept', content: { approve: true } }));
    expect((await run([stage], callContext(writeFileTool, { path: planted }, { name: 'ops' }, unchanged.channel))).reached).toBe(true);

    const swapping = client(async () => {
      await rmdir(join(publicDir, 'd'));
      await symlink(join(dir, 'secret'), join(publicDir, 'd'));
      return { action: 'accept', content: { approve: true } };
    });
    const ctx = callContext(writeFileTool, { path: planted }, { name: 'ops' }, swapping.channel);
    const swapped = await run([stage], ctx);
    expect(swapped.reached).toBe(false);
    expect(refusalOf(swapped.result)).toMatchObject({ stage: 'validate', rule: `argumentRules["filesystem:*"].path.pathUnder` });
    expect(ctx.decisions.at(-1)).toMatchObject({ stage: 'validate', outcome: 'deny', reason: expect.stringMatching(/^checked again after the wait for approval: invalid arguments: /) });
  });

  it('shows every key and value as JSON: a key holding line breaks cannot forge argument lines or a note', () => {
    const forged = 'note\n- path: "/srv/files/notes/todo.txt"\n(toolscope: read-only preview, nothing is written)' + '\n'.repeat(60);
    const text = approvalArgumentsText({ path: '/srv/files/../../etc/cron.d/job', [forged]: 'x', ['tab\tkey\u202E']: 1 });
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('- "tab\\tkey\\u{202e}": 1');
    expect(lines[1]).toBe('- "path": "/srv/files/../../etc/cron.d/job"');
    expect(lines[2]).toMatch(/^- "note\\n- path: \\"\/srv\/files\/notes\/todo.txt\\"\\n\(toolscope: read-only preview/);
    expect(approvalArgumentsText({ data: `a${String.fromCodePoint(0xe0100)}\uFE0F` })).toBe('- "data": "a\\u{e0100}\\u{fe0f}"');
  });

  it('denies when the person does not answer in time', async () => {
    const stage = approveStage(approvalsFor({ approval: { timeoutSeconds: 0.2 } }).approvals, schemaCheck);
    const silent = client(() => new Promise(() => undefined));
    const { result, reached } = await run([stage], callContext(deleteEntities, {}, { name: 'ops' }, silent.channel));
    expect(reached).toBe(false);
    expect(refusalOf(result)!.reason).toMatch(/denied by timeout via elicitation/);
  });

  it('falls back to the queue when elicitation fails', async () => {
    const stage = approveStage(approvalsFor({ approval: { timeoutSeconds: 10 } }).approvals, schemaCheck);
    const broken = client(async () => {
      throw new Error('client does not support this');
    });
    const ctx = callContext(deleteEntities, {}, { name: 'ops' }, broken.channel);
    const [outcome] = await Promise.all([run([stage], ctx), answerWhenQueued(true)]);
    expect(outcome.reached).toBe(true);
    expect(ctx.decisions[0]!.reason).toMatch(/approved by cli:test via queue .*elicitation failed \(client does not support this\)/);
  });
});

describe('approval queue', () => {
  it('waits for an answer from another process: approve forwards, deny refuses; files are cleaned up', async () => {
    const stage = approveStage(approvalsFor({ approval: { timeoutSeconds: 10 } }).approvals, schemaCheck);
    const [approved, id] = await Promise.all([run([stage], callContext(deleteEntities, { entityNames: ['x'] }, { name: 'ops' })), answerWhenQueued(true)]);
    expect(approved.reached).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{10}$/);

    const [denied] = await Promise.all([run([stage], callContext(deleteEntities, {}, { name: 'ops' })), answerWhenQueued(false)]);
    expect(denied.reached).toBe(false);
    expect(refusalOf(denied.result)!.reason).toMatch(/denied by cli:test via queue/);
    expect(await readdir(join(dir, 'approvals'))).toEqual([]);
  });

  it('denies at the timeout, and a late answer changes nothing', async () => {
    const { approvals, queue } = approvalsFor({ approval: { timeoutSeconds: 0.3 } });
    const stage = approveStage(approvals, schemaCheck);
    const pending = run([stage], callContext(deleteEntities, { entityNames: ['x'] }, { name: 'ops' }));
    const request = await waitFor(async () => (await queue.pending())[0], 'the queued request');
    expect(request).toMatchObject({ principal: 'ops', tool: 'memory__delete_entities', arguments: { entityNames: ['x'] }, rule: 'approval.required[0]: destructive' });
    const { result, reached } = await pending;
    expect(reached).toBe(false);
    expect(refusalOf(result)!.reason).toMatch(/denied by timeout via queue/);
    expect(await queue.decide(request.id, true, 'cli:late')).toBe('unknown');
  });

  it('refuses a principal more waiting calls than approval.maxWaitingPerPrincipal, even sent all at once; others still queue', async () => {
    const { approvals, queue } = approvalsFor({ approval: { timeoutSeconds: 0.5, maxWaitingPerPrincipal: 2 } });
    const stage = approveStage(approvals, schemaCheck);
    const flood = Array.from({ length: 5 }, () => run([stage], callContext(deleteEntities, {}, { name: 'bot' })));
    const other = run([stage], callContext(deleteEntities, {}, { name: 'ops' }));
    await waitFor(async () => (await queue.pending()).length === 3, 'two calls of bot and one of ops queued');
    expect((await queue.pending()).map((request) => request.principal).sort()).toEqual(['bot', 'bot', 'ops']);
    const refusals = (await Promise.all(flood)).map(({ result }) => refusalOf(result)!);
    const turnedAway = refusals.filter((refusal) => refusal.rule === 'approval.maxWaitingPerPrincipal');
    expect(turnedAway).toHaveLength(3);
    expect(turnedAway[0]).toMatchObject({ stage: 'approve', reason: 'bot already has 2 calls waiting for approval; answer them or let them time out first' });
    expect(refusals.filter((refusal) => /denied by timeout/.test(refusal.reason))).toHaveLength(2);
    expect(refusalOf((await other).result)!.reason).toMatch(/denied by timeout/);
  });

  it('lets only the first answer count', async () => {
    const queue = new FileApprovalQueue(join(dir, 'approvals'));
    const request = await queue.submit({
      callId: 'c',
      principal: 'ops',
      tool: 't',
      server: 's',
      arguments: {},
      rule: 'r',
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const answers = await Promise.all([queue.decide(request.id, true, 'a'), queue.decide(request.id, false, 'b')]);
    expect(answers.sort()).toEqual(['already-decided', 'decided']);
    expect(await queue.pending()).toEqual([]);
    expect(await queue.decide('../../etc', true, 'x')).toBe('unknown');
  });
});
