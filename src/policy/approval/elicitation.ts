import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ClientChannel } from '../../pipeline/call-context.js';
import { errorMessage } from '../../error-message.js';

const SDK_TIMEOUT_MARGIN_MS = 1000;

export type ElicitAnswer = { readonly approved: boolean; readonly by: string } | { readonly failed: string };

/** The form shown to the person at the client: one yes/no field. */
export function approvalForm(message: string): ElicitRequest['params'] {
  return {
    message,
    requestedSchema: {
      type: 'object',
      properties: { approve: { type: 'boolean', title: 'Approve this call', description: 'Let toolscope forward this call' } },
      required: ['approve'],
    },
  };
}

/**
 * Asks the person at a client (`who` names them in the decision, e.g. `client:ops`). Accept with `approve: true` approves; accept with false, decline and cancel deny;
 * no answer before `timeoutMs` denies. An elicitation that fails (client error) is reported, not decided.
 */
export async function askByElicitation(
  elicit: NonNullable<ClientChannel['elicit']>,
  message: string,
  timeoutMs: number,
  who: string,
): Promise<ElicitAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ElicitAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ approved: false, by: 'timeout' }), timeoutMs);
  });
  // The SDK's request timeout is set past ours, so an unanswered form ends as "timeout", not as a failed request.
  const asked = elicit(approvalForm(message), { timeoutMs: timeoutMs + SDK_TIMEOUT_MARGIN_MS }).then(
    (result): ElicitAnswer => {
      const approved = result.action === 'accept' && result.content?.approve === true;
      // A form sent back with `approve` unticked is accepted, yet denies: said so, not "denied by … (accept)".
      const answer = result.action === 'accept' && !approved ? 'accept, approve: false' : result.action;
      return { approved, by: `${who} (${answer})` };
    },
    (error: unknown): ElicitAnswer => ({ failed: errorMessage(error) }),
  );
  try {
    return await Promise.race([asked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
