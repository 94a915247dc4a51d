import type { ChannelSender } from '../core/channel.ts';
import type { OkReply, Reply } from '../core/reply.ts';
import type { CommandSyntax } from '../core/syntax.ts';

/** The terminal chat as a channel of its own: platform `console`, channel id `terminal`. */
export const TERMINAL_CHANNEL = { platform: 'console', id: 'terminal', name: 'terminal' } as const;

/**
 * Posts digests into the terminal by writing the rendered reply to a stream (the chat's output).
 * `render` is the console adapter's `renderText`.
 */
export function createConsoleSender(options: {
  output: NodeJS.WritableStream;
  render: (reply: Reply) => string;
  syntax?: CommandSyntax;
}): ChannelSender {
  let n = 0;
  return {
    platform: 'console',
    ...(options.syntax ? { syntax: options.syntax } : {}),
    async send(_channelId: string, reply: OkReply) {
      const text = options.render(reply);
      await new Promise<void>((resolve, reject) => {
        options.output.write(`\n${text}\n`, (err) => (err ? reject(err) : resolve()));
      });
      n += 1;
      return { messageIds: [`terminal-${n}`] };
    },
  };
}
