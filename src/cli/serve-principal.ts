import type { Gateway } from '../gateway.js';
import type { Principal } from '../policy/auth/principal.js';

/**
 * Who a `serve` session on stdio acts as. With principals configured, `--as NAME` is required and must name one
 * (stdio has no token: whoever starts the process chooses); without principals toolscope runs open as `local`.
 */
export async function stdioPrincipal(gateway: Gateway, as: string | undefined): Promise<Principal> {
  const enforced = await gateway.policy.principals.enforced();
  if (!enforced) {
    if (as !== undefined) throw new Error(`--as ${as}: no principals are configured (add a "principals" section or a token)`);
    return gateway.principal;
  }
  if (as === undefined) throw new Error('principals are configured: choose who this stdio session acts as with --as NAME');
  if (!gateway.policy.principals.get(as)) throw new Error(`--as ${as}: no principal of that name in the config or token store`);
  return { name: as, credential: { kind: 'stdio' } };
}
