import type { Article, ImportIssue } from './article.ts';
import type { Attachment, CommandChannel, CommandUser, Platform } from './command.ts';
import type { CommandSyntax } from './syntax.ts';

/**
 * The registration service `/register`, `/unregister` and `/audit` talk to, found at
 * `ctx.services.registry`. Implemented in src/register/service.ts and wired by src/main.ts;
 * commands only see this interface. User mistakes come back as `{ ok: false, code, message }`
 * with a message fit to show (naming the bad value); real faults throw BotError.
 */
export interface Registry {
  /**
   * Fetches or reads the briefing, checks and parses it, and keeps it as a pending
   * registration (nothing is stored yet). The preview says what publishing would do.
   */
  prepare(source: RegistrationSource, actor: RegistryActor): Promise<RegistryResult<{ preview: RegistrationPreview }>>;
  /** Publishes a pending registration: a new stored revision (with who and when), live in the library at once. */
  publish(pendingId: string, actor: RegistryActor): Promise<RegistryResult<{ published: PublishedBriefing }>>;
  /** Drops a pending registration. */
  cancel(pendingId: string, actor: RegistryActor): Promise<RegistryResult<{ articleId: string; title: string }>>;
  /** Hides a registered briefing from the library; its revisions stay stored. */
  unregister(articleId: string, actor: RegistryActor): Promise<RegistryResult<{ articleId: string; title: string; revisions: number }>>;
  /**
   * Who did what, newest first. `visibleTo` keeps what one chat workspace (a Slack team, a
   * Discord guild) may see: its own entries (digests, installs) and every change to the
   * briefings, which all workspaces share; another workspace's own entries are left out.
   */
  audit(filter?: {
    target?: string;
    beforeId?: number;
    limit?: number;
    visibleTo?: { platform: Platform; workspaceId?: string };
  }): Promise<AuditRecord[]>;
  /** Ids of the registered briefings that are live, for autocomplete. */
  registeredIds(): string[];
  /**
   * A briefing that is not loaded because it was unregistered: who hid it and when (from the
   * audit log) and how many revisions are kept. Undefined when the id is live or was never
   * registered. Commands use it to say why an id no longer answers.
   */
  unregistered?(articleId: string): Promise<UnregisteredBriefing | undefined>;
}

/** What `Registry.unregistered` knows of a hidden briefing. */
export interface UnregisteredBriefing {
  articleId: string;
  title: string;
  revisions: number;
  /** When it was unregistered (ISO), if the audit log has it. */
  at?: string;
  /** Who unregistered it: their name, else their platform id. */
  by?: string;
  platform?: Platform;
}

/** Where a briefing to register comes from. */
export type RegistrationSource =
  | { kind: 'url'; url: string }
  /** A local file: only the terminal and CLI (the local operator) may name one. */
  | { kind: 'file'; path: string }
  /** An uploaded file; `download` fetches it with the platform's credentials when given. */
  | { kind: 'attachment'; attachment: Attachment; download?: (attachment: Attachment) => Promise<Uint8Array> }
  | { kind: 'text'; text: string; name?: string };

/** Who asks, and from where (recorded in revisions and the audit log). */
export interface RegistryActor {
  user: CommandUser;
  platform: Platform;
  channel?: CommandChannel;
  /** How the asker types commands, for messages that name one ("run /register again"). */
  syntax?: CommandSyntax;
}

export type RegistryResult<T> = ({ ok: true } & T) | { ok: false; code: string; message: string; errors?: ImportIssue[] };

/** What a pending registration would publish. */
export interface RegistrationPreview {
  /** Pass to `publish` or `cancel`. */
  pendingId: string;
  /** ISO time after which the pending registration is forgotten. */
  expiresAt: string;
  /** What was read, for messages: a file name or URL. */
  sourceLabel: string;
  format: Article['format'];
  article: Article;
  /** Every warning the importer raised, with its line. */
  warnings: ImportIssue[];
  /** `extracted` when the lines are those of the text extracted from an HTML page. */
  linesOf: 'file' | 'extracted';
  /** Set when publishing makes a new revision of a briefing already known. */
  existing?: ExistingBriefing;
}

export interface ExistingBriefing {
  articleId: string;
  title: string;
  /** Latest stored revision (0 for a briefing shipped in the content folder and never registered). */
  revision: number;
  origin: 'registered' | 'content';
  matchedBy: 'id' | 'title-author';
  /** True when the latest revision is unregistered (publishing restores it). */
  hidden: boolean;
  /** The same text as the latest revision. */
  identical: boolean;
  registeredAt?: string;
  registeredBy?: string;
}

export interface PublishedBriefing {
  articleId: string;
  title: string;
  revision: number;
  registeredAt: string;
  passages: number;
  sources: number;
  /** True when it replaced an earlier revision or a shipped briefing in the library. */
  replaced: boolean;
}

/** One line of the audit log as `/audit` shows it. */
export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  actorName?: string;
  platform?: Platform;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** The registry from a command's services, when the bot runs with one (it needs the data store). */
export function registryOf(services: Record<string, unknown>): Registry | undefined {
  const candidate = services.registry as Partial<Registry> | undefined;
  return candidate && typeof candidate.prepare === 'function' ? (candidate as Registry) : undefined;
}
