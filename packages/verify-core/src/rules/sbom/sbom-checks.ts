import type { Check, RejectedDocumentEvidence, SbomCheck, SbomEvidence } from '../../decision/types.js';
import type { SbomPolicy } from '../../policy/types.js';
import { type AttachedArtifact, signedArtifactsCheck } from '../attached-artifact.js';
import { plural, shortDigest, summarizeList } from '../summarize.js';
import { findDeniedLicenses, findDeniedPackages } from './evaluate-sbom.js';
import type { SbomDocument } from './sbom-document.js';

export type AttachedSbom = AttachedArtifact<SbomDocument>;

function tool(doc: SbomDocument): string | undefined {
  const creator = doc.creators.find((c) => c.startsWith('Tool:'));
  return creator?.slice('Tool:'.length).trim();
}

/**
 * The SBOM checks of a decision (`sbom`, `sbom-signature`, `sbom-packages`, `sbom-licenses`),
 * from the SBOM referrers of the image. Pure.
 */
export function sbomChecks(policy: SbomPolicy, attached: readonly AttachedSbom[]): Check[] {
  const checks: Check[] = [];
  const rejected: RejectedDocumentEvidence[] = [];
  const parsed: (AttachedSbom & { document: SbomDocument })[] = [];
  for (const artifact of attached) {
    if (artifact.document === undefined) {
      rejected.push({
        digest: artifact.digest,
        artifactType: artifact.artifactType,
        reason: artifact.error ?? 'it could not be read',
      });
    } else if (!policy.formats.includes(artifact.document.format)) {
      rejected.push({
        digest: artifact.digest,
        artifactType: artifact.artifactType,
        reason: `the policy accepts ${policy.formats.join(', ')} SBOMs, not ${artifact.document.format}`,
      });
    } else {
      parsed.push({ ...artifact, document: artifact.document });
    }
  }

  let usable = parsed;
  if (policy.signed) {
    const signed = signedArtifactsCheck({ id: 'sbom-signature', noun: 'SBOM' }, parsed, rejected);
    checks.push(signed.check);
    usable = signed.usable;
  }

  const evidence: SbomEvidence = {
    accepted: usable.map((a) => {
      const t = tool(a.document);
      const created = a.document.created ?? a.created;
      return {
        digest: a.digest,
        artifactType: a.artifactType,
        format: a.document.format,
        specVersion: a.document.specVersion,
        ...(t === undefined ? {} : { tool: t }),
        ...(created === undefined ? {} : { created }),
        packages: a.document.packages.length,
      };
    }),
    rejected,
  };
  const sbomCheck = ((): SbomCheck => {
    const first = usable[0];
    if (first !== undefined) {
      return {
        id: 'sbom',
        status: 'pass',
        reason: `${first.document.specVersion} SBOM ${shortDigest(first.digest)} attached (${plural(first.document.packages.length, 'package')})${usable.length > 1 ? ` and ${plural(usable.length - 1, 'other')}` : ''}`,
        evidence,
      };
    }
    const why =
      rejected.length === 0
        ? 'none is attached'
        : `the attached one was rejected: ${rejected[0]?.reason ?? ''}`;
    if (policy.required) {
      return {
        id: 'sbom',
        status: 'fail',
        reason: `no ${policy.formats.join(' or ')} SBOM${policy.signed ? ' with a trusted signature' : ''}: ${why}; the policy requires one`,
        evidence,
      };
    }
    return {
      id: 'sbom',
      status: rejected.length === 0 ? 'skip' : 'warn',
      reason: `no usable SBOM (${why}); not required`,
      evidence,
    };
  })();
  checks.push(sbomCheck);

  const documents = usable.map((a) => a.document);
  const packageCount = documents.reduce((n, d) => n + d.packages.length, 0);
  if (policy.deniedPackages.length > 0) {
    if (documents.length === 0) {
      checks.push({
        id: 'sbom-packages',
        status: 'skip',
        reason: 'no SBOM to check for denied packages',
        evidence: { packages: 0, denied: [] },
      });
    } else {
      const denied = findDeniedPackages(documents, policy);
      checks.push({
        id: 'sbom-packages',
        status: denied.length === 0 ? 'pass' : 'fail',
        reason:
          denied.length === 0
            ? `none of ${plural(packageCount, 'package')} is denied`
            : `denied ${denied.length === 1 ? 'package' : 'packages'} ${summarizeList(
                denied.map(
                  (d) =>
                    `${d.name} ${d.version ?? '(version unknown)'}${d.rule.reason === undefined ? '' : ` (${d.rule.reason})`}`,
                ),
              )}`,
        evidence: { packages: packageCount, denied },
      });
    }
  }
  if (policy.deniedLicenses.length > 0) {
    if (documents.length === 0) {
      checks.push({
        id: 'sbom-licenses',
        status: 'skip',
        reason: 'no SBOM to check for denied licenses',
        evidence: { packages: 0, denied: [] },
      });
    } else {
      const denied = findDeniedLicenses(documents, policy);
      checks.push({
        id: 'sbom-licenses',
        status: denied.length === 0 ? 'pass' : 'fail',
        reason:
          denied.length === 0
            ? `no denied license in ${plural(packageCount, 'package')}`
            : `denied ${denied.length === 1 ? 'license' : 'licenses'}: ${summarizeList(
                denied.map((d) => `${d.name} ${d.version ?? ''} is ${d.license}`.replace('  ', ' ')),
              )}`,
        evidence: { packages: packageCount, denied },
      });
    }
  }
  return checks;
}
