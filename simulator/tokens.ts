// Issued tokens and their age. A token is an opaque random string, sent back raw in the
// authorization header.

import { randomBytes } from 'node:crypto';

export type TokenCheck = 'valid' | 'missing' | 'unknown' | 'expired';

export class TokenStore {
  private readonly issued = new Map<string, number>();
  private readonly ttlMs: number;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  issue(): string {
    this.forgetExpired();
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, Date.now());
    return token;
  }

  /** Every token issued and not yet forgotten: tests look for them where they must never appear. */
  list(): string[] {
    return [...this.issued.keys()];
  }

  check(token: string | undefined): TokenCheck {
    if (token === undefined || token === '') return 'missing';
    const issuedAt = this.issued.get(token);
    if (issuedAt === undefined) return 'unknown';
    return Date.now() - issuedAt > this.ttlMs ? 'expired' : 'valid';
  }

  // Expired tokens are kept for one more lifetime so a late request hears "expired", not "unknown".
  private forgetExpired(): void {
    const cutoff = Date.now() - 2 * this.ttlMs;
    for (const [token, issuedAt] of this.issued) {
      if (issuedAt < cutoff) this.issued.delete(token);
    }
  }
}
