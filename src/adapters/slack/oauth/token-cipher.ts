import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BotError } from '../../../core/errors.ts';

/**
 * Seals installation records (which hold bot tokens) before they reach the store: AES-256-GCM
 * with a fresh 12-byte nonce per record. The record's store key is bound as additional
 * authenticated data, so a sealed record copied onto another workspace's row does not open.
 *
 * Sealed text: `v1.<nonce>.<tag>.<ciphertext>`, each part base64url.
 */

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipher {
  readonly #key: Buffer;

  /** `key`: 32 bytes (see `parseTokenKey` in src/config.ts). */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new BotError('slack-token-key', `TokenCipher: the key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  /**
   * Encrypts `plain`, bound to `context` (e.g. the installation's store key).
   * @example cipher.open(cipher.seal('xoxb-…', 'T:-:T123'), 'T:-:T123') // 'xoxb-…'
   */
  seal(plain: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * Decrypts what `seal` produced with the same key and context. Throws a BotError
   * (`slack-token-sealed`) when the text is not sealed, was altered, belongs to another context,
   * or was sealed with another key.
   */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new BotError('slack-token-sealed', `a stored Slack installation (${context}) is not in the sealed ${VERSION} format`);
    }
    const [, nonce, tag, body] = parts as [string, string, string, string];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new BotError(
        'slack-token-sealed',
        `a stored Slack installation (${context}) does not decrypt with SLACK_TOKEN_ENCRYPTION_KEY: the key changed or the record was altered`,
        { cause },
      );
    }
  }
}
