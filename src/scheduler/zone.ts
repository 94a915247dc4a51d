/**
 * Wall-clock time in IANA zones with the platform's Intl data (no dependencies).
 *
 * DST rule (the same as RFC 5545 and Temporal's "compatible" disambiguation):
 * - a wall time that does not exist that day (spring forward) is moved forward by the length of
 *   the gap: 02:30 on the day Berlin jumps from 02:00 to 03:00 becomes 03:30 CEST;
 * - a wall time that happens twice (fall back) means its first occurrence only.
 */

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The canonical IANA name (`europe/istanbul` → `Europe/Istanbul`), or undefined when unknown. */
export function canonicalTimeZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The wall-clock time of an instant in a zone (seconds dropped). */
export function wallTime(instant: Date | number, zone: string): WallTime {
  const parts = formatter(zone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The zone's offset from UTC in minutes at an instant (Berlin in summer: 120). */
export function offsetMinutes(instant: number, zone: string): number {
  const w = wallTime(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

function sameWall(a: WallTime, b: WallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/** The instant a wall-clock time stands for in a zone, by the DST rule above. */
export function instantOf(wall: WallTime, zone: string): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetMinutes(guess - 86_400_000, zone);
  const after = offsetMinutes(guess + 86_400_000, zone);
  const offsets = before === after ? [before] : [before, after];
  const valid = offsets.map((o) => guess - o * 60_000).filter((t) => sameWall(wallTime(t, zone), wall));
  if (valid.length) return Math.min(...valid);
  // In a gap: keep the offset in force before the jump, which lands after it by the gap's length.
  return guess - before * 60_000;
}

/** Days since the epoch of a calendar date (for walking dates without time zones). */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** The calendar date of a day number, with its weekday (0 = Sunday). */
export function dateOfDay(n: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(n * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Formats an instant for people: `Mon 2 Jun 2025, 09:00 (Europe/Istanbul)`.
 * @example formatInstant(new Date('2025-06-02T06:00:00Z'), 'UTC') // 'Mon 2 Jun 2025, 06:00 UTC'
 */
export function formatInstant(instant: Date | number, zone: string): string {
  let f = displayFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    displayFormatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  const text = `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
  return zone === 'UTC' ? `${text} UTC` : `${text} (${zone})`;
}
