import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentDownloader } from '../../../src/adapters/discord/context.ts';
import { type FakeDiscord, startFakeDiscord } from '../../fakes/discord.ts';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord();
  fake.files.set('notes.txt', { body: 'x'.repeat(2_000), contentType: 'text/plain' });
});
afterAll(async () => fake?.close());

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('downloading an attachment from Discord', () => {
  const download = attachmentDownloader({ maxBytes: 1_000, timeoutMs: 5_000 });

  it('says in a few words why a file could not be fetched: the HTTP status, or the network error code', async () => {
    await expect(download({ name: 'gone.md', url: `${fake.baseUrl}/files/gone.md`, size: 10 })).rejects.toMatchObject({
      code: 'download-failed',
      message: "Discord's file server answered HTTP 404",
    });
    const port = await closedPort();
    await expect(download({ name: 'a.md', url: `http://127.0.0.1:${port}/a.md`, size: 10 })).rejects.toMatchObject({
      code: 'download-failed',
      message: "Discord's file server could not be reached (ECONNREFUSED)",
    });
  });

  it('refuses a file over the limit by its declared size, or once more bytes arrive than declared', async () => {
    await expect(download({ name: 'big.txt', url: `${fake.baseUrl}/files/notes.txt`, size: 5_000 })).rejects.toMatchObject({
      code: 'attachment-too-large',
      message: 'big.txt is 5,000 bytes; the limit is 1,000.',
    });
    await expect(download({ name: 'notes.txt', url: `${fake.baseUrl}/files/notes.txt`, size: 10 })).rejects.toMatchObject({
      code: 'attachment-too-large',
      message: 'notes.txt is larger than 1,000 bytes.',
    });
  });
});
