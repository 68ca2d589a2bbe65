import { stringifyForm } from '../inbound/php-form.js';

/** REST parameters: scalars, lists and nested objects, sent PHP-style (`FIELDS[NAME]=…`). */
export type RestParams = { readonly [key: string]: RestValue };
/** One parameter value. */
export type RestValue = string | number | boolean | null | undefined | readonly RestValue[] | RestParams;

/** Form-encodes parameters the way the platform's PHP reads them; `undefined` values are left out. */
export function encodeParams(params: RestParams): string {
  return stringifyForm(params);
}
