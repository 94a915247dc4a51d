import { z } from 'zod';

/**
 * Configuration from the environment. `loadConfig(env)` takes the environment as an argument
 * (tests pass an object), validates everything at once and reports every problem together,
 * each naming the variable to set.
 */

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const url = (name: string) =>
  optionalString.refine((v) => v === undefined || URL.canParse(v), { message: `${name} must be a URL such as http://127.0.0.1:4000/api` });

/**
 * A PostgreSQL connection URL. Messages say what is wrong with it (its scheme, a missing host)
 * but never repeat the whole value: it may hold a password.
 */
const DATABASE_URL_EXAMPLE = 'such as postgres://bot:password@db.example:5432/briefing (or empty for SQLite)';
const databaseUrl = optionalString.superRefine((v, ctx) => {
  if (v === undefined) return;
  const problem = !URL.canParse(v)
    ? 'is not a URL'
    : !['postgres:', 'postgresql:'].includes(new URL(v).protocol)
      ? `starts with "${new URL(v).protocol.slice(0, 40)}", not postgres: or postgresql:`
      : new URL(v).hostname === ''
        ? 'names no host'
        : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: `DATABASE_URL ${problem}: give a PostgreSQL URL ${DATABASE_URL_EXAMPLE}` });
});

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = optionalString.transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const LOCK_TIMEOUT = (issue: { input?: unknown }) =>
  `STORE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 0 to 600000, such as 10000 (got "${String(issue.input)}")`;

const envSchema = z.object({
  BRIEFING_CONTENT_DIR: z.string().default('./content'),
  BRIEFING_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_TIMEZONE: z
    .string()
    .default('Europe/Istanbul')
    .refine(isTimeZone, { message: 'DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Istanbul' }),

  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url('SLACK_API_URL'),
  SLACK_COMMAND_PREFIX: z.string().trim().default(''),
  SLACK_MODERATORS: list,
  SLACK_MODERATOR_GROUP: optionalString,
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_TOKEN_ENCRYPTION_KEY: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),

  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_API_URL: url('DISCORD_API_URL'),
  DISCORD_GUILD_ID: optionalString,
  DISCORD_MODERATOR_ROLE_ID: optionalString,
  // A public key is no secret: the bad value is named (cut short), e.g. the bot token pasted by mistake.
  DISCORD_PUBLIC_KEY: optionalString.refine((v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v), {
    error: (issue) => {
      const value = String(issue.input);
      return `DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters (Developer Portal, General Information); got "${value.length > 12 ? `${value.slice(0, 12)}…` : value}" (${value.length} characters)`;
    },
  }),
  DISCORD_GATEWAY: z.enum(['auto', 'on', 'off']).default('auto'),

  DIGEST_EMPTY: z.enum(['skip', 'post']).default('skip'),
  DIGEST_CATCHUP_HOURS: z.coerce.number().min(0).max(168).default(6),

  REGISTER_MAX_BYTES: z.coerce.number().int().min(1).default(1_048_576),
  REGISTER_URL_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REGISTER_ALLOW_PRIVATE_URLS: bool,

  SEARCH_WORKERS: z
    .string()
    .trim()
    .default('auto')
    .refine((v) => v === 'auto' || (/^\d{1,2}$/.test(v) && Number(v) <= 16), {
      message: 'SEARCH_WORKERS must be auto or a whole number from 0 (search on the main thread) to 16',
    })
    .transform((v): 'auto' | number => (v === 'auto' ? 'auto' : Number(v))),

  CONSOLE: z.enum(['auto', 'on', 'off']).default('auto'),

  STORE: z
    .enum(['on', 'off'], {
      error: (issue) =>
        `STORE must be on (the default) or off (run without the data store: no registration, no digests), got "${String(issue.input)}"`,
    })
    .default('on'),
  STORE_LOCK_TIMEOUT_MS: z
    .string()
    .trim()
    .default('10000')
    .refine((v) => /^\d{1,6}$/.test(v) && Number(v) <= 600_000, { error: LOCK_TIMEOUT })
    .transform(Number),
});

export type Env = z.output<typeof envSchema>;

/** One workspace with one bot token (HTTP or Socket Mode). */
export interface SlackTokenConfig {
  mode: 'http' | 'socket';
  botToken: string;
  signingSecret: string;
  appToken?: string;
}

/** Many workspaces through "Add to Slack" (OAuth): tokens come from the installations in the store. */
export interface SlackOAuthConfig {
  mode: 'oauth';
  signingSecret: string;
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth `state` parameter. */
  stateSecret: string;
  /** 32 bytes (AES-256-GCM) that encrypt the stored bot tokens. */
  tokenKey: Uint8Array;
}

