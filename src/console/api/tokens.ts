import { z } from 'zod';
import type { Gateway } from '../../gateway.js';
import { issueToken, listTokens, TokenGrantError, type IssuedToken, type TokenListing } from '../../policy/auth/token-grants.js';
import type { HttpRoute } from '../../server/http.js';
import { HttpError } from '../../server/http-util.js';
import { auditAction, badRequest, consoleApi } from '../console-api.js';

const createBody = z.object({
  principal: z.string().min(1),
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});

const revokeBody = z.object({ id: z.string().min(1) });

export interface TokenView {
  readonly tokens: TokenListing[];
  /** Principals of the config: a token for one of them takes its rules from there. */
  readonly configPrincipals: Array<{ name: string; admin: boolean; allow: string[]; deny: string[] }>;
}

export interface CreatedToken {
  readonly id: string;
  readonly principal: string;
  /** Shown this once; toolscope keeps only its hash. */
  readonly token: string;
  /** Rules of the grant that apply to nothing (they name no configured server). */
  readonly warnings: readonly string[];
}

/**
 * `GET tokens`: stored tokens (ids, principals, rules; never the tokens) and the principals one can be made for;
 * `POST tokens` with `{"principal", "allow"?, "deny"?}` makes one and returns it, the only time it is shown;
 * `POST tokens/revoke` with `{"id"}`. The same code as `toolscope token create|list|revoke`, audited.
 */
export function tokenRoutes(gateway: Gateway): HttpRoute[] {
  const store = () => gateway.state.tokens;
  return [
    consoleApi(gateway, 'GET', 'tokens', async (): Promise<TokenView> => {
      const { principals } = gateway.loaded.config;
      return {
        tokens: await listTokens(store(), principals),
        configPrincipals: Object.entries(principals).map(([name, p]) => ({ name, admin: p.admin, allow: p.allow, deny: p.deny })),
      };
    }),
    consoleApi(gateway, 'POST', 'tokens', async ({ user, body }): Promise<CreatedToken> => {
      const parsed = createBody.safeParse(await body());
      if (!parsed.success) throw badRequest('expected {"principal": "<name>", "allow": ["<rule>", ...], "deny": ["<rule>", ...]}');
      const { config, path } = gateway.loaded;
      let created: IssuedToken;
      try {
        // The minter of the session's own token, if any, stays the minter: a chain of console tokens answers to its root.
        const grant = { ...parsed.data, mintedBy: user.mintedBy ?? user.name };
        created = await issueToken(store(), grant, { path, principals: config.principals, servers: config.servers }, { allow: '"allow"', deny: '"deny"' });
      } catch (error) {
        if (error instanceof TokenGrantError) throw badRequest(error.message);
        throw error;
      }
      await auditAction(gateway, user, 'token-create', { tokenId: created.id, forPrincipal: parsed.data.principal });
      return { id: created.id, principal: parsed.data.principal, token: created.token, warnings: created.warnings };
    }),
    consoleApi(gateway, 'POST', 'tokens/revoke', async ({ user, body }) => {
      const parsed = revokeBody.safeParse(await body());
      if (!parsed.success) throw badRequest('expected {"id": "<token id>"}');
      if (!(await store().revoke(parsed.data.id))) throw new HttpError(404, -32602, `no token with id ${parsed.data.id}`);
      await auditAction(gateway, user, 'token-revoke', { tokenId: parsed.data.id });
      return { id: parsed.data.id, revoked: true };
    }),
  ];
}
