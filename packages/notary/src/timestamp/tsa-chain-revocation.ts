import {
  decideRevocation,
  revocationMessage,
  validateRevocation,
  type RevocationLog,
} from '../revocation/validate-revocation.js';
import type { RevocationOptions } from '../revocation/types.js';
import type { Certificate } from '../x509/certificate.js';

export interface TsaChainRevocation {
  result: 'ok' | 'revoked' | 'unknown';
  /** notation's error text when not ok. */
  error: string | undefined;
  /** What notation logs while deciding. */
  logs: RevocationLog[];
  /** Why the check could not run, when it could not. */
  cause?: unknown;
}

/**
 * notation's `verifyTimestamp` step 5: the revocation status of the TSA chain that signed the
 * token, with notation's final decision and messages (`timestamping certificate with subject …
 * is revoked` / `… revocation status is unknown`, or `failed to check timestamping certificate
 * chain revocation with error: …` when the check itself cannot run). Never throws.
 */
export async function checkTsaChainRevocation(
  tsaChain: readonly Certificate[],
  options: RevocationOptions,
): Promise<TsaChainRevocation> {
  try {
    const decision = decideRevocation(await validateRevocation(tsaChain, options), tsaChain);
    return {
      result: decision.result,
      error: revocationMessage(decision, 'timestamping'),
      logs: decision.logs,
    };
  } catch (e) {
    return {
      result: 'unknown',
      error: `failed to check timestamping certificate chain revocation with error: ${e instanceof Error ? e.message : String(e)}`,
      logs: [],
      cause: e,
    };
  }
}
