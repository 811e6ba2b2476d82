import { z } from 'zod';

/**
 * How a caller proved who it is: what tells apart the people and programs that share one principal (two OAuth
 * subjects mapped to `ops`, two tokens of `bob`). Never a secret: a token's id, never the token or its hash.
 * - `token` with `id`: a token of the token store (`toolscope token create`; the id `toolscope token list` shows);
 * - `token` with `config`: a hash in the config, by where it is (`principals.ops.tokenHashes[1]`);
 * - `oauth`: an OAuth access token, by its `sub` claim and the client it was issued to (`client_id`, else `azp`);
 * - `stdio`: a stdio session, whose principal the one who started `serve --as NAME` chose.
 * A schema too: approvers' credentials are kept with their answers in the shared state, and read back from it.
 */
export const credentialSchema = z.union([
  z.object({ kind: z.literal('token'), id: z.string() }).readonly(),
  z.object({ kind: z.literal('token'), config: z.string() }).readonly(),
  z.object({ kind: z.literal('oauth'), subject: z.string().optional(), clientId: z.string().optional() }).readonly(),
  z.object({ kind: z.literal('stdio') }).readonly(),
]);
export type Credential = z.infer<typeof credentialSchema>;

/** Who is calling. Policy (scopes, limits) is looked up by `name` in the stages that need it. */
export interface Principal {
  readonly name: string;
  /** Who minted the token it presented, when a console session did (`StoredToken.mintedBy`). */
  readonly mintedBy?: string;
  /**
   * How it authenticated, for the audit log: which token, which OAuth subject. Absent for the gateway's own local
   * principal (toolscope runs open, nobody authenticates).
   */
  readonly credential?: Credential;
}

/** A credential in a few words, for summaries and tables: `token 1a2b3c4d`, `oauth ci-agent (client ci)`. */
export function describeCredential(credential: Credential | undefined): string | undefined {
  if (!credential) return undefined;
  switch (credential.kind) {
    case 'token':
      return 'id' in credential ? `token ${credential.id}` : `token ${credential.config}`;
    case 'oauth': {
      const client = credential.clientId !== undefined && credential.clientId !== credential.subject ? ` (client ${credential.clientId})` : '';
      return `oauth ${credential.subject ?? '(no sub)'}${client}`;
    }
    case 'stdio':
      return 'stdio --as';
  }
}
