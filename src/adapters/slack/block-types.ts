/** The few Block Kit shapes the renderer produces (a subset of Slack's `KnownBlock`). */

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  style?: 'primary' | 'danger';
}

export type SlackBlock =
  | { type: 'header'; block_id?: string; text: PlainText }
  | { type: 'section'; block_id?: string; text: MrkdwnText }
  | { type: 'context'; block_id?: string; elements: MrkdwnText[] }
  | { type: 'divider'; block_id?: string }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] };

/** One message: Block Kit plus the plain `text` Slack shows in notifications. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits, overridable in tests to exercise splitting with small replies. */
export interface SlackLimits {
  /** Characters in a section's text (Slack: 3,000). */
  sectionChars: number;
  /** Blocks in one message (Slack: 50). */
  blocks: number;
  /** JSON characters of all blocks in one message (Slack fails around 13,000). */
  messageChars: number;
}

export const SLACK_LIMITS: SlackLimits = { sectionChars: 3000, blocks: 50, messageChars: 12_000 };

/** Action ids the app registers handlers for. */
export const ACTION_SHARE = 'briefing_share';
export const ACTION_RUN_PREFIX = 'briefing_run_';
