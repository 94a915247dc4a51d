import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { BotError } from '../../core/errors.ts';

/**
 * Discord signs every interaction it POSTs to the Interactions Endpoint URL with the
 * application's Ed25519 key: `X-Signature-Ed25519` (hex) over `X-Signature-Timestamp` followed
 * by the raw body. Discord probes the endpoint with bad signatures on purpose and removes an
 * endpoint that accepts them.
 */

/** DER prefix that turns 32 raw Ed25519 public key bytes into a SubjectPublicKeyInfo. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** How far a request's timestamp may be from now, either way (as Slack's signatures are checked). */
export const SIGNATURE_TOLERANCE_S = 300;

/** The application's public key (64 hex characters, as the Developer Portal shows it) as a key object. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new BotError(
      'discord-public-key',
      `DISCORD_PUBLIC_KEY "${hex.slice(0, 80)}" is not a public key: expected 64 hexadecimal characters (Developer Portal, General Information).`,
    );
  }
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks a request's signature and that its timestamp is within `toleranceS` of `nowMs` in
 * either direction (a correctly signed request stamped far in the future is refused too).
 */
export function checkSignature(
  key: KeyObject,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  nowMs: number,
  toleranceS = SIGNATURE_TOLERANCE_S,
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return { ok: false, reason: 'missing X-Signature-Ed25519 or X-Signature-Timestamp' };
  if (!/^[0-9a-fA-F]{128}$/.test(signature)) return { ok: false, reason: 'malformed signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `malformed timestamp "${timestamp.slice(0, 40)}"` };
  const signed = verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'hex'));
  if (!signed) return { ok: false, reason: 'bad signature' };
  const skewS = Number(timestamp) - nowMs / 1000;
  if (skewS < -toleranceS) return { ok: false, reason: `timestamp ${timestamp} is ${Math.round(-skewS)} s old` };
  if (skewS > toleranceS) return { ok: false, reason: `timestamp ${timestamp} is ${Math.round(skewS)} s in the future` };
  return { ok: true };
}
