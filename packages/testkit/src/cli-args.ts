import { parseArgs } from 'node:util';
import { TestkitError } from './errors.js';
import type { EmulatorOptions } from './options.js';

/** What `baton-emulator` was asked to do. */
export interface CliArgs {
  readonly help: boolean;
  readonly options: EmulatorOptions;
  /** Where the seeded bot's events go; omitted: nowhere (v1) or fetch mode (v2). */
  readonly botHandler?: string;
  readonly eventsVersion: 1 | 2;
}

export const usage = `Usage: baton-emulator [options]
  --host <host>            loopback host to listen on (default 127.0.0.1)
  --port <port>            port, 0 for a free one (default 0)
  --rate <n>               leaky bucket drain per second (default 2)
  --burst <n>              leaky bucket size (default 50)
  --rate-slack <ms>        judge each request as if it arrived that much later (default 0)
  --no-rate-limit          disable the rate limit
  --tls                    serve HTTPS with a throw-away self-signed certificate (printed as "ca")
  --utc-offset <±hh:mm>    the portal's UTC offset for the dates it writes (default +03:00)
  --bot-handler <url>      where the seeded bot's events are POSTed
  --events-version <1|2>   event format of the seeded bot (default 1; 2 without a handler: fetch mode)
  --help                   show this help`;

/** A number written as digits (and at most one decimal point): `Number('')` and `Number('0x10')` are not. */
function numberArg(name: string, value: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(value)) {
    throw new TestkitError('INVALID_INPUT', `--${name} must be a number, got "${value}"`, {
      context: { issues: [`${name}: not a number`] },
    });
  }
  return Number(value);
}

/**
 * Reads the command line. Unknown options and malformed values are `INVALID_INPUT`; the ranges
 * (a port up to 65535, a positive rate) are checked by `createEmulator` itself.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new TestkitError('INVALID_INPUT', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  const version = values['events-version'];
  if (version !== undefined && version !== '1' && version !== '2') {
    throw new TestkitError('INVALID_INPUT', `--events-version must be 1 or 2, got "${version}"`, {
      context: { issues: ['events-version: not 1 or 2'] },
    });
  }
  const bucketArgs = [values.rate, values.burst, values['rate-slack']];
  if (values['no-rate-limit'] === true && bucketArgs.some((value) => value !== undefined)) {
    throw new TestkitError(
      'INVALID_INPUT',
      '--no-rate-limit cannot be combined with --rate, --burst or --rate-slack',
      {
        context: { issues: ['no-rate-limit: conflicts with rate/burst'] },
      },
    );
  }
  const options: EmulatorOptions = {
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.port === undefined ? {} : { port: numberArg('port', values.port) }),
    rateLimit:
      values['no-rate-limit'] === true
        ? false
        : {
            ratePerSecond: values.rate === undefined ? 2 : numberArg('rate', values.rate),
            burst: values.burst === undefined ? 50 : numberArg('burst', values.burst),
            ...(values['rate-slack'] === undefined
              ? {}
              : { slackMs: numberArg('rate-slack', values['rate-slack']) }),
          },
    ...(values.tls === true ? { tls: true } : {}),
    ...(values['utc-offset'] === undefined ? {} : { utcOffset: values['utc-offset'] }),
  };
  return {
    help: values.help === true,
    options,
    ...(values['bot-handler'] === undefined ? {} : { botHandler: values['bot-handler'] }),
    eventsVersion: version === '2' ? 2 : 1,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      'rate-slack': { type: 'string' },
      'no-rate-limit': { type: 'boolean' },
      tls: { type: 'boolean' },
      'utc-offset': { type: 'string' },
      'bot-handler': { type: 'string' },
      'events-version': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
}
