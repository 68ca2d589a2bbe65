import { z } from 'zod';

/** The platform's day-off codes (`WORKTIME_DAYOFF`), Monday first. */
export const dayCodes = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type DayCode = (typeof dayCodes)[number];

/**
 * A line's working hours, as `imopenlines.config.get` gives them (`WORKTIME_*`) or as written in
 * code. Times of day are `'9'`, `'18.30'` (the platform's form: hours, then minutes after the
 * dot) or `'18:30'`; both ends are inclusive, as on the platform.
 */
export interface WorkingHours {
  /** `false`: the line works around the clock (`WORKTIME_ENABLE` `N`). */
  readonly enabled: boolean;
  readonly from: string;
  readonly to: string;
  /** An IANA zone such as `'Europe/Kaliningrad'`; the engine's own zone (UTC) when left out. */
  readonly timeZone?: string;
  /** Weekdays off. */
  readonly daysOff?: readonly DayCode[];
  /** Holidays as `'d.mm'` (`'1.01'`, `'23.02'`), every year. */
  readonly holidays?: readonly string[];
}

const timeOfDay = z.string().regex(/^\d{1,2}([.:]\d{1,2})?$/, 'expected a time such as 9, 18.30 or 18:30');
const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const workingHoursSchema = z.object({
  enabled: z.boolean(),
  from: timeOfDay,
  to: timeOfDay,
  timeZone: z.string().min(1).max(100).refine(validZone, 'unknown time zone').optional(),
  daysOff: z.array(z.enum(dayCodes)).max(7).optional(),
  holidays: z
    .array(z.string().regex(/^\d{1,2}\.\d{1,2}$/, "expected a day such as '1.01'"))
    .max(366)
    .optional(),
});

/** Minutes after midnight of `'9'`, `'18.30'` or `'18:30'`. */
function minutesOf(time: string): number {
  const [hours = '0', minutes = '0'] = time.split(/[.:]/);
  return Number(hours) * 60 + Number(minutes.padEnd(2, '0'));
}

const dayOfMonth = (text: string) => text.split('.').map(Number).join('.');
const weekdays: Record<string, DayCode> = {
  Mon: 'MO',
  Tue: 'TU',
  Wed: 'WE',
  Thu: 'TH',
  Fri: 'FR',
  Sat: 'SA',
  Sun: 'SU',
};

/**
 * Whether `instant` falls in the working hours, judged like the platform does: in the line's time
 * zone, not on a day off, not on a holiday, and between `from` and `to` inclusive.
 */
export function isWithinWorkingHours(hours: WorkingHours, instant: number): boolean {
  if (!hours.enabled) return true;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone ?? 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = weekdays[part('weekday')];
  if (weekday !== undefined && hours.daysOff?.includes(weekday)) return false;
  const today = `${Number(part('day'))}.${Number(part('month'))}`;
  if (hours.holidays?.some((holiday) => dayOfMonth(holiday) === today)) return false;
  const now = Number(part('hour')) * 60 + Number(part('minute'));
  return now >= minutesOf(hours.from) && now <= minutesOf(hours.to);
}

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [])
    .map((item) => String(item).trim())
    .filter((item) => item.length > 0);

/**
 * Reads the working-time fields of an `imopenlines.config.get` result. The platform keeps
 * `WORKTIME_DAYOFF` and `WORKTIME_HOLIDAYS` as comma-separated text and returns them as arrays;
 * both are read. Unknown day codes and malformed holidays are dropped rather than failing the line.
 */
export function workingHoursFromLineConfig(config: Record<string, unknown>): WorkingHours {
  const zone = typeof config.WORKTIME_TIMEZONE === 'string' ? config.WORKTIME_TIMEZONE.trim() : '';
  const time = (value: unknown, fallback: string) => {
    const text = String(value ?? '').trim();
    return timeOfDay.safeParse(text).success ? text : fallback;
  };
  return {
    enabled: config.WORKTIME_ENABLE === 'Y',
    from: time(config.WORKTIME_FROM, '9'),
    to: time(config.WORKTIME_TO, '18.30'),
    ...(zone !== '' && validZone(zone) ? { timeZone: zone } : {}),
    daysOff: listOf(config.WORKTIME_DAYOFF).filter((day): day is DayCode =>
      (dayCodes as readonly string[]).includes(day),
    ),
    holidays: listOf(config.WORKTIME_HOLIDAYS).filter((day) => /^\d{1,2}\.\d{1,2}$/.test(day)),
  };
}
