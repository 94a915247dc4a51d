import { describe, expect, it } from 'vitest';
import { checkSignature, discordPublicKey } from '../../../src/adapters/discord/signature.ts';
import { InteractionSigner } from '../../fakes/discord-http.ts';

const NOW_MS = Date.parse('2025-06-01T09:00:00Z');
const ts = (offsetS: number) => String(NOW_MS / 1000 + offsetS);

describe('Discord request signatures', () => {
  const signer = new InteractionSigner();
  const key = discordPublicKey(signer.publicKeyHex);
  const body = Buffer.from('{"type":1}');
  const check = (signature: string | undefined, timestamp: string | undefined, signed = body) =>
    checkSignature(key, { signature, timestamp }, signed, NOW_MS);

  it('accepts a signature over timestamp + body within five minutes either way', () => {
    for (const offset of [0, -300, 300]) expect(check(signer.sign(body, ts(offset)), ts(offset))).toEqual({ ok: true });
  });

  it('names why a request is refused', () => {
    expect(check(undefined, ts(0))).toEqual({ ok: false, reason: 'missing X-Signature-Ed25519 or X-Signature-Timestamp' });
    expect(check('abc', ts(0))).toEqual({ ok: false, reason: 'malformed signature' });
    expect(check(signer.sign(body, 'soon'), 'soon')).toEqual({ ok: false, reason: 'malformed timestamp "soon"' });
    expect(check(signer.sign(body, ts(0)), ts(1))).toEqual({ ok: false, reason: 'bad signature' });
    expect(check(signer.sign(body, ts(0)), ts(0), Buffer.from('{"type":2}'))).toEqual({ ok: false, reason: 'bad signature' });
    expect(check(new InteractionSigner().sign(body, ts(0)), ts(0))).toEqual({ ok: false, reason: 'bad signature' });
    expect(check(signer.sign(body, ts(-301)), ts(-301))).toEqual({ ok: false, reason: `timestamp ${ts(-301)} is 301 s old` });
    expect(check(signer.sign(body, ts(3600)), ts(3600))).toEqual({ ok: false, reason: `timestamp ${ts(3600)} is 3600 s in the future` });
  });

  it('refuses a public key that is not 64 hex characters, naming it', () => {
    expect(() => discordPublicKey('not-a-key')).toThrow(
      'DISCORD_PUBLIC_KEY "not-a-key" is not a public key: expected 64 hexadecimal characters',
    );
  });
});
