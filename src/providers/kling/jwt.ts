/**
 * Kling auth: an HS256 JWT `{iss: AK, exp: now+1800, nbf: now-5}` signed with the secret key.
 * Tokens are cached per access key by the owner of a `KlingTokenSigner` (one per provider
 * instance, never a module global) and re-signed shortly before they expire.
 */
import { createHmac } from 'node:crypto';

export const KLING_TOKEN_LIFETIME_S = 1800;
export const KLING_TOKEN_REFRESH_MARGIN_S = 60;
const NBF_BACKDATE_S = 5;

/** Signs one HS256 JWT. `nowSeconds` is Unix time in seconds. */
export function signKlingJwt(accessKey: string, secretKey: string, nowSeconds: number): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({
      iss: accessKey,
      exp: nowSeconds + KLING_TOKEN_LIFETIME_S,
      nbf: nowSeconds - NBF_BACKDATE_S,
    }),
  ).toString('base64url');
  const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export interface KlingTokenSigner {
  /** A cached token, or a freshly signed one when none is cached, it is near expiry, or `fresh`. */
  token(credentials: { accessKey: string; secretKey: string }, fresh?: boolean): string;
  /** How many tokens were signed so far (diagnostics and tests). */
  readonly signedCount: number;
}

export function createKlingTokenSigner(now: () => number = Date.now): KlingTokenSigner {
  const cache = new Map<string, { token: string; exp: number }>();
  let signedCount = 0;
  return {
    token({ accessKey, secretKey }, fresh = false) {
      const nowSeconds = Math.floor(now() / 1000);
      const cached = cache.get(accessKey);
      if (!fresh && cached && cached.exp - KLING_TOKEN_REFRESH_MARGIN_S > nowSeconds) return cached.token;
      const token = signKlingJwt(accessKey, secretKey, nowSeconds);
      signedCount += 1;
      cache.set(accessKey, { token, exp: nowSeconds + KLING_TOKEN_LIFETIME_S });
      return token;
    },
    get signedCount() {
      return signedCount;
    },
  };
}
