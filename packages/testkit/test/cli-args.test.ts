import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';

describe('parseCliArgs', () => {
  it('defaults to the platform bucket, v1 events and no handler', () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      options: { rateLimit: { ratePerSecond: 2, burst: 50 } },
      eventsVersion: 1,
    });
  });

  it('reads every option', () => {
    expect(
      parseCliArgs([
        '--host',
        '::1',
        '--port',
        '0',
        '--rate',
        '5',
        '--burst',
        '250',
        '--bot-handler',
        'http://127.0.0.1:9000/events',
        '--events-version',
        '2',
      ]),
    ).toEqual({
      help: false,
      options: { host: '::1', port: 0, rateLimit: { ratePerSecond: 5, burst: 250 } },
      botHandler: 'http://127.0.0.1:9000/events',
      eventsVersion: 2,
    });
    expect(parseCliArgs(['--tls', '--utc-offset', '+00:00', '--rate-slack', '250']).options).toEqual({
      rateLimit: { ratePerSecond: 2, burst: 50, slackMs: 250 },
      tls: true,
      utcOffset: '+00:00',
    });
    expect(parseCliArgs(['--no-rate-limit']).options.rateLimit).toBe(false);
    expect(parseCliArgs(['--help']).help).toBe(true);
  });

  it.each([
    [['--events-version', '3'], /events-version/],
    [['--port', 'abc'], /--port must be a number/],
    [['--port', ''], /--port must be a number/],
    [['--rate', '0x10'], /--rate must be a number/],
    [['--no-rate-limit', '--rate', '5'], /cannot be combined/],
    [['--no-rate-limit', '--rate-slack', '5'], /cannot be combined/],
    [['--rate-slack', '-5'], /rate-slack/],
    [['--colour'], /colour/],
    [['stray'], /stray/],
  ])('refuses %j with INVALID_INPUT', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(message) }),
    );
  });
});
