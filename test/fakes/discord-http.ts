import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/**
 * Discord's side of HTTP interactions: an Ed25519 key pair standing for the application's, and
 * signed POSTs of interaction payloads to the bot's Interactions Endpoint URL, as Discord sends
 * them (`X-Signature-Ed25519` over `X-Signature-Timestamp` + raw body).
 */

export class InteractionSigner {
  readonly #privateKey: KeyObject;
  /** The public key as the Developer Portal shows it (64 hex characters): DISCORD_PUBLIC_KEY. */
  readonly publicKeyHex: string;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
    this.publicKeyHex = Buffer.from(jwk.x, 'base64url').toString('hex');
  }

  /** Hex signature of `timestamp + body`. */
  sign(body: string | Buffer, timestamp: string): string {
    return sign(null, Buffer.concat([Buffer.from(timestamp), Buffer.isBuffer(body) ? body : Buffer.from(body)]), this.#privateKey).toString(
      'hex',
    );
  }

  /** The signature headers for `body`, stamped `timestamp` (default: now, in seconds). */
  headers(body: string | Buffer, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
    return { 'x-signature-ed25519': this.sign(body, timestamp), 'x-signature-timestamp': timestamp, 'content-type': 'application/json' };
  }
}

export interface EndpointAnswer {
  status: number;
  /** Parsed JSON, or the text when it is not JSON. */
  body: unknown;
}

/**
 * POSTs `payload` signed by `signer` to `url` and returns the response. `headers` replace the
 * signed ones (forged, missing or stale signatures).
 */
export async function postInteraction(
  url: string,
  payload: unknown,
  signer: InteractionSigner,
  options: { timestamp?: string; headers?: Record<string, string | undefined> } = {},
): Promise<EndpointAnswer> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...signer.headers(body, options.timestamp), ...options.headers })) {
    if (value !== undefined) headers[name] = value;
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