export interface Config extends Env {
  slack?: SlackTokenConfig | SlackOAuthConfig;
  /**
   * `gateway`: open a gateway connection (DISCORD_GATEWAY; auto = unless a public key is set).
   * `publicKey`: serve interactions over HTTP at /discord/interactions.
   */
  discord?: { token: string; applicationId?: string; publicKey?: string; gateway: boolean };
  /** The terminal chat runs when no chat tokens are set (or CONSOLE=on). */
  console: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the configuration; throws one ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      problems.push(issue.message.includes(name) ? issue.message : `${name}: ${issue.message} (got "${env[name] ?? ''}")`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const slack = slackConfig(e, problems);
  let discord: Config['discord'];
  const gateway = e.DISCORD_GATEWAY === 'on' || (e.DISCORD_GATEWAY === 'auto' && !e.DISCORD_PUBLIC_KEY);
  if (e.DISCORD_TOKEN) {
    if (!gateway && !e.DISCORD_PUBLIC_KEY)
      problems.push(
        'DISCORD_GATEWAY=off needs DISCORD_PUBLIC_KEY: without the gateway, interactions only arrive at /discord/interactions (or set DISCORD_GATEWAY=auto)',
      );
    discord = {
      token: e.DISCORD_TOKEN,
      ...(e.DISCORD_APPLICATION_ID ? { applicationId: e.DISCORD_APPLICATION_ID } : {}),
      ...(e.DISCORD_PUBLIC_KEY ? { publicKey: e.DISCORD_PUBLIC_KEY.toLowerCase() } : {}),
      gateway,
    };
  } else if (e.DISCORD_APPLICATION_ID || e.DISCORD_GUILD_ID || e.DISCORD_PUBLIC_KEY)
    problems.push('DISCORD_TOKEN is missing: set the bot token to run the Discord client');
  if (problems.length) throw new ConfigError(problems);
  const console = e.CONSOLE === 'on' || (e.CONSOLE === 'auto' && !slack && !discord);
  return { ...e, ...(slack ? { slack } : {}), ...(discord ? { discord } : {}), console };
}

const OAUTH_VARS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_TOKEN_ENCRYPTION_KEY'] as const;
const TOKEN_KEY_FORMAT = `32 random bytes as 64 hex digits or base64 (44 characters), e.g. the output of: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`;

/**
 * `SLACK_TOKEN_ENCRYPTION_KEY` as 32 bytes: 64 hex digits or base64 (standard or URL-safe) of 32
 * bytes. Undefined for anything else.
 * @example parseTokenKey(randomBytes(32).toString('base64'))
 */
export function parseTokenKey(text: string): Uint8Array | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

/** Team-qualified ids (`T0123:U0456`) as OAuth mode needs them; names every entry that is not one. */
function teamQualified(name: string, entries: readonly string[], problems: string[]): void {
  const bad = entries.filter((entry) => !/^[TE][A-Z0-9]+:[A-Z0-9]+$/.test(entry));
  if (bad.length) {
    problems.push(
      `${name}: with many workspaces (SLACK_CLIENT_ID) each entry names its workspace, e.g. T0123ABCD:U0456EFGH; got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
}

/** Which Slack mode the variables ask for (none, one token, or OAuth), with every problem named. */
function slackConfig(e: Env, problems: string[]): Config['slack'] {
  const oauthSet = OAUTH_VARS.filter((name) => e[name] !== undefined);
  if (oauthSet.length > 0) {
    for (const name of OAUTH_VARS.filter((n) => e[n] === undefined)) {
      problems.push(
        `${name} is missing: OAuth mode (many workspaces) needs ${OAUTH_VARS.join(', ')} and SLACK_SIGNING_SECRET${name === 'SLACK_TOKEN_ENCRYPTION_KEY' ? `; the key encrypts the stored bot tokens: ${TOKEN_KEY_FORMAT}` : ''}`,
      );
    }
    if (!e.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET is missing: copy it from the Slack app\'s "Basic Information" page');
    if (e.SLACK_BOT_TOKEN) {
      problems.push(
        'SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID: set the bot token for one workspace, or the OAuth variables for many, not both',
      );
    }
    if (e.SLACK_APP_TOKEN) problems.push('SLACK_APP_TOKEN: Socket Mode serves one workspace; remove it to install through OAuth (HTTP)');
    const tokenKey = e.SLACK_TOKEN_ENCRYPTION_KEY === undefined ? undefined : parseTokenKey(e.SLACK_TOKEN_ENCRYPTION_KEY);
    if (e.SLACK_TOKEN_ENCRYPTION_KEY !== undefined && !tokenKey) {
      problems.push(`SLACK_TOKEN_ENCRYPTION_KEY must be ${TOKEN_KEY_FORMAT} (got ${e.SLACK_TOKEN_ENCRYPTION_KEY.length} characters)`);
    }
    teamQualified('SLACK_MODERATORS', e.SLACK_MODERATORS, problems);
    if (e.SLACK_MODERATOR_GROUP) {
      teamQualified(
        'SLACK_MODERATOR_GROUP',
        e.SLACK_MODERATOR_GROUP.split(',').map((s) => s.trim()),
        problems,
      );
    }
    if (!e.SLACK_CLIENT_ID || !e.SLACK_CLIENT_SECRET || !e.SLACK_STATE_SECRET || !tokenKey || !e.SLACK_SIGNING_SECRET) return undefined;
    return {
      mode: 'oauth',
      signingSecret: e.SLACK_SIGNING_SECRET,
      clientId: e.SLACK_CLIENT_ID,
      clientSecret: e.SLACK_CLIENT_SECRET,
      stateSecret: e.SLACK_STATE_SECRET,
      tokenKey,
    };
  }
  if (!(e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)) return undefined;
  if (!e.SLACK_BOT_TOKEN)
    problems.push(
      'SLACK_BOT_TOKEN is missing: set the bot token (xoxb-…) to run the Slack app in one workspace, or SLACK_CLIENT_ID and the other OAuth variables for many',
    );
  if (!e.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET is missing: copy it from the Slack app\'s "Basic Information" page');
  if (!e.SLACK_BOT_TOKEN || !e.SLACK_SIGNING_SECRET) return undefined;
  return {
    mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
  };
}
