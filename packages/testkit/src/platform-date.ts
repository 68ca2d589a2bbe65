import { z } from 'zod';

/** A UTC offset as the platform writes it: `+03:00`, `-05:30`, `+00:00`. */
export const utcOffsetSchema = z
  .string()
  .regex(/^[+-](?:[01]\d|2[0-3]):[0-5]\d$/, 'a UTC offset such as +03:00');

/** The offset of a portal in Moscow time, as the platform's documented examples show. */
export const defaultUtcOffset = '+03:00';

function offsetMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(4, 6));
  return sign * (hours * 60 + minutes);
}

/**
 * A moment as the platform writes dates (`time.date_start`, `server.time`): local time at the
 * portal's offset, whole seconds, the offset spelled out (`2026-03-18T09:07:22+03:00`).
 */
export function formatPlatformDate(epochMs: number, offset: string): string {
  const shifted = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes(offset) * 60_000);
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}
