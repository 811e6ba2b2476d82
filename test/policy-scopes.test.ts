import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Principals } from '../src/policy/auth/principals.js';
import { FileTokenStore } from '../src/state/file/file-token-store.js';
import { classifyTool } from '../src/policy/scopes/capability.js';
import { ScopePolicy } from '../src/policy/scopes/scope-policy.js';
import { ToolAccess } from '../src/policy/tool-access.js';
import { scopeStage } from '../src/pipeline/stages/scope.js';
import { callContext, policyConfig, refusalOf, run, tool } from './support/policy.js';

const readText = tool('filesystem', { name: 'read_text_file', annotations: { readOnlyHint: true, openWorldHint: false } });
const writeFile = tool('filesystem', {
  name: 'write_file',
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
});
const createDirectory = tool('filesystem', {
  name: 'create_directory',
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
});
const fetchPage = tool('web', { name: 'fetch', annotations: { readOnlyHint: true } });
const unannotated = tool('legacy', { name: 'do_things' });

let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'toolscope-scopes-'));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

async function policyFor(raw: Record<string, unknown>): Promise<{ scopes: ScopePolicy; config: ReturnType<typeof policyConfig> }> {
  const config = policyConfig(raw);
  const store = new FileTokenStore(stateDir);
  await store.refresh();
  return { scopes: new ScopePolicy(new Principals(config.principals, store), config.capabilities), config };
}

describe('capability classes', () => {
  const capabilities = policyConfig().capabilities;

  it('follows the annotations, with the MCP defaults for missing hints', () => {
    expect([...classifyTool(readText, capabilities).classes]).toEqual(['read']);
    expect([...classifyTool(writeFile, capabilities).classes]).toEqual(['destructive']);
    expect([...classifyTool(createDirectory, capabilities).classes]).toEqual(['write']);
    // readOnlyHint alone: openWorldHint defaults to true.
    expect([...classifyTool(fetchPage, capabilities).classes].sort()).toEqual(['open-world', 'read']);
    // readOnlyHint false without destructiveHint: destructive by the spec's default.
    const notReadOnly = tool('x', { name: 'mutate', annotations: { readOnlyHint: false, openWorldHint: false } });
    expect([...classifyTool(notReadOnly, capabilities).classes]).toEqual(['destructive']);
  });

  it('treats an unannotated tool as write on an untrusted server and takes the spec defaults on a trusted one', () => {
    expect([...classifyTool(unannotated, capabilities).classes].sort()).toEqual(['open-world', 'write']);
    const trusted = policyConfig({ capabilities: { trustedServers: ['legacy'] } }).capabilities;
    expect([...classifyTool(unannotated, trusted).classes].sort()).toEqual(['destructive', 'open-world']);
  });

  it('lets the admin override a whole server and, above that, one tool', () => {
    const overridden = policyConfig({
      capabilities: { servers: { filesystem: ['read'] }, tools: { 'filesystem:write_file': ['write'] } },
    }).capabilities;
    expect([...classifyTool(createDirectory, overridden).classes]).toEqual(['read']);
    const decided = classifyTool(writeFile, overridden);
    expect([...decided.classes]).toEqual(['write']);
    expect(decided.source).toBe('capabilities.tools["filesystem:write_file"]');
  });

  it('rejects an override that names no or two effect classes', () => {
    expect(() => policyConfig({ capabilities: { tools: { 'a:b': ['open-world'] } } })).toThrow(/exactly one of read, write, destructive/);
    expect(() => policyConfig({ capabilities: { servers: { a: ['read', 'write'] } } })).toThrow(/exactly one/);
  });
});

describe('scope policy', () => {
  it('allows by class and glob, and deny wins over allow', async () => {
    const { scopes } = await policyFor({
      principals: {
        reader: { allow: ['read'] },
        writer: { allow: ['filesystem:*'], deny: ['filesystem:write_*'] },
      },
    });
    const reader = { name: 'reader' };
    const writer = { name: 'writer' };
    expect(scopes.decide(reader, readText)).toEqual({ allowed: true, rule: 'principals.reader.allow[0]: read' });
    expect(scopes.mayCall(reader, writeFile)).toBe(false);
    expect(scopes.mayCall(writer, createDirectory)).toBe(true);
    const denied = scopes.decide(writer, writeFile);
    expect(denied).toMatchObject({ allowed: false, rule: 'principals.writer.deny[0]: filesystem:write_*' });
  });

  it('names the missing allow rule, and refuses unknown principals and calls without one', async () => {
    const { scopes } = await policyFor({ principals: { reader: { allow: ['read'] } } });
    const refused = scopes.decide({ name: 'reader' }, writeFile);
    expect(refused).toMatchObject({ allowed: false, rule: 'principals.reader.allow' });
    expect(!refused.allowed && refused.reason).toMatch(/filesystem:write_file \[destructive\]/);
    expect(scopes.decide({ name: 'stranger' }, readText)).toMatchObject({ allowed: false, reason: 'unknown principal "stranger"' });
    expect(scopes.decide(undefined, readText)).toMatchObject({ allowed: false });
  });

  it('denies open-world read tools to a principal that denies open-world', async () => {
    const { scopes } = await policyFor({ principals: { offline: { allow: ['read'], deny: ['open-world'] } } });
    expect(scopes.mayCall({ name: 'offline' }, readText)).toBe(true);
    expect(scopes.decide({ name: 'offline' }, fetchPage)).toMatchObject({ allowed: false, rule: 'principals.offline.deny[0]: open-world' });
  });

  it('runs open when no principal exists anywhere (loopback only)', async () => {
    const { scopes } = await policyFor({});
    expect(scopes.mayCall({ name: 'local' }, writeFile)).toBe(true);
  });

  it('rejects malformed rules at config load', () => {
    expect(() => policyConfig({ principals: { p: { allow: ['writ'] } } })).toThrow(/writ\\?" is no capability class \(did you mean \\?"write\\?"\?\): a rule is a capability class/);
    expect(() => policyConfig({ principals: { p: { deny: ['destrutive'] } } })).toThrow(/did you mean \\?"destructive\\?"/);
    expect(() => policyConfig({ principals: { p: { allow: ['everything'] } } })).toThrow(/must be a capability class/);
    expect(() => policyConfig({ principals: { p: { deny: ['a:b:c'] } } })).toThrow(/server:tool/);
  });
});

describe('scope stage', () => {
  it('refuses before anything downstream runs, naming the rule', async () => {
    const { scopes } = await policyFor({ principals: { reader: { allow: ['read'] } } });
    const stage = scopeStage(new ToolAccess(scopes));
    const allowed = await run([stage], callContext(readText, { path: '/x' }, { name: 'reader' }));
    expect(allowed.reached).toBe(true);

    const ctx = callContext(writeFile, { path: '/x', content: 'y' }, { name: 'reader' });
    const denied = await run([stage], ctx);
    expect(denied.reached).toBe(false);
    expect(refusalOf(denied.result)).toMatchObject({ stage: 'scope', rule: 'principals.reader.allow' });
    expect(denied.result.isError).toBe(true);
    expect(ctx.decisions).toEqual([expect.objectContaining({ stage: 'scope', outcome: 'deny' })]);
  });
});
