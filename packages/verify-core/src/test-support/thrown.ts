/** Test support: the error of a given class that a call throws or a promise rejects with. */

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The `type` error `fn` throws. Any other error is rethrown, and no error at all fails the test. */
export function thrownBy<E extends Error>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}

/** The `type` error `promise` rejects with, as `thrownBy`. */
export async function rejectionOf<E extends Error>(
  type: ErrorClass<E>,
  promise: Promise<unknown>,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}
