import type { ServerResponse } from 'node:http';
import { formatPlatformDate } from '../platform-date.js';

/** The `time` block the platform adds to every successful answer. */
export interface ResponseTime {
  readonly start: number;
  readonly finish: number;
  readonly duration: number;
  readonly processing: number;
  readonly date_start: string;
  readonly date_finish: string;
  readonly operating: number;
  readonly operating_reset_at: number;
}

/** Timing of one request, in epoch milliseconds, plus the operating-limit figures. */
export interface TimingFacts {
  readonly startedAt: number;
  readonly processingStartedAt: number;
  readonly finishedAt: number;
  /** Seconds of the method's operating budget used in the current window. */
  readonly operatingSeconds: number;
  /** Epoch seconds when the oldest counted call leaves the window. */
  readonly operatingResetAt: number;
  /** The portal's UTC offset, `±hh:mm`. */
  readonly utcOffset: string;
}

const round = (seconds: number): number => Math.round(seconds * 1e6) / 1e6;

export function timeBlock(facts: TimingFacts): ResponseTime {
  return {
    start: round(facts.startedAt / 1000),
    finish: round(facts.finishedAt / 1000),
    duration: round((facts.finishedAt - facts.startedAt) / 1000),
    processing: round((facts.finishedAt - facts.processingStartedAt) / 1000),
    date_start: formatPlatformDate(facts.startedAt, facts.utcOffset),
    date_finish: formatPlatformDate(facts.finishedAt, facts.utcOffset),
    operating: round(facts.operatingSeconds),
    operating_reset_at: Math.ceil(facts.operatingResetAt),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendError(response: ServerResponse, status: number, code: string, description: string): void {
  sendJson(response, status, { error: code, error_description: description });
}

/** What a blocked portal's front end serves instead of JSON. */
export function sendHtml(response: ServerResponse, status: number): void {
  const page =
    '<!DOCTYPE html><html><head><title>Service temporarily unavailable</title></head>' +
    '<body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>';
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
  });
  response.end(page);
}
