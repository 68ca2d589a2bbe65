/** What the bot needs to know about its portal. See the README's "Registering the bot". */
export interface BotConfig {
  /** The portal's `member_id` (`auth[member_id]` of its events). */
  readonly memberId: string;
  /** An incoming webhook with the `imbot` and `imopenlines` scopes, ending in `/`. */
  readonly webhookUrl: string;
  /** `auth[application_token]` of the bot's events: proves an event comes from the portal. */
  readonly applicationToken: string;
  /** What `imbot.register` answered. */
  readonly botId: number;
  /** The `CLIENT_ID` given to `imbot.register` (v1), or the bot's token (v2). */
  readonly botClientId: string;
  /** Which event format the bot was registered for. */
  readonly events: 'v1' | 'v2';
  /** The operator to try first (LEAVE=N: the bot stays until they answer). */
  readonly operatorId: number;
  /** The open line (queue) to fall back to. */
  readonly queueId: number;
}

const names = {
  memberId: 'B24_MEMBER_ID',
  webhookUrl: 'B24_WEBHOOK_URL',
  applicationToken: 'B24_APPLICATION_TOKEN',
  botId: 'B24_BOT_ID',
  botClientId: 'B24_BOT_CLIENT_ID',
  operatorId: 'B24_OPERATOR_ID',
  queueId: 'B24_QUEUE_ID',
} as const;

/**
 * The real portal's settings from the environment, or `undefined` when none is set (the example
 * then runs against the emulator). Some but not all set is an error that names what is missing.
 */
export function portalFromEnvironment(env: NodeJS.ProcessEnv): BotConfig | undefined {
  const given = Object.values(names).filter((name) => env[name] !== undefined && env[name] !== '');
  if (given.length === 0) return undefined;
  const missing = Object.values(names).filter((name) => !given.includes(name));
  if (missing.length > 0) throw new Error(`Set ${missing.join(', ')} too (or none of the B24_ variables)`);
  const number = (name: string): number => {
    const value = Number(env[name]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
    return value;
  };
  const webhookUrl = env[names.webhookUrl] as string;
  if (!/^https?:\/\/.+\/$/.test(webhookUrl)) throw new Error(`${names.webhookUrl} must be a URL ending in /`);
  return {
    memberId: env[names.memberId] as string,
    webhookUrl,
    applicationToken: env[names.applicationToken] as string,
    botId: number(names.botId),
    botClientId: env[names.botClientId] as string,
    events: env.B24_EVENTS === 'v2' ? 'v2' : 'v1',
    operatorId: number(names.operatorId),
    queueId: number(names.queueId),
  };
}
