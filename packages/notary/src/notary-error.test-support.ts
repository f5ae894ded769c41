import { NotaryError } from './errors.js';

/** The NotaryError `fn` throws. Any other error is rethrown, and no error at all fails the test. */
export function notaryErrorOf(fn: () => unknown): NotaryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NotaryError) return err;
    throw err;
  }
  throw new Error('expected a NotaryError');
}

/** The NotaryError `promise` rejects with, as `notaryErrorOf`. */
export async function notaryRejectionOf(promise: Promise<unknown>): Promise<NotaryError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NotaryError) return err;
    throw err;
  }
  throw new Error('expected a NotaryError');
}
