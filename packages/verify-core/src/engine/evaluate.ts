import type { ArtifactStore, Descriptor, FetchedManifest, ImageManifest } from '@scs/oci';
import { buildDecision } from '../decision/build-decision.js';
import type {
  Check,
  CheckError,
  Decision,
  ReferenceEvidence,
  SignatureCheck,
  SignatureEvidenceItem,
} from '../decision/types.js';
import { VerifyCoreError } from '../errors.js';
import { WILDCARD_SCOPE, selectScope } from '../policy/registry-scope.js';
import type { LoadedPolicy, PolicyScope } from '../policy/types.js';
import type { ArtifactSignatureResult, AttachedArtifact } from '../rules/attached-artifact.js';
import { SBOM_ARTIFACT_TYPES, parseSbom } from '../rules/sbom/parse-sbom.js';
import { sbomChecks } from '../rules/sbom/sbom-checks.js';
import { shortDigest } from '../rules/summarize.js';
import { parseSarifReport } from '../rules/vulnerabilities/parse-sarif.js';
import { parseTrivyReport } from '../rules/vulnerabilities/parse-trivy.js';
import type { ImageIdentity } from '../rules/vulnerabilities/vulnerability-checks.js';
import { vulnerabilityChecks } from '../rules/vulnerabilities/vulnerability-checks.js';
import { REPORT_ARTIFACT_TYPES } from '../rules/vulnerabilities/vulnerability-report.js';
import { MaterialCache } from './material-cache.js';
import type {
  EngineLogger,
  FetchedSignature,
  OpenedTarget,
  SignatureVerifier,
  TargetOpener,
} from './ports.js';
import { silentEngineLogger } from './ports.js';

export const NOTARY_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
const CREATED_ANNOTATION = 'org.opencontainers.image.created';

/** Size and count bounds of what one decision fetches. */
export interface EngineLimits {
  /** Signatures fetched per artifact (notation's default `--max-signatures` is 100). */
  maxSignatures: number;
  /** SBOM and report referrers fetched per image, newest first. */
  maxDocuments: number;
  envelopeBytes: number;
  sbomBytes: number;
  reportBytes: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  maxSignatures: 100,
  maxDocuments: 10,
  envelopeBytes: 4 * 1024 * 1024,
  sbomBytes: 64 * 1024 * 1024,
  reportBytes: 64 * 1024 * 1024,
};

export interface EvaluateDeps {
  /** The policy the decision is made under (name, digest and rules). */
  policy: LoadedPolicy;
  openTarget: TargetOpener;
  verifier: SignatureVerifier;
  /** The decision's "now": signature expiry, exception expiry, report age. */
  clock: () => Date;
  logger?: EngineLogger;
  /** Share one cache between decisions to reuse fetched material. */
  cache?: MaterialCache;
  limits?: Partial<EngineLimits>;
  /**
   * Answer within this many milliseconds: past it the decision is a denial saying so (the
   * admission provider must answer inside Gatekeeper's deadline). Unbounded when absent.
   */
  timeoutMs?: number;
}

function errorOf(error: unknown): CheckError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'BUG', message: error.message };
  }
  return { code: 'BUG', message: String(error) };
}

/** Newest first by `org.opencontainers.image.created`, then by digest: the same state gives the same order. */
function byNewest(a: Descriptor, b: Descriptor): number {
  const ta = a.annotations?.[CREATED_ANNOTATION] ?? '';
  const tb = b.annotations?.[CREATED_ANNOTATION] ?? '';
  return tb.localeCompare(ta) || a.digest.localeCompare(b.digest);
}

interface Context {
  deps: EvaluateDeps;
  cache: MaterialCache;
  limits: EngineLimits;
  logger: EngineLogger;
  store: ArtifactStore;
  repository: string;
}

/**
 * A manifest listed as a referrer of `subject`, checked to really be one: its own `subject`
 * must name `subject.digest` (a referrers tag-schema index is writable by anyone who can push a
 * tag, so its entries are claims; fail closed otherwise).
 */
async function referrerManifest(
  ctx: Context,
  subject: Descriptor,
  referrer: Descriptor,
): Promise<FetchedManifest> {
  const fetched = await ctx.cache.manifest(ctx.store, referrer);
  const claimed = fetched.manifest.subject?.digest;
  if (claimed !== subject.digest) {
    throw new VerifyCoreError(
      'FETCH_FAILED',
      `${referrer.digest} is listed as a referrer of ${subject.digest} but its subject is ${claimed ?? 'absent'}; the referrers index is wrong or tampered with`,
    );
  }
  return fetched;
}

