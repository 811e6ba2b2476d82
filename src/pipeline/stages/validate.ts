import type { ArgumentRules } from '../../policy/rules/argument-rules.js';
import type { SchemaValidator } from '../../policy/rules/schema-validator.js';
import type { CallStage } from '../call-context.js';
import { CallRefused, VALIDATE_STAGE } from '../refusal.js';

/**
 * Applies the admin's argument rules (fixed values, allowed values, patterns, path roots, lengths, read-only SQL),
 * then checks the result against the tool's inputSchema. Every violation is listed; the call goes on only with none,
 * carrying the rewritten arguments.
 */
export function validateStage(validator: SchemaValidator, rules: ArgumentRules): CallStage {
  return {
    name: VALIDATE_STAGE,
    async handle(ctx, next) {
      if (ctx.tool.read?.kind === 'resource') {
        ctx.decisions.push({ stage: VALIDATE_STAGE, outcome: 'pass', reason: 'a resource read has no arguments' });
        return next();
      }
      const checked = await rules.check(ctx.tool, ctx.arguments);
      const schemaViolations = validator.violations(ctx.tool, checked.arguments);
      const messages = [...checked.violations.map((v) => `${v.message} (${v.rule})`), ...schemaViolations];
      if (messages.length > 0) {
        const reason = `invalid arguments: ${messages.join('; ')}`;
        ctx.decisions.push({ stage: VALIDATE_STAGE, outcome: 'deny', reason });
        throw new CallRefused(VALIDATE_STAGE, reason, { rule: checked.violations[0]?.rule ?? 'inputSchema' });
      }
      ctx.arguments = checked.arguments;
      ctx.decisions.push({ stage: VALIDATE_STAGE, outcome: 'pass' });
      return next();
    },
  };
}
