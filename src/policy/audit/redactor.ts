export const REDACTED = '[redacted]';

/** Shapes of well-known credentials, redacted wherever they appear in a string. */
const KEY_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\btsk_[A-Za-z0-9_-]{20,}/g, // toolscope's own bearer tokens
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /(?<=aws_secret_access_key["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
  /\bgh[pousr]_[A-Za-z0-9]{36,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g, // OpenAI / Anthropic style API keys
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWTs
  /(?<=\bBasic\s+)[A-Za-z0-9+/]{8,}={0,2}/gi, // HTTP Basic credentials
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s@/?#]+(?=@)/gi, // the password of user:password@host in a URL
  /(?<=\s-u\s+[^\s:]+:)\S+/g, // curl -u user:password
  // KEY=value and "key": "value" where the key names a secret (env assignments, query strings, JSON inside a string)
  /(?<=\b[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi,
];

/**
 * Object keys (compared without case, digits and separators) whose values, whatever their type, are credentials:
 * `password`, `apiKeys`, `access_key`, `secrets`, `client_secret`, ... Plural forms count, except for `token`,
 * whose plural is a count (`max_tokens`).
 */
const SECRET_KEY_NAME =
  /(password|passwd|passphrase|secret|apikey|accesskey|secretkey|privatekey|credential|cookie)s?$|(token|authori[sz]ation)$|^(pass|pwd|auth)$/;

export const isSecretKeyName = (key: string) => SECRET_KEY_NAME.test(key.toLowerCase().replace(/[^a-z]/g, ''));

/** Secret values shorter than this are not searched for: replacing every "ab" in a record would hide the record. */
const MIN_SECRET_LENGTH = 4;

/**
 * Masks secrets in anything written to the audit log or shown to an approver: the configured `${env:…}` values,
 * extra admin patterns, bearer tokens and common key formats, and values under secret-sounding keys.
 */
export class Redactor {
  private patterns: readonly RegExp[] = [];
  /** The configured secret values alone: what no client may see, not even an approver's. */
  private configured: RegExp | undefined;
  private extra: readonly RegExp[] = [];

  constructor(secretValues: readonly string[] = [], extraPatterns: readonly string[] = []) {
    this.setExtraPatterns(extraPatterns);
    this.setConfiguredSecrets(secretValues);
  }

  /** The admin's `audit.redactPatterns`, replaced when an edit of the config changes them while serving. */
  setExtraPatterns(sources: readonly string[]): void {
    this.extra = sources.map((source) => new RegExp(source, 'gu'));
    this.combine();
  }

  /** The configured `${env:…}` values, replaced when an edit of the config adds or changes servers while serving. */
  setConfiguredSecrets(secretValues: readonly string[]): void {
    const literals = [...new Set(secretValues)]
      .filter((value) => value.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    this.configured = literals.length > 0 ? new RegExp(literals.join('|'), 'g') : undefined;
    this.combine();
  }

  private combine(): void {
    this.patterns = [...(this.configured ? [this.configured] : []), ...KEY_PATTERNS, ...this.extra];
  }

  redactString(text: string): string {
    return this.patterns.reduce((current, pattern) => current.replace(pattern, REDACTED), text);
  }

  /**
   * A deep copy of `value` with only toolscope's own configured secrets masked: for an approver, who must see what
   * the caller sent (keys, tokens and passwords included) to know what they approve.
   */
  maskConfigured(value: unknown): unknown {
    const configured = this.configured;
    if (!configured) return value;
    const mask = (item: unknown): unknown => {
      if (typeof item === 'string') return item.replace(configured, REDACTED);
      if (Array.isArray(item)) return item.map(mask);
      if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [mask(key), mask(inner)]));
      return item;
    };
    return mask(value);
  }

  /** A deep copy of `value` with every secret masked. */
  redact(value: unknown): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (Array.isArray(value)) return value.map((item) => this.redact(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          this.redactString(key),
          isSecretKeyName(key) && item !== null && item !== undefined && item !== '' ? REDACTED : this.redact(item),
        ]),
      );
    }
    return value;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