/** The single layer of a signature manifest and its envelope bytes. */
async function fetchSignature(
  ctx: Context,
  subject: Descriptor,
  manifest: Descriptor,
): Promise<FetchedSignature> {
  const fetched = await referrerManifest(ctx, subject, manifest);
  const layers = 'layers' in fetched.manifest ? fetched.manifest.layers : undefined;
  if (layers?.length !== 1 || layers[0] === undefined) {
    throw new VerifyCoreError(
      'FETCH_FAILED',
      `signature manifest requires exactly one layer but got ${layers?.length ?? 0}`,
    );
  }
  const layer = layers[0];
  const envelope = await ctx.cache.blob(ctx.store, layer, ctx.limits.envelopeBytes);
  return { manifest, envelope, envelopeMediaType: layer.mediaType };
}

/** Fetch the signatures referring to `subject`; the ones that cannot be fetched become failed evidence. */
async function fetchSignatures(
  ctx: Context,
  subject: Descriptor,
  referrers: readonly Descriptor[],
): Promise<{ fetched: FetchedSignature[]; failed: SignatureEvidenceItem[] }> {
  // Any trusted signature is enough, so the order only shapes the evidence: make it stable
  // (registries list referrers in no guaranteed order).
  const signatures = referrers
    .filter((d) => d.artifactType === NOTARY_SIGNATURE_ARTIFACT_TYPE)
    .sort(byNewest)
    .slice(0, ctx.limits.maxSignatures);
  const results = await Promise.allSettled(signatures.map((d) => fetchSignature(ctx, subject, d)));
  const fetched: FetchedSignature[] = [];
  const failed: SignatureEvidenceItem[] = [];
  results.forEach((result, i) => {
    const descriptor = signatures[i];
    if (descriptor === undefined) return;
    if (result.status === 'fulfilled') fetched.push(result.value);
    else {
      failed.push({
        digest: descriptor.digest,
        verified: false,
        validations: [],
        failure: `the signature could not be fetched: ${errorOf(result.reason).message}`,
      });
    }
  });
  return { fetched, failed };
}

/** Verify the signatures attached to `artifact` under the scope. */
async function verifyAttached(
  ctx: Context,
  scope: PolicyScope,
  artifact: Descriptor,
  referrers: readonly Descriptor[],
): Promise<{
  verified: boolean;
  message: string;
  signatures: SignatureEvidenceItem[];
  warnings: string[];
  count: number;
}> {
  const { fetched, failed } = await fetchSignatures(ctx, artifact, referrers);
  if (fetched.length === 0 && failed.length > 0) {
    // Signatures are attached but none could be read: say so rather than "not signed".
    return {
      verified: false,
      message: `none of the ${failed.length} attached signature(s) could be read (${failed[0]?.failure ?? ''})`,
      signatures: failed,
      warnings: [],
      count: failed.length,
    };
  }
  const result = await ctx.deps.verifier.verify({
    artifactReference: `${ctx.repository}@${artifact.digest}`,
    artifact: { mediaType: artifact.mediaType, digest: artifact.digest, size: artifact.size },
    scope,
    signatures: fetched,
  });
  return {
    verified: result.verified,
    message: result.message,
    signatures: [...result.signatures, ...failed],
    warnings: result.warnings,
    count: fetched.length + failed.length,
  };
}

function signatureCheck(
  scope: PolicyScope,
  outcome: Awaited<ReturnType<typeof verifyAttached>>,
): SignatureCheck {
  const level = scope.signature.level;
  const evidence = { level, signatures: outcome.signatures };
  if (level === 'skip') {
    return {
      id: 'signature',
      status: 'skip',
      reason: `scope "${scope.name}" skips signature verification`,
      evidence,
    };
  }
  if (outcome.verified) {
    const accepted = outcome.signatures.find((s) => s.verified);
    const signer = accepted?.signer?.subject;
    return {
      id: 'signature',
      status: outcome.warnings.length > 0 ? 'warn' : 'pass',
      reason: `signed by ${signer ?? 'a trusted signer'} (trusted under ${level}${accepted === undefined ? '' : `, signature ${shortDigest(accepted.digest)}`})${outcome.warnings.length > 0 ? `; ${outcome.warnings.join('; ')}` : ''}`,
      evidence,
    };
  }
  if (outcome.count === 0) {
    return {
      id: 'signature',
      status: 'fail',
      reason: `no trusted signature: the image is not signed (no Notary Project signature is attached); scope "${scope.name}" requires one`,
      evidence,
    };
  }
  return {
    id: 'signature',
    status: 'fail',
    reason: `no trusted signature: ${outcome.message}`,
    evidence,
  };
}

