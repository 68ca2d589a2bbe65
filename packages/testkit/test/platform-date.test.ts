import { describe, expect, it } from 'vitest';
import { formatPlatformDate, utcOffsetSchema } from '../src/platform-date.js';

describe('formatPlatformDate', () => {
  const at = Date.parse('2026-03-18T06:07:22.789Z');

  it('writes local time at the offset, in whole seconds, as the platform does', () => {
    expect(formatPlatformDate(at, '+03:00')).toBe('2026-03-18T09:07:22+03:00');
    expect(formatPlatformDate(at, '+00:00')).toBe('2026-03-18T06:07:22+00:00');
    expect(formatPlatformDate(at, '-05:30')).toBe('2026-03-18T00:37:22-05:30');
  });

  it('reads back as the same second', () => {
    expect(Date.parse(formatPlatformDate(at, '+01:00'))).toBe(Math.floor(at / 1000) * 1000);
  });

  it('accepts only offsets of the form ±hh:mm', () => {
    expect(utcOffsetSchema.safeParse('+03:00').success).toBe(true);
    for (const bad of ['03:00', '+3:00', '+24:00', 'Z', '+03:60']) {
      expect(utcOffsetSchema.safeParse(bad).success).toBe(false);
    }
  });
});
