import cronstrue from 'cronstrue';
import { type CronSpec, nextSlot, parseCronSpec } from './cron.ts';
import { canonicalTimeZone } from './zone.ts';

/** A schedule as typed after `/digest subscribe`, understood. */
export interface ParsedSchedule {
  /** Normalised: `daily 09:00`, `weekdays 08:30`, `weekly mon 09:00`, or the cron expression. */
  schedule: string;
  spec: CronSpec;
  timeZone: string;
}

export type ScheduleParse =
  | { ok: true; value: ParsedSchedule }
  | { ok: false; code: 'invalid-schedule' | 'invalid-timezone'; message: string };

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const EXAMPLES = 'daily 09:00, weekdays 08:30, weekly mon 09:00, or a 5-field cron expression such as "30 8 * * 1-5"';
const ZONE_EXAMPLE = 'an IANA time zone such as Europe/Istanbul, America/New_York or UTC';

function parseTime(text: string): { hour: number; minute: number } | undefined {
  const m = /^([01]?\d|2[0-3])[:.h]([0-5]\d)$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `mon`, `Monday`, `tues` → 1. */
function parseWeekday(text: string): number | undefined {
  const t = text.toLowerCase();
  const i = t.length >= 3 ? DAY_NAMES.findIndex((name) => name.startsWith(t)) : -1;
  return i === -1 ? undefined : i;
}

/** Looks like a zone name rather than a cron field: `Europe/Istanbul`, `UTC`, `Etc/GMT+3`. */
function looksLikeZone(word: string): boolean {
  return /^[A-Za-z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(word) || /^(utc|gmt|z)$/i.test(word);
}

const pad = (n: number) => String(n).padStart(2, '0');

function parseWhen(words: string[]): { schedule: string; cron: string } | { error: string } {
  const [kind, ...rest] = words;
  const lower = kind?.toLowerCase();
  const time = rest.at(-1);
  if (lower === 'daily' || lower === 'weekdays') {
    const t = rest.length === 1 && time ? parseTime(time) : undefined;
    if (!t) return { error: `"${words.join(' ')}": give the time as HH:MM, e.g. ${lower} 09:00` };
    return { schedule: `${lower} ${pad(t.hour)}:${pad(t.minute)}`, cron: `${t.minute} ${t.hour} * * ${lower === 'daily' ? '*' : '1-5'}` };
  }
  if (lower === 'weekly') {
    const day = rest.length === 2 ? parseWeekday(rest[0] as string) : undefined;
    const t = rest.length === 2 && time ? parseTime(time) : undefined;
    if (day === undefined || !t) return { error: `"${words.join(' ')}": give a weekday and a time, e.g. weekly mon 09:00` };
    return { schedule: `weekly ${WEEKDAYS[day]} ${pad(t.hour)}:${pad(t.minute)}`, cron: `${t.minute} ${t.hour} * * ${day}` };
  }
  if (words.length === 5) return { schedule: words.join(' '), cron: words.join(' ') };
  return { error: `"${words.join(' ')}" is not a schedule` };
}

/**
 * Parses `<when> [time zone]`. The zone may also be given separately (Discord's option); without
 * one, `defaultZone` applies.
 *
 * @example parseSchedule('daily 09:00 Europe/Istanbul', undefined, 'UTC') // { ok: true, value: { schedule: 'daily 09:00', … } }
 */
export function parseSchedule(when: string, zone: string | undefined, defaultZone: string, now: Date = new Date()): ScheduleParse {
  // Slack shows the `*` of our replies as ∗ (see src/adapters/slack/escape.ts): a schedule copied
  // from /digest status comes back that way.
  const words = when
    .replace(/["“”]/g, ' ')
    .replace(/\u2217/g, '*')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  let zoneText = zone?.trim() || undefined;
  const last = words.at(-1);
  if (!zoneText && words.length > 1 && last && looksLikeZone(last)) {
    zoneText = last;
    words.pop();
  }
  if (!words.length) return { ok: false, code: 'invalid-schedule', message: `Say when to post: ${EXAMPLES}.` };
  const timeZone = zoneText ? canonicalTimeZone(/^z$/i.test(zoneText) ? 'UTC' : zoneText) : defaultZone;
  if (!timeZone) {
    return {
      ok: false,
      code: 'invalid-timezone',
      message: `"${zoneText}" is not a time zone I know. Use ${ZONE_EXAMPLE}.`,
    };
  }
  const parsed = parseWhen(words);
  if ('error' in parsed) return { ok: false, code: 'invalid-schedule', message: `${parsed.error}. Use ${EXAMPLES}.` };
  const cron = parseCronSpec(parsed.cron);
  if (!cron.ok) return { ok: false, code: 'invalid-schedule', message: `${cron.message}. Use ${EXAMPLES}.` };
  if (!nextSlot(cron.spec, timeZone, now))
    return { ok: false, code: 'invalid-schedule', message: `"${cron.spec.expression}" never runs. Use ${EXAMPLES}.` };
  return { ok: true, value: { schedule: parsed.schedule.replace(parsed.cron, cron.spec.expression), spec: cron.spec, timeZone } };
}

/** The schedule in words: `At 09:00, Monday through Friday`. */
export function describeCron(expression: string): string {
  try {
    return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: true });
  } catch {
    return expression;
  }
}
