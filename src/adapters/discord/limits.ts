import type { APIEmbed } from 'discord.js';

/**
 * Discord's message limits. Discord answers HTTP 400 when any is exceeded, and discord.js only
 * checks single fields, never counts or the 6,000 total: the renderer keeps to all of them and
 * `messageProblems` proves it.
 */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** Across every embed of one message: title, description, field names and values, footer, author. */
  embedTotal: 6000,
  buttonLabel: 80,
  customId: 100,
  buttonsPerRow: 5,
  rows: 5,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

/** One message as the adapter sends it (interaction reply, followup or channel post). */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components?: ActionRow[];
}

export interface Button {
  type: 2;
  style: 1 | 2;
  label: string;
  custom_id: string;
}

export interface ActionRow {
  type: 1;
  components: Button[];
}

/** The characters Discord counts toward the 6,000 total for one embed. */
export function embedLength(embed: APIEmbed): number {
  let n = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  n += (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const f of embed.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Every limit `message` breaks, as readable sentences (empty when it is valid). */
export function messageProblems(message: DiscordMessage): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number) => {
    if (length > max) problems.push(`${what} is ${length} characters (limit ${max})`);
  };
  over('content', message.content?.length ?? 0, LIMITS.content);
  if (!message.content && message.embeds.length === 0) problems.push('message has neither content nor embeds');
  if (message.embeds.length > LIMITS.embeds) problems.push(`${message.embeds.length} embeds (limit ${LIMITS.embeds})`);
  let total = 0;
  message.embeds.forEach((embed, i) => {
    over(`embed ${i} title`, embed.title?.length ?? 0, LIMITS.title);
    over(`embed ${i} description`, embed.description?.length ?? 0, LIMITS.description);
    over(`embed ${i} footer`, embed.footer?.text.length ?? 0, LIMITS.footer);
    const fields = embed.fields ?? [];
    if (fields.length > LIMITS.fields) problems.push(`embed ${i} has ${fields.length} fields (limit ${LIMITS.fields})`);
    fields.forEach((f, j) => {
      over(`embed ${i} field ${j} name`, f.name.length, LIMITS.fieldName);
      over(`embed ${i} field ${j} value`, f.value.length, LIMITS.fieldValue);
      if (!f.name || !f.value) problems.push(`embed ${i} field ${j} is empty`);
    });
    if (!embed.title && !embed.description && fields.length === 0) problems.push(`embed ${i} is empty`);
    total += embedLength(embed);
  });
  over('embeds in total', total, LIMITS.embedTotal);
  const rows = message.components ?? [];
  if (rows.length > LIMITS.rows) problems.push(`${rows.length} action rows (limit ${LIMITS.rows})`);
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.components.length > LIMITS.buttonsPerRow) problems.push(`${row.components.length} buttons in a row (limit 5)`);
    for (const b of row.components) {
      over('button label', b.label.length, LIMITS.buttonLabel);
      over('custom_id', b.custom_id.length, LIMITS.customId);
      if (ids.has(b.custom_id)) problems.push(`duplicate custom_id ${b.custom_id}`);
      ids.add(b.custom_id);
    }
  }
  return problems;
}
