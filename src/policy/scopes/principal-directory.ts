/** A principal's scope rules, wherever they were written. */
export interface PrincipalRules {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly admin: boolean;
  /** Relay rules: which server requests (sampling, elicitation, roots) may reach this principal's client. */
  readonly relay: readonly string[];
  /** May answer other principals' approvals over `/v1/approvals` (admins may too). */
  readonly approver: boolean;
  /** Where these rules live, for refusal messages: `principals.reader` or `state tokens.json principals.ci`. */
  readonly source: string;
}

/** Looks principals up by name: the config's `principals` first, then those `toolscope token create --scopes` made. */
export interface PrincipalDirectory {
  get(name: string): PrincipalRules | undefined;
  /** False when no principal exists anywhere: toolscope then runs open, loopback only (open mode). */
  readonly hasPrincipals: boolean;
}
