import type { Attachment } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';

/**
 * Downloads a Slack-hosted file with a bot token: the one given per call (the workspace's own, in
 * OAuth mode) or the configured one. The token is only ever sent to Slack's own hosts (or the
 * configured API host, for a local fake), never to an arbitrary URL.
 */
export function slackDownloader(options: {
  token?: string | undefined;
  apiUrl: string;
  maxBytes: number;
  timeoutMs: number;
}): (attachment: Attachment, token?: string | undefined) => Promise<Uint8Array> {
  const apiOrigin = new URL(options.apiUrl).origin;
  return async (attachment, callToken) => {
    const token = callToken ?? options.token;
    if (!token) throw new BotError('slack-file-token', `"${attachment.name}" cannot be downloaded: no bot token for this workspace`);
    let url: URL;
    try {
      url = new URL(attachment.url);
    } catch {
      throw new BotError('slack-file-url', `"${attachment.name}" has no usable file URL`);
    }
    const slackHost = url.protocol === 'https:' && (url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com'));
    if (!slackHost && url.origin !== apiOrigin) {
      throw new BotError('slack-file-url', `"${attachment.name}" is not a Slack-hosted file (${url.hostname})`);
    }
    if (attachment.size !== undefined && attachment.size > options.maxBytes) {
      throw new BotError('file-too-large', `"${attachment.name}" is ${attachment.size} bytes; the limit is ${options.maxBytes}`);
    }
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok || !response.body) {
      throw new BotError('slack-file-download', `Slack answered ${response.status} for "${attachment.name}"`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        throw new BotError('file-too-large', `"${attachment.name}" is larger than the limit of ${options.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  };
}
