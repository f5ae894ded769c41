import type { CertificateEvidence, Check, Decision } from '../decision/types.js';

/** A verifier report in Ratify's verification response (version 0.1.0, as its Rego templates read it). */
export interface RatifyVerifierReport {
  subject: string;
  isSuccess: boolean;
  name: string;
  type: string;
  message: string;
  extensions: Record<string, unknown>;
  artifactType: string;
  nestedResults: RatifyVerifierReport[];
}

/** Ratify's verification response for one subject: what the admission provider returns per image. */
export interface RatifyResponse {
  version: '0.1.0';
  isSuccess: boolean;
  verifierReports: RatifyVerifierReport[];
}

const NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';

function find<Id extends Check['id']>(decision: Decision, id: Id): Extract<Check, { id: Id }> | undefined {
  return decision.checks.find((c): c is Extract<Check, { id: Id }> => c.id === id);
}

/** The `notation` report of one signature: of the image, or of an attached SBOM or report. */
function notationReport(
  subject: string,
  s: { verified: boolean; failure?: string; signer?: CertificateEvidence },
): RatifyVerifierReport {
  return {
    subject,
    isSuccess: s.verified,
    name: 'verifier-notation',
    type: 'notation',
    message: s.verified ? 'signature verification success' : (s.failure ?? 'signature verification failed'),
    extensions: s.signer === undefined ? {} : { Issuer: s.signer.issuer, SN: s.signer.subject },
    artifactType: NOTARY_SIGNATURE,
    nestedResults: [],
  };
}

/**
 * The decision in Ratify's response shape (`isSuccess`, `verifierReports`), so that Ratify's
 * Gatekeeper templates (notation issuer, SBOM, vulnerability report validation) read scs's
 * provider as they read Ratify: `notation` reports carry `extensions.Issuer`/`SN`, `sbom` and
 * `vulnerabilityreport` reports carry nested signature results and `createdAt`.
 * `isSuccess` is exactly `decision.allowed`.
 */
export function renderRatifyResponse(decision: Decision): RatifyResponse {
  const repository = decision.subject.repository;
  const subject =
    decision.subject.digest === undefined
      ? decision.subject.reference
      : `${repository}@${decision.subject.digest}`;
  const reports: RatifyVerifierReport[] = [];

  // Checks that stop everything (unresolvable reference, no applicable scope) have no verifier: report them as scs.
  for (const id of ['reference', 'scope'] as const) {
    const check = find(decision, id);
    if (check !== undefined && check.status === 'fail') {
      reports.push({
        subject,
        isSuccess: false,
        name: `scs-${id}`,
        type: 'scs',
        message: check.reason,
        extensions: check.error === undefined ? {} : { error: check.error },
        artifactType: '',
        nestedResults: [],
      });
    }
  }

  const signature = find(decision, 'signature');
  if (signature !== undefined) {
    const signatures = signature.evidence.signatures;
    if (signatures.length === 0 || signature.status === 'skip') {
      reports.push({
        subject,
        isSuccess: signature.status !== 'fail',
        name: 'verifier-notation',
        type: 'notation',
        message: signature.reason,
        extensions: {},
        artifactType: NOTARY_SIGNATURE,
        nestedResults: [],
      });
    }
    for (const s of signature.status === 'skip' ? [] : signatures) {
      reports.push(notationReport(subject, s));
    }
  }

  const sbom = find(decision, 'sbom');
  if (sbom !== undefined && sbom.status !== 'skip') {
    const sbomSignature = find(decision, 'sbom-signature');
    const content = [find(decision, 'sbom-packages'), find(decision, 'sbom-licenses')].filter(
      (c) => c !== undefined,
    );
    const failed = [sbom, ...content].filter((c) => c.status === 'fail');
    const doc = sbom.evidence.accepted[0];
    reports.push({
      subject,
      isSuccess: failed.length === 0,
      name: 'verifier-sbom',
      type: 'sbom',
      message: failed.length === 0 ? sbom.reason : failed.map((c) => c.reason).join('; '),
      extensions: {
        ...(doc?.created === undefined ? {} : { created: doc.created }),
        ...(doc?.tool === undefined ? {} : { creators: [`Tool: ${doc.tool}`] }),
        ...Object.fromEntries(
          content.map((c) => [
            c.id === 'sbom-packages' ? 'deniedPackages' : 'deniedLicenses',
            c.evidence.denied,
          ]),
        ),
      },
      artifactType: doc?.artifactType ?? sbom.evidence.rejected[0]?.artifactType ?? 'application/spdx+json',
      nestedResults: (sbomSignature?.evidence.artifacts ?? []).map((a) =>
        notationReport(`${repository}@${a.digest}`, a),
      ),
    });
  }

  const report = find(decision, 'vulnerability-report');
  const vulns = find(decision, 'vulnerabilities');
  if (report !== undefined && report.status !== 'skip') {
    const reportSignature = find(decision, 'vulnerability-report-signature');
    const failed = [report, vulns].filter((c) => c !== undefined && c.status === 'fail');
    const doc = report.evidence.accepted[0];
    reports.push({
      subject,
      isSuccess: failed.length === 0,
      name: 'verifier-vulnerabilityreport',
      type: 'vulnerabilityreport',
      message:
        failed.length === 0
          ? (vulns?.reason ?? report.reason)
          : failed.map((c) => c?.reason ?? '').join('; '),
      extensions: {
        ...(doc?.tool === undefined ? {} : { scanner: doc.tool }),
        ...(doc?.created === undefined ? {} : { createdAt: doc.created }),
        ...(vulns === undefined
          ? {}
          : {
              counts: vulns.evidence.counts,
              blocking: vulns.evidence.blocking.map((b) => b.id),
              maxSeverity: vulns.evidence.maxSeverity,
            }),
      },
      artifactType:
        doc?.artifactType ?? report.evidence.rejected[0]?.artifactType ?? 'application/sarif+json',
      nestedResults: (reportSignature?.evidence.artifacts ?? []).map((a) =>
        notationReport(`${repository}@${a.digest}`, a),
      ),
    });
  }

  return { version: '0.1.0', isSuccess: decision.allowed, verifierReports: reports };
}
