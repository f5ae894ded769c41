import { parseEnvelope, parsePayload, verifyEnvelope } from '../envelope/envelope.js';
import { HEADER, type EnvelopeContent } from '../envelope/types.js';
import { NotaryError } from '../errors.js';
import { verifyX509TrustedIdentities } from '../identity/trusted-identities.js';
import { revocationMessage } from '../revocation/validate-revocation.js';
import { evaluateAuthenticTimestamp } from '../timestamp/authentic-timestamp.js';
import type { ApplicableTrustPolicy } from '../trust-policy/types.js';
import { loadTrustStoreCertificates } from '../trust-store/load-trust-stores.js';
import type {
  Clock,
  Descriptor,
  TrustStore,
  TrustStoreType,
  ValidationAction,
  ValidationResult,
  ValidationType,
} from '../types.js';
import { type Certificate, sameCertificate } from '../x509/certificate.js';
import { hashOf } from '../x509/key-spec.js';
import { formatRfc1123Z } from '../x509/time-format.js';
import type { CertificateSummary, SignatureDetails, SignatureVerificationOutcome } from './outcome.js';
import { compareSemver, isValidSemver } from './semver.js';
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  type PluginLookup,
  type RevocationChecker,
  type TimestampVerifier,
  type VerificationPlugin,
} from './services.js';

export interface VerifySignatureInput {
  /** The envelope blob, as fetched (digest already checked by the caller). */
  envelope: Uint8Array;
  /** The media type of the signature manifest's layer. */
  envelopeMediaType: string;
  /** The descriptor of the artifact being verified (manifest digest, size, media type). */
  artifact: Descriptor;
  /** The statement that applies to the artifact, with its level resolved. */
  policy: ApplicableTrustPolicy;
  trustStore: TrustStore;
  clock: Clock;
  /** Annotations the signed payload must carry (notation `--user-metadata`). */
  userMetadata?: Readonly<Record<string, string>>;
  /** RFC 3161 countersignature verification (`createTimestampVerifier`); without it timestamping fails closed. */
  timestampVerifier?: TimestampVerifier;
  /** Revocation checking (`createRevocationChecker`); without it revocation fails closed unless skipped. */
  revocationChecker?: RevocationChecker;
  /** Verification plugins; without it signatures that name a plugin are refused. */
  plugins?: PluginLookup;
}

/** Everything verifySignature takes but the artifact (the binding says what the signature is for). */
export type PolicyInput = Omit<VerifySignatureInput, 'artifact'>;

const ORDER: ValidationType[] = ['integrity', 'authenticity', 'expiry', 'authenticTimestamp', 'revocation'];
const PLUGIN_ATTRIBUTES: readonly string[] = [HEADER.verificationPlugin, HEADER.verificationPluginMinVersion];

class Stop extends Error {}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function summary(cert: Certificate): CertificateSummary {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    sha256: cert.sha256,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

function descriptorsEqual(a: Descriptor, b: Descriptor): boolean {
  return a.mediaType === b.mediaType && a.digest === b.digest && a.size === b.size;
}

/** The outcome under construction; records results with notation's enforcement semantics. */
class OutcomeBuilder {
  readonly results = new Map<ValidationType, ValidationResult>();
  readonly warnings: string[] = [];
  error: string | undefined;
  failedValidation: ValidationType | undefined;
  details: SignatureDetails | undefined;

  constructor(readonly policy: ApplicableTrustPolicy) {
    for (const type of ORDER) {
      this.results.set(type, {
        type,
        action: this.action(type),
        status: 'skipped',
        message: 'not evaluated',
      });
    }
  }

  action(type: ValidationType): ValidationAction {
    return type === 'integrity' ? 'enforce' : this.policy.verificationLevel.enforcement[type];
  }

