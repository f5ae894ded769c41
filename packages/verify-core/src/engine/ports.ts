/**
 * What the engine asks of the world, as small interfaces: the composition root (CLI, action,
 * provider) wires concrete ones (`@scs/oci` stores, the `@scs/notary` verifier), tests pass
 * plain objects over real stores.
 */
import type { ArtifactStore, Descriptor } from '@scs/oci';
import type { SignatureEvidenceItem } from '../decision/types.js';
import type { PolicyScope } from '../policy/types.js';

/** An image target opened on its store. */
export interface OpenedTarget {
  store: ArtifactStore;
  /** `registry/repository`, or `local/<name>` for an OCI layout: what registry scopes match. */
  repository: string;
  /** What the target named inside the store (a tag defaults to `latest`). */
  tag?: string;
  digest?: string;
}

/** Opens `oci:<dir>[:tag|@digest]` or a registry reference. Throws on a malformed reference. */
export type TargetOpener = (reference: string) => Promise<OpenedTarget>;

/** One signature referrer, fetched and digest-checked. */
export interface FetchedSignature {
  /** The signature manifest's descriptor. */
  manifest: Descriptor;
  envelope: Uint8Array;
  /** The media type of the manifest's layer (the envelope format). */
  envelopeMediaType: string;
}

export interface SignatureVerificationRequest {
  /** `registry/repository@sha256:…` of the signed artifact. */
  artifactReference: string;
  /** The signed artifact (image, SBOM or report manifest). */
  artifact: Descriptor;
  /** The scope whose `signature` policy applies. */
  scope: PolicyScope;
  /** Signatures in the order the store listed them. */
  signatures: readonly FetchedSignature[];
}

export interface SignatureVerificationResult {
  /** A signature was accepted (or the level is `skip`). */
  verified: boolean;
  /** Why not, or which signature was accepted, in the verifier's words. */
  message: string;
  /** Every signature tried, as decision evidence. */
  signatures: SignatureEvidenceItem[];
  /** Warnings of the accepted signature (validations that failed with `log`). */
  warnings: string[];
}

/** Verifies Notary Project signatures under a scope's signature policy. Never throws for bad signatures. */
export interface SignatureVerifier {
  verify(request: SignatureVerificationRequest): Promise<SignatureVerificationResult>;
}

/** Where the engine reports progress; never given secrets. */
export interface EngineLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentEngineLogger: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
