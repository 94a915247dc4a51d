import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../../logger.ts';
import { startRestProxy } from './rest-proxy.ts';

/**
 * `npm run discord:proxy [-- --port 8080 --host 0.0.0.0 --api https://discord.com/api]`: the one
 * REST proxy all replicas send their Discord calls through, so together they keep to the bot
 * token's rate limits. Point every replica's DISCORD_API_URL at the address it prints.
 */

const USAGE = 'Usage: npm run discord:proxy -- [--port 8080] [--host 0.0.0.0] [--api https://discord.com/api]';

/** Parses the arguments; a string is the error to print. */
export function proxyArgs(argv: string[]): { port: number; host: string; api?: string } | string {
  let values: { port?: string; host?: string; api?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, api: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    return `${(error as Error).message}\n${USAGE}`;
  }
  if (values.help) return USAGE;
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `--port "${values.port}" is not a port: give a number from 0 to 65535, such as 8080`;
  if (values.api !== undefined && !URL.canParse(values.api))
    return `--api "${values.api}" is not a URL: the default is https://discord.com/api`;
  return { port, host: values.host ?? '0.0.0.0', ...(values.api ? { api: values.api } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = proxyArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exit(args === USAGE ? 0 : 2);
  }
  const logger = createLogger('info');
  const proxy = await startRestProxy({ port: args.port, host: args.host, logger, ...(args.api ? { upstream: args.api } : {}) });
  logger.info({ port: proxy.port, upstream: args.api ?? 'https://discord.com/api' }, 'discord REST proxy listening');
  process.stdout.write(
    `Discord REST proxy on port ${proxy.port}: set DISCORD_API_URL=http://<this host>:${proxy.port}/api on every replica; rate-limit waits at GET /metrics\n`,
  );
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