  /** Records a validation; throws Stop when it fails with `enforce`. */
  record(type: ValidationType, error: string | undefined, passMessage = 'passed'): void {
    const action = this.action(type);
    if (error === undefined) {
      this.results.set(type, { type, action, status: 'pass', message: passMessage });
      return;
    }
    if (action === 'enforce') {
      this.results.set(type, { type, action, status: 'fail', message: error });
      this.error = `${type} validation failed. Failure reason: ${error}`;
      this.failedValidation = type;
      throw new Stop();
    }
    if (action === 'log') {
      this.results.set(type, { type, action, status: 'logged', message: error });
      this.warnings.push(`${type} was set to "log" and failed with error: ${error}`);
      return;
    }
    this.results.set(type, {
      type,
      action,
      status: 'skipped',
      message: `skipped by the trust policy: ${error}`,
    });
  }

  skip(type: ValidationType, why: string): void {
    this.results.set(type, { type, action: this.action(type), status: 'skipped', message: why });
  }

  /** A failure outside the five validations (plugin, payload binding, user metadata). */
  fail(error: string): never {
    this.error = error;
    throw new Stop();
  }

  build(): SignatureVerificationOutcome {
    const results = ORDER.map((t) => this.results.get(t)).filter(
      (r): r is ValidationResult => r !== undefined,
    );
    if (this.error !== undefined) {
      for (const r of results) {
        if (r.status === 'skipped' && r.message === 'not evaluated') {
          r.message = 'not evaluated: an earlier check failed';
        }
      }
    }
    return {
      accepted: this.error === undefined,
      level: this.policy.verificationLevel.name,
      results,
      error: this.error,
      failedValidation: this.failedValidation,
      warnings: this.warnings,
      details: this.details,
    };
  }
}

async function findPlugin(
  input: PolicyInput,
  content: EnvelopeContent,
  out: OutcomeBuilder,
): Promise<{ plugin: VerificationPlugin; capabilities: string[] } | undefined> {
  const nameAttr = content.extendedAttributes.find((a) => a.key === HEADER.verificationPlugin);
  const unknownCritical = content.extendedAttributes.filter(
    (a) => a.critical && !PLUGIN_ATTRIBUTES.includes(a.key),
  );
  if (nameAttr === undefined) {
    const minVersion = content.extendedAttributes.find((a) => a.key === HEADER.verificationPluginMinVersion);
    if (minVersion !== undefined) {
      out.fail(
        `"${HEADER.verificationPluginMinVersion}" is present but "${HEADER.verificationPlugin}" is not`,
      );
    }
    const first = unknownCritical[0];
    if (first !== undefined) {
      out.fail(
        `the signature marks the attribute "${first.key}" critical, and no verification plugin is named to process it: unknown critical attributes must fail verification`,
      );
    }
    return undefined;
  }
  if (typeof nameAttr.value !== 'string' || nameAttr.value === '') {
    out.fail(`the "${HEADER.verificationPlugin}" attribute must be a non-empty string`);
  }
  const name = nameAttr.value;
  const minAttr = content.extendedAttributes.find((a) => a.key === HEADER.verificationPluginMinVersion);
  let minVersion: string | undefined;
  if (minAttr !== undefined) {
    if (typeof minAttr.value !== 'string' || !isValidSemver(minAttr.value)) {
      out.fail(
        `error while getting plugin minimum version, error: ${HEADER.verificationPluginMinVersion} must be a valid semantic version`,
      );
    }
    minVersion = minAttr.value;
  }
  if (input.plugins === undefined) out.fail('plugin unsupported due to nil verifier.pluginManager');
  let plugin: VerificationPlugin | undefined;
  try {
    plugin = await input.plugins(name);
  } catch (err) {
    out.fail(
      `error while locating the verification plugin "${name}", make sure the plugin is installed successfully before verifying the signature. error: ${message(err)}`,
    );
  }
  if (plugin === undefined) {
    out.fail(
      `error while locating the verification plugin "${name}", make sure the plugin is installed successfully before verifying the signature. error: plugin not found`,
    );
  }
  if (!isValidSemver(plugin.version)) {
    out.fail(`plugin ${name} has pluginVersion ${plugin.version} which is not in valid semver format`);
  }
  if (minVersion !== undefined && compareSemver(plugin.version, minVersion) < 0) {
    out.fail(
      `found plugin ${name} with version ${plugin.version} but signature verification needs plugin version greater than or equal to ${minVersion}`,
    );
  }
  const capabilities = plugin.capabilities.filter(
    (c) => c === CAPABILITY_REVOCATION_CHECK || c === CAPABILITY_TRUSTED_IDENTITY,
  );
  if (capabilities.length === 0) {
    out.fail(
      `digital signature requires plugin "${name}" with signature verification capabilities ("${CAPABILITY_TRUSTED_IDENTITY}" and/or "${CAPABILITY_REVOCATION_CHECK}") installed`,
    );
  }
  return { plugin, capabilities };
}

/** The authentic timestamp validation (the timestamp module's), recorded with the verifier's wording. */
async function verifyAuthenticTimestamp(
  input: PolicyInput,
  content: EnvelopeContent,
  now: Date,
  out: OutcomeBuilder,
): Promise<{ from: Date; to: Date } | undefined> {
  const found = await evaluateAuthenticTimestamp({
    policyName: input.policy.name,
    trustStores: input.policy.trustStores,
    verifyTimestamp: input.policy.verifyTimestamp,
    action: out.action('authenticTimestamp'),
    trustStore: input.trustStore,
    signingScheme: content.signingScheme,
    signingChain: content.certificateChain,
    signature: content.signature,
    timestampToken: content.timestampSignature,
    signingTime: content.signingTime.date,
    signingTimeOffsetMinutes: content.signingTime.offsetMinutes,
    now,
    timestampVerifier: input.timestampVerifier,
  });
  const why = found.disabledBecause ?? '';
  out.record(
    'authenticTimestamp',
    found.error,
    found.basis === 'signingAuthority'
      ? 'the authentic signing time is within the chain validity'
      : found.basis === 'countersignature'
        ? 'timestamp verification: success'
        : `${why.charAt(0).toLowerCase()}${why.slice(1)}; the signing chain is valid now`,
  );
  return found.range;
}

async function verifyRevocation(
  input: PolicyInput,
  content: EnvelopeContent,
  now: Date,
  out: OutcomeBuilder,
): Promise<void> {
  if (input.revocationChecker === undefined) {
    out.record(
      'revocation',
      'unable to check revocation status, code signing revocation validator cannot be nil',
    );
    return;
  }
  let result;
  try {
    result = await input.revocationChecker({
      chain: content.certificateChain.map((c) => c.der),
      certificates: content.certificateChain,
      purpose: 'codeSigning',
      authenticSigningTime:
        content.signingScheme === 'notary.x509.signingAuthority' ? content.signingTime.date : undefined,
      at: now,
    });
  } catch (err) {
    out.record('revocation', `unable to check revocation status, err: ${message(err)}`);
    return;
  }
  out.record(
    'revocation',
    revocationMessage(result, 'codeSigning'),
    'no verification impacting errors encountered while checking revocation',
  );
}

/**
 * Verifies one signature envelope against the artifact and the applicable trust policy statement,
 * as notation-go's verifier does: integrity, then authenticity (trust store + trusted identity),
 * expiry, authentic timestamp, revocation, each with the action of the verification level; then
 * the payload must name the artifact and carry the user metadata. Pure: no network, no clock but
 * the one given, no file system but the injected trust store. Never throws for bad input (the
 * outcome says why), only for bugs.
 */
export function verifySignature(input: VerifySignatureInput): Promise<SignatureVerificationOutcome> {
  return verifyAgainstPolicy(input, { kind: 'artifact', artifact: input.artifact });
}

/** The hash notation derives a blob's descriptor with: the signature algorithm's. */
export type BlobDigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * What the signature must be bound to: an OCI artifact's descriptor (compared during integrity),
 * or a blob whose descriptor is derived with the signature's hash and compared after the
 * validations, as notation-go's `VerifyBlob` does.
 */
export type SignatureBinding =
  | { kind: 'artifact'; artifact: Descriptor }
  | {
      kind: 'blob';
      describe: (algorithm: BlobDigestAlgorithm) => Promise<{ digest: string; size: number }>;
      mediaType: string | undefined;
    };

/** verifySignature's steps with the binding chosen by the caller (verifySignature, verifyBlob). */
export async function verifyAgainstPolicy(
  input: PolicyInput,
  binding: SignatureBinding,
): Promise<SignatureVerificationOutcome> {
  const out = new OutcomeBuilder(input.policy);
  if (input.policy.verificationLevel.name === 'skip') {
    for (const type of ORDER)
      out.skip(type, `trust policy "${input.policy.name}" skips signature verification`);
    return out.build();
  }
  const now = input.clock();
  try {
    // integrity
    let content: EnvelopeContent;
    try {
      const parsed = (() => {
        try {
          return parseEnvelope(input.envelopeMediaType, input.envelope);
        } catch (err) {
          throw new NotaryError(
            'ENVELOPE_MALFORMED',
            `unable to parse the digital signature, error : ${message(err)}`,
            {
              cause: err,
            },
          );
        }
      })();
      content = verifyEnvelope(parsed);
    } catch (err) {
      out.record('integrity', message(err));
      throw new Stop();
    }
    let target: Descriptor;
    try {
      target = parsePayload(content);
    } catch (err) {
      out.record('integrity', message(err));
      throw new Stop();
    }
    if (binding.kind === 'artifact' && !descriptorsEqual(target, binding.artifact)) {
      const artifact = binding.artifact;
      out.record(
        'integrity',
        `content descriptor mismatch: the signature is for ${target.digest} (${target.mediaType}, ${target.size} bytes), not for ${artifact.digest} (${artifact.mediaType}, ${artifact.size} bytes)`,
      );
    }
    const leaf = content.certificateChain[0];
    if (leaf === undefined) throw new NotaryError('BUG', 'verified envelope without a certificate');
    out.details = {
      mediaType: content.mediaType,
      signingScheme: content.signingScheme,
      signatureAlgorithm: content.signatureAlgorithm,
      signingTime: content.signingTime.date,
      expiry: content.expiry?.date,
      signer: summary(leaf),
      certificateChain: content.certificateChain.map(summary),
      signingAgent: content.signingAgent,
      targetArtifact: target,
      timestamp: undefined,
    };
    const pluginUse = await findPlugin(input, content, out);
    out.record('integrity', undefined, 'the signature is intact and names the artifact');

    // authenticity: trust store, then trusted identity
    let authenticityError: string | undefined;
    try {
      const type: TrustStoreType = content.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
      const trusted = await loadTrustStoreCertificates(
        input.trustStore,
        type,
        input.policy.name,
        input.policy.trustStores,
      );
      if (trusted.length === 0) {
        authenticityError = 'no trusted certificates are found to verify authenticity';
      } else if (!content.certificateChain.some((c) => trusted.some((t) => sameCertificate(t, c)))) {
        authenticityError = "the signature's certificate chain does not contain any trusted certificate";
      }
    } catch (err) {
      authenticityError = message(err);
    }
    if (authenticityError === undefined && !pluginUse?.capabilities.includes(CAPABILITY_TRUSTED_IDENTITY)) {
      try {
        verifyX509TrustedIdentities(input.policy.name, input.policy.trustedIdentities, leaf);
      } catch (err) {
        authenticityError = message(err);
      }
    }
    out.record('authenticity', authenticityError, 'the signer is trusted by the trust policy');

    // expiry
    const expiry = content.expiry;
    if (expiry === undefined) {
      out.record('expiry', undefined, 'the signature has no expiry');
    } else if (now.getTime() >= expiry.date.getTime()) {
      out.record(
        'expiry',
        `digital signature has expired on "${formatRfc1123Z(expiry.date, expiry.offsetMinutes)}"`,
      );
    } else {
      out.record('expiry', undefined, 'the signature has not expired');
    }

    // authentic timestamp
    out.details.timestamp = await verifyAuthenticTimestamp(input, content, now, out);

    // revocation
    if (out.action('revocation') === 'skip') {
      out.skip('revocation', 'revocation checking is skipped by the verification level');
    } else if (pluginUse?.capabilities.includes(CAPABILITY_REVOCATION_CHECK) === true) {
      out.skip('revocation', 'delegated to the verification plugin');
    } else {
      await verifyRevocation(input, content, now, out);
    }

    if (pluginUse !== undefined) await runPlugin(input, content, pluginUse, out);

    // the blob (notation-go VerifyBlob compares it once the validations are done)
    if (binding.kind === 'blob') {
      let blob: { digest: string; size: number } | undefined;
      try {
        blob = await binding.describe(hashOf(content.signatureAlgorithm));
      } catch (err) {
        out.fail(`failed to generate descriptor for given artifact. Error: ${message(err)}`);
      }
      if (
        blob === undefined ||
        blob.digest !== target.digest ||
        blob.size !== target.size ||
        (binding.mediaType !== undefined && binding.mediaType !== target.mediaType)
      ) {
        out.fail('integrity check failed. signature does not match the given blob');
      }
    }

    // user metadata
    const wanted = input.userMetadata ?? {};
    for (const [k, v] of Object.entries(wanted)) {
      if (target.annotations?.[k] !== v) out.fail('unable to find specified metadata in the signature');
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return out.build();
}

async function runPlugin(
  input: PolicyInput,
  content: EnvelopeContent,
  use: { plugin: VerificationPlugin; capabilities: string[] },
  out: OutcomeBuilder,
): Promise<void> {
  const capabilities = use.capabilities.filter(
    (c) => !(c === CAPABILITY_REVOCATION_CHECK && out.action('revocation') === 'skip'),
  );
  if (capabilities.length === 0) return;
  const extended = content.extendedAttributes.filter((a) => a.critical && !PLUGIN_ATTRIBUTES.includes(a.key));
  const name = use.plugin.name;
  let response;
  try {
    response = await use.plugin.verifySignature({
      capabilities,
      criticalAttributes: {
        contentType: content.payloadContentType,
        signingScheme: content.signingScheme,
        expiry: content.expiry?.date,
        authenticSigningTime:
          content.signingScheme === 'notary.x509.signingAuthority' ? content.signingTime.date : undefined,
        extendedAttributes: Object.fromEntries(extended.map((a) => [a.key, a.value])),
      },
      unprocessedAttributes: extended.map((a) => a.key),
      certificateChain: content.certificateChain.map((c) => c.der),
      trustedIdentities: input.policy.trustedIdentities,
    });
  } catch (err) {
    out.fail(`failed to verify with plugin ${name}: ${message(err)}`);
  }
  for (const attr of extended) {
    if (!response.processedAttributes.includes(attr.key)) {
      out.fail(
        `extended critical attribute "${attr.key}" was not processed by the verification plugin "${name}" (all extended critical attributes must be processed by the verification plugin)`,
      );
    }
  }
  for (const capability of capabilities) {
    const result = response.verificationResults[capability];
    if (result === undefined) out.fail(`verification plugin "${name}" failed to verify "${capability}"`);
    if (capability === CAPABILITY_TRUSTED_IDENTITY && !result.success) {
      out.record(
        'authenticity',
        `trusted identify verification by plugin "${name}" failed with reason "${result.reason ?? ''}"`,
      );
    }
    if (capability === CAPABILITY_REVOCATION_CHECK) {
      out.record(
        'revocation',
        result.success
          ? undefined
          : `revocation check by verification plugin "${name}" failed with reason "${result.reason ?? ''}"`,
      );
    }
  }
}
