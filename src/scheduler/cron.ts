import { parse as parseCron, validate as validateCron } from 'node-cron';
import { dateOfDay, dayNumber, instantOf, offsetMinutes, wallTime } from './zone.ts';

/**
 * A parsed 5-field cron expression (minute hour day-of-month month day-of-week) and the slots
 * it produces in a time zone. node-cron triggers the live runs, but it cannot list past slots
 * (catch-up) and its DST handling is not ours, so slots are enumerated here; the DST rule is
 * in zone.ts.
 *
 * Day matching follows POSIX cron: when both day-of-month and day-of-week are restricted, a
 * day matches if either does (`0 9 1 * mon` is the 1st and every Monday).
 */
export interface CronSpec {
  expression: string;
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

export type CronParse = { ok: true; spec: CronSpec } | { ok: false; message: string };

/** Parses a 5-field expression; names (`mon`, `jan`), ranges, lists and steps are allowed. */
export function parseCronSpec(expression: string): CronParse {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `a cron expression has 5 fields (minute hour day month weekday); "${expression.trim()}" has ${fields.length}`,
    };
  }
  const normalized = fields.join(' ');
  if (!validateCron(normalized)) return { ok: false, message: `"${normalized}" is not a valid cron expression` };
  const parsed = parseCron(normalized);
  const numeric = (values: (number | string)[]) => values.every((v) => typeof v === 'number');
  if (!numeric(parsed.dayOfMonth) || !numeric(parsed.dayOfWeek)) {
    return { ok: false, message: `"${normalized}" uses L, W or # day tokens, which digests do not support` };
  }
  const wild = (field: string) => field.startsWith('*') || field === '?';
  return {
    ok: true,
    spec: {
      expression: normalized,
      minutes: [...parsed.minute].sort((a, b) => a - b),
      hours: [...parsed.hour].sort((a, b) => a - b),
      days: new Set(parsed.dayOfMonth as number[]),
      months: new Set(parsed.month),
      weekdays: new Set((parsed.dayOfWeek as number[]).map((d) => d % 7)),
      anyDay: wild(fields[2] as string),
      anyWeekday: wild(fields[4] as string),
    },
  };
}

function dayMatches(spec: CronSpec, day: ReturnType<typeof dateOfDay>): boolean {
  if (!spec.months.has(day.month)) return false;
  const dom = spec.days.has(day.day);
  const dow = spec.weekdays.has(day.weekday);
  if (spec.anyDay || spec.anyWeekday) return dom && dow;
  return dom || dow;
}

/** The instants of one calendar day's slots, ascending. */
function slotsOnDay(spec: CronSpec, zone: string, n: number): number[] {
  const day = dateOfDay(n);
  if (!dayMatches(spec, day)) return [];
  const out: number[] = [];
  const midnight = Date.UTC(day.year, day.month - 1, day.day);
  // Offsets span -12 h..+14 h, so these two samples bracket the whole local day: when they agree
  // there is no transition that day and every wall time maps directly.
  const offset = offsetMinutes(midnight - 15 * 3_600_000, zone);
  const steady = offset === offsetMinutes(midnight + 39 * 3_600_000, zone);
  for (const hour of spec.hours) {
    for (const minute of spec.minutes) {
      out.push(
        steady
          ? midnight + (hour * 60 + minute - offset) * 60_000
          : instantOf({ year: day.year, month: day.month, day: day.day, hour, minute }, zone),
      );
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The slots after `after` (exclusive) up to `until` (inclusive), ascending and without
 * duplicates (a time moved out of a DST gap can meet a real one). Stops after `limit`.
 */
export function slotsBetween(spec: CronSpec, zone: string, after: Date, until: Date, limit = Number.POSITIVE_INFINITY): Date[] {
  const from = after.getTime();
  const to = until.getTime();
  if (to <= from) return [];
  const start = wallTime(from, zone);
  const end = wallTime(to, zone);
  const out: Date[] = [];
  let last = Number.NEGATIVE_INFINITY;
  // One day either side: a moved or repeated wall time can land on a neighbouring UTC date.
  for (let n = dayNumber(start.year, start.month, start.day) - 1; n <= dayNumber(end.year, end.month, end.day) + 1; n++) {
    for (const t of slotsOnDay(spec, zone, n)) {
      if (t <= from || t > to || t <= last) continue;
      out.push(new Date(t));
      last = t;
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The first slot strictly after `after`, looking ahead up to `years` (undefined when none, e.g. `0 9 30 2 *`). */
export function nextSlot(spec: CronSpec, zone: string, after: Date, years = 8): Date | undefined {
  const from = after.getTime();
  const start = wallTime(from, zone);
  const first = dayNumber(start.year, start.month, start.day) - 1;
  for (let n = first; n <= first + years * 366; n++) {
    for (const t of slotsOnDay(spec, zone, n)) if (t > from) return new Date(t);
  }
  return undefined;
}
