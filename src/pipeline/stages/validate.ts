import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../catalog/canonical-json.js';
import type { ArgumentRules } from '../../policy/rules/argument-rules.js';
import type { SchemaValidator } from '../../policy/rules/schema-validator.js';
import type { CallContext, CallStage } from '../call-context.js';
import { CallRefused, VALIDATE_STAGE } from '../refusal.js';

/** Checks a call's arguments and leaves the ones to forward in `ctx.arguments`; throws CallRefused when they break a rule. */
export type ArgumentCheck = (ctx: CallContext) => Promise<void>;

/**
 * The argument rules (fixed values, allowed values, patterns, path roots, lengths, read-only SQL), then the tool's
 * inputSchema against the result. Every violation is listed; with none, `ctx.arguments` becomes the rewritten
 * arguments. A resource read or subscription has no arguments, but a `file:` URI is a path: it must satisfy the path
 * rules that apply to the resource (`argumentRules` globs matching `server:resource:*`), as a `path` argument would.
 * A completion's value is a prefix of an argument, not the argument: the rules apply when the prompt is got.
 */
export function argumentCheck(validator: SchemaValidator, rules: ArgumentRules): ArgumentCheck {
  return async (ctx) => {
    const { read } = ctx.tool;
    if (read?.kind === 'completion') return;
    if (read?.kind === 'resource') {
      const path = filePathOf(read.uri);
      if (path === undefined) return;
      const checked = await rules.check(ctx.tool, { path });
      refuseIfAny(checked.violations.map((v) => `the resource's file ${v.message} (${v.rule})`), checked.violations[0]?.rule);
      return;
    }
    const checked = await rules.check(ctx.tool, ctx.arguments);
    const schemaViolations = validator.violations(ctx.tool, checked.arguments);
    refuseIfAny([...checked.violations.map((v) => `${v.message} (${v.rule})`), ...schemaViolations], checked.violations[0]?.rule ?? 'inputSchema');
    ctx.arguments = checked.arguments;
  };
}

/** The local path a `file:` URI names; undefined for other schemes. */
function filePathOf(uri: string): string | undefined {
  if (!/^file:/i.test(uri)) return undefined;
  try {
    return fileURLToPath(uri);
  } catch (error) {
    throw new CallRefused(VALIDATE_STAGE, `invalid arguments: ${uri} is no local file URI (${(error as Error).message})`);
  }
}

function refuseIfAny(messages: readonly string[], rule: string | undefined): void {
  if (messages.length === 0) return;
  throw new CallRefused(VALIDATE_STAGE, `invalid arguments: ${messages.join('; ')}`, rule === undefined ? {} : { rule });
}

/** The validate stage: `check` (argumentCheck), its outcome recorded. */
export function validateStage(check: ArgumentCheck): CallStage {
  return {
    name: VALIDATE_STAGE,
    async handle(ctx, next) {
      await recorded(ctx, () => check(ctx), undefined);
      return next();
    },
  };
}

/**
 * The check again after a wait (for approval), so what was approved is what runs: a path swapped for a symlink during
 * the wait is refused, and so are arguments that would now be rewritten differently from the ones the approver saw.
 */
export async function recheckAfterWait(ctx: CallContext, check: ArgumentCheck): Promise<void> {
  const approved = canonicalJson(ctx.arguments);
  await recorded(ctx, async () => {
    await check(ctx);
    if (canonicalJson(ctx.arguments) !== approved) {
      throw new CallRefused(VALIDATE_STAGE, 'invalid arguments: a path resolves elsewhere than when the call was approved');
    }
  }, 'checked again after the wait for approval');
}

async function recorded(ctx: CallContext, run: () => Promise<void>, note: string | undefined): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CallRefused) ctx.decisions.push({ stage: VALIDATE_STAGE, outcome: 'deny', reason: note ? `${note}: ${error.reason}` : error.reason });
    throw error;
  }
  ctx.decisions.push({ stage: VALIDATE_STAGE, outcome: 'pass', ...(note && { reason: note }) });
}
