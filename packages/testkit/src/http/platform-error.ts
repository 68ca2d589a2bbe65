/**
 * A refusal by the emulated platform: becomes the `{ error, error_description }` envelope with
 * its HTTP status. Internal: handlers throw it, the server and the programmatic API translate it.
 */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, description: string) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

/** A method-level refusal: HTTP 400, as the platform answers most method errors. */
export function methodError(code: string, description: string): PlatformError {
  return new PlatformError(400, code, description);
}