/** The signature of an SBOM or report referrer, when the policy asks for signed ones. */
async function artifactSignature(
  ctx: Context,
  scope: PolicyScope,
  artifact: Descriptor,
): Promise<ArtifactSignatureResult> {
  try {
    const referrers = await ctx.cache.referrers(ctx.store, artifact);
    const outcome = await verifyAttached(ctx, scope, artifact, referrers);
    if (outcome.count === 0) return { verified: false, failure: 'no signature is attached to it' };
    const accepted = outcome.signatures.find((s) => s.verified);
    return outcome.verified
      ? { verified: true, ...(accepted?.signer === undefined ? {} : { signer: accepted.signer }) }
      : { verified: false, failure: outcome.message };
  } catch (error) {
    return { verified: false, failure: `its signatures could not be checked: ${errorOf(error).message}` };
  }
}

/** The layer holding the document of an SBOM or report referrer. */
function documentLayer(fetched: FetchedManifest, artifactType: string): Descriptor {
  const layers = 'layers' in fetched.manifest ? fetched.manifest.layers : [];
  const typed = layers.filter((l) => l.mediaType === artifactType);
  const chosen = typed.length === 1 ? typed[0] : layers.length === 1 ? layers[0] : undefined;
  if (chosen === undefined) {
    throw new VerifyCoreError(
      'FETCH_FAILED',
      `the referrer has ${layers.length} layers and none (or several) of type ${artifactType}; attach the document as the single layer`,
    );
  }
  return chosen;
}

async function fetchDocument<T>(
  ctx: Context,
  subject: Descriptor,
  descriptor: Descriptor,
  maxBytes: number,
  parse: (bytes: Uint8Array) => T,
): Promise<{ document: T; created?: string }> {
  const artifactType = descriptor.artifactType ?? '';
  const fetched = await referrerManifest(ctx, subject, descriptor);
  const layer = documentLayer(fetched, artifactType);
  const bytes = await ctx.cache.blob(ctx.store, layer, maxBytes);
  const document = await ctx.cache.parsed(artifactType, layer, () => parse(bytes));
  const created =
    descriptor.annotations?.[CREATED_ANNOTATION] ?? fetched.manifest.annotations?.[CREATED_ANNOTATION];
  return { document, ...(created === undefined ? {} : { created }) };
}

/** How to find, bound and parse one kind of attached document (SBOMs, vulnerability reports). */
interface DocumentKind<Format, Document> {
  /** The referrer artifact types of the kind, and the format each one names. */
  types: Readonly<Record<string, Format>>;
  /** The policy asks for signed documents: verify each one's signatures. */
  signed: boolean;
  maxBytes: number;
  parse: (format: Format, bytes: Uint8Array) => Document;
}

/** The newest referrers of a kind, fetched and parsed; the ones that cannot be carry their error. */
async function collectDocuments<Format, Document>(
  ctx: Context,
  scope: PolicyScope,
  subject: Descriptor,
  referrers: readonly Descriptor[],
  kind: DocumentKind<Format, Document>,
): Promise<AttachedArtifact<Document>[]> {
  const candidates = referrers
    .flatMap((descriptor) => {
      const artifactType = descriptor.artifactType;
      const format = artifactType === undefined ? undefined : kind.types[artifactType];
      return artifactType === undefined || format === undefined ? [] : [{ descriptor, artifactType, format }];
    })
    .sort((a, b) => byNewest(a.descriptor, b.descriptor))
    .slice(0, ctx.limits.maxDocuments);
  return Promise.all(
    candidates.map(async ({ descriptor, artifactType, format }): Promise<AttachedArtifact<Document>> => {
      const signature = kind.signed ? { signature: await artifactSignature(ctx, scope, descriptor) } : {};
      try {
        const { document, created } = await fetchDocument(ctx, subject, descriptor, kind.maxBytes, (bytes) =>
          kind.parse(format, bytes),
        );
        return {
          digest: descriptor.digest,
          artifactType,
          document,
          ...(created === undefined ? {} : { created }),
          ...signature,
        };
      } catch (error) {
        return { digest: descriptor.digest, artifactType, error: errorOf(error).message, ...signature };
      }
    }),
  );
}

