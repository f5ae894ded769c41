import { OciError } from './errors.js';
import type { ArtifactStore, Descriptor, FetchedManifest, FetchOptions } from './types.js';

/**
 * Fetch a manifest listed as a referrer of `subject` and check that it really is one: its own
 * `subject` must name `subject.digest`. A referrers tag-schema index is written by anyone who can
 * push a tag, so its entries are claims; this is the check that makes them facts (fail closed:
 * `MANIFEST_INVALID` otherwise).
 */
export async function fetchReferrer(
  store: ArtifactStore,
  subject: Descriptor,
  referrer: Descriptor,
  options?: FetchOptions,
): Promise<FetchedManifest> {
  const fetched = await store.fetchManifest(referrer, options);
  const claimed = fetched.manifest.subject?.digest;
  if (claimed !== subject.digest) {
    throw new OciError(
      'MANIFEST_INVALID',
      `${store.location}@${referrer.digest} is listed as a referrer of ${subject.digest} but its subject is ${claimed ?? 'absent'}; the referrers index is wrong or tampered with, the entry is not trusted`,
    );
  }
  return fetched;
}