/** Whether any attached SBOM could change the decision. */
function sbomMatters(scope: PolicyScope): boolean {
  const s = scope.sbom;
  return s.required || s.signed || s.deniedPackages.length > 0 || s.deniedLicenses.length > 0;
}

/** Whether any attached report could change the decision. */
function reportsMatter(scope: PolicyScope): boolean {
  const v = scope.vulnerabilities;
  return (
    v.required || v.signed || v.maxSeverity !== 'CRITICAL' || v.deniedIds.length > 0 || v.maxAge !== undefined
  );
}

/** Checks that could not run because the referrers could not be listed: fail what the policy requires. */
function unavailableChecks(scope: PolicyScope, error: CheckError): Check[] {
  const reason = `the referrers of the image could not be listed: ${error.message}`;
  const checks: Check[] = [
    {
      id: 'signature',
      status: scope.signature.level === 'skip' ? 'skip' : 'fail',
      reason,
      evidence: { level: scope.signature.level, signatures: [] },
      error,
    },
  ];
  if (scope.sbom.required) {
    checks.push({ id: 'sbom', status: 'fail', reason, evidence: { accepted: [], rejected: [] }, error });
  }
  if (scope.vulnerabilities.required) {
    checks.push({
      id: 'vulnerability-report',
      status: 'fail',
      reason,
      evidence: { accepted: [], rejected: [] },
      error,
    });
  }
  return checks;
}

/** The image config digest (Trivy's ImageID), when the subject is an image manifest. */
async function imageIdentity(ctx: Context, subject: Descriptor): Promise<ImageIdentity> {
  try {
    const fetched = await ctx.cache.manifest(ctx.store, subject);
    const manifest = fetched.manifest as Partial<ImageManifest>;
    return manifest.config === undefined
      ? { manifestDigest: subject.digest }
      : { manifestDigest: subject.digest, configDigest: manifest.config.digest };
  } catch {
    return { manifestDigest: subject.digest };
  }
}

/**
 * The decision for one image reference (tag or digest; a tag is resolved and the decision bound
 * to the digest) under the policy. Fail closed: every error becomes a failed check with its
 * reason, and the decision is then a denial. Never throws.
 */
export async function evaluate(reference: string, deps: EvaluateDeps): Promise<Decision> {
  if (deps.timeoutMs === undefined) return decide(reference, deps);
  const timeoutMs = deps.timeoutMs;
  const evaluatedAt = deps.clock();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Decision>((resolve) => {
    timer = setTimeout(() => {
      const reason = `the decision did not finish within ${timeoutMs} ms, so the image is denied`;
      resolve(
        buildDecision({
          reference: { requested: reference, repository: reference },
          policy: { name: deps.policy.policy.metadata.name, digest: deps.policy.digest },
          evaluatedAt,
          checks: [
            {
              id: 'reference',
              status: 'fail',
              reason,
              evidence: { requested: reference, repository: reference },
              error: { code: 'TIMEOUT', message: reason },
            },
          ],
        }),
      );
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([decide(reference, deps), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function decide(reference: string, deps: EvaluateDeps): Promise<Decision> {
  const evaluatedAt = deps.clock();
  const logger = deps.logger ?? silentEngineLogger;
  const policy = { name: deps.policy.policy.metadata.name, digest: deps.policy.digest };
  const cache = deps.cache ?? new MaterialCache();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const denied = (evidence: ReferenceEvidence, checks: Check[], scope?: string): Decision =>
    buildDecision({
      reference: evidence,
      policy,
      evaluatedAt,
      checks,
      ...(scope === undefined ? {} : { scope }),
    });

  try {
    // 1. The reference and its digest.
    let target: OpenedTarget;
    try {
      target = await deps.openTarget(reference);
    } catch (error) {
      const e = errorOf(error);
      return denied({ requested: reference, repository: reference }, [
        {
          id: 'reference',
          status: 'fail',
          reason: `the reference cannot be used: ${e.message}`,
          evidence: { requested: reference, repository: reference },
          error: e,
        },
      ]);
    }
    const evidence: ReferenceEvidence = {
      requested: reference,
      repository: target.repository,
      ...(target.tag === undefined || target.digest !== undefined ? {} : { tag: target.tag }),
    };
    let subject: Descriptor;
    try {
      logger.info(`resolving ${reference}`);
      subject = await target.store.resolve(target.digest ?? target.tag ?? 'latest');
      if (target.digest !== undefined && subject.digest !== target.digest) {
        throw new VerifyCoreError(
          'FETCH_FAILED',
          `the store answered ${subject.digest} for ${target.digest}`,
        );
      }
    } catch (error) {
      const e = errorOf(error);
      return denied(evidence, [
        {
          id: 'reference',
          status: 'fail',
          reason: `${reference} could not be resolved: ${e.message}`,
          evidence,
          error: e,
        },
      ]);
    }
    const resolved: ReferenceEvidence = { ...evidence, digest: subject.digest, mediaType: subject.mediaType };
    const checks: Check[] = [
      {
        id: 'reference',
        status: 'pass',
        reason:
          target.digest !== undefined
            ? `${reference} names ${subject.digest}`
            : `${reference} resolved to ${subject.digest}`,
        evidence: resolved,
      },
    ];

    // 2. The scope.
    const scope = selectScope(deps.policy.policy, target.repository);
    if (scope === undefined) {
      checks.push({
        id: 'scope',
        status: 'fail',
        reason: `no scope of policy "${policy.name}" applies to ${target.repository}; add it to a scope's registryScopes, or add a scope with registryScopes: ["*"]`,
        evidence: { policy: policy.name },
      });
      return denied(resolved, checks);
    }
    checks.push({
      id: 'scope',
      status: 'pass',
      reason: `scope "${scope.name}" applies to ${target.repository}`,
      evidence: {
        policy: policy.name,
        scope: scope.name,
        matched: scope.registryScopes.includes(target.repository) ? target.repository : WILDCARD_SCOPE,
      },
    });

    // 3. The referrers.
    const ctx: Context = { deps, cache, limits, logger, store: target.store, repository: target.repository };
    let referrers: Descriptor[];
    try {
      logger.info(`listing the referrers of ${subject.digest}`);
      referrers = await cache.referrers(target.store, subject);
    } catch (error) {
      checks.push(...unavailableChecks(scope, errorOf(error)));
      return denied(resolved, checks, scope.name);
    }

    // 4. Signatures, SBOMs and reports, fetched in parallel.
    logger.info(
      `verifying ${referrers.filter((d) => d.artifactType === NOTARY_SIGNATURE_ARTIFACT_TYPE).length} signature(s)`,
    );
    const [signatures, sboms, reports] = await Promise.all([
      scope.signature.level === 'skip'
        ? Promise.resolve({ verified: true, message: 'skipped', signatures: [], warnings: [], count: 0 })
        : verifyAttached(ctx, scope, subject, referrers),
      sbomMatters(scope)
        ? collectDocuments(ctx, scope, subject, referrers, {
            types: SBOM_ARTIFACT_TYPES,
            signed: scope.sbom.signed,
            maxBytes: limits.sbomBytes,
            parse: parseSbom,
          })
        : Promise.resolve([]),
      reportsMatter(scope)
        ? collectDocuments(ctx, scope, subject, referrers, {
            types: REPORT_ARTIFACT_TYPES,
            signed: scope.vulnerabilities.signed,
            maxBytes: limits.reportBytes,
            parse: (format, bytes) =>
              format === 'sarif' ? parseSarifReport(bytes) : parseTrivyReport(bytes),
          })
        : Promise.resolve([]),
    ]);
    checks.push(signatureCheck(scope, signatures));
    if (sbomMatters(scope)) checks.push(...sbomChecks(scope.sbom, sboms));
    if (reportsMatter(scope)) {
      const image =
        reports.length > 0 ? await imageIdentity(ctx, subject) : { manifestDigest: subject.digest };
      checks.push(...vulnerabilityChecks(scope.vulnerabilities, reports, image, evaluatedAt));
    }
    const decision = denied(resolved, checks, scope.name);
    logger.info(`${decision.allowed ? 'allowed' : 'denied'}: ${subject.digest}`);
    return decision;
  } catch (error) {
    // A fault of the code itself: still a denial, with its reason.
    const e = errorOf(error);
    logger.warn(`the decision failed: ${e.message}`);
    return denied({ requested: reference, repository: reference }, [
      {
        id: 'reference',
        status: 'fail',
        reason: `the decision could not be made: ${e.message}`,
        evidence: { requested: reference, repository: reference },
        error: { code: 'BUG', message: e.message },
      },
    ]);
  }
}
