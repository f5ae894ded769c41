import os from 'node:os';
import path from 'node:path';
import type { ArtifactStore, Descriptor } from '@scs/oci';
import type { CliCommandContext } from '../cli/command.js';
import { progress } from '../cli/command.js';
import { DEFAULT_NAMESPACE, SCS_PROVIDER } from '../bundle/bundle-options.js';
import { checkProviderImage, compileBundle } from '../bundle/compile-bundle.js';
import { generateProviderTls } from '../bundle/provider-tls.js';
import { writeBundle } from '../bundle/write-bundle.js';
import type { Decision } from '../decision/types.js';
import { evaluate } from '../engine/evaluate.js';
import { NOTARY_SIGNATURE_ARTIFACT_TYPE } from '../engine/evaluate.js';
import { VerifyCoreError } from '../errors.js';
import { loadPolicy } from '../policy/load-policy.js';
import { renderDecisionJson } from '../render/render-json.js';
import { TRIVY_REPORT_ARTIFACT_TYPE } from '../rules/vulnerabilities/vulnerability-report.js';
import type { DemoFinding } from './sample-documents.js';
import { demoSpdx, demoTrivyReport } from './sample-documents.js';
import type { SampleImage } from './sample-image.js';
import { buildSampleImage } from './sample-image.js';

export interface DemoCase {
  tag: string;
  story: string;
  expected: 'ALLOWED' | 'DENIED';
  decision: Decision;
}

/** The cluster policy bundle the demo compiled from its policy (the scs engine). */
export interface DemoBundle {
  dir: string;
  engine: 'scs';
  /** The scs provider image the Deployment runs. */
  image: string;
  /** True when no `--image` was given: the image is `DEMO_PROVIDER_IMAGE`, which does not exist. */
  placeholderImage: boolean;
  files: string[];
  /** Files holding a private key (the provider's TLS key), written with mode 0600. */
  privateFiles: string[];
}

export interface DemoResult {
  dir: string;
  layout: string;
  policyFile: string;
  cases: DemoCase[];
  /** Every case came out as the story says. */
  asExpected: boolean;
  bundle: DemoBundle;
}

/**
 * The provider image of the demo's bundle when none is given: digest-pinned as the bundle
 * requires, in the reserved `.invalid` domain so that it can never pull anything. Replace it
 * with the scs image you run (`scs demo --image`, or `scs bundle`).
 */
export const DEMO_PROVIDER_IMAGE = `scs.invalid/scs@sha256:${'0'.repeat(64)}`;

const SBOM_TYPE = 'application/spdx+json';

const CLEAN_FINDINGS: DemoFinding[] = [
  {
    id: 'CVE-2099-0001',
    severity: 'MEDIUM',
    pkg: 'musl',
    installed: '1.2.5-r0',
    fixed: '1.2.5-r1',
    title: 'musl: demo finding (fictional)',
  },
  {
    id: 'CVE-2099-0003',
    severity: 'LOW',
    pkg: 'zlib',
    installed: '1.3.1-r1',
    title: 'zlib: demo finding without a fix (fictional)',
  },
];
const CRITICAL_FINDING: DemoFinding = {
  id: 'CVE-2099-0002',
  severity: 'CRITICAL',
  pkg: 'libcrypto3',
  installed: '3.3.2-r0',
  fixed: '3.3.3-r0',
  title: 'libcrypto3: remote code execution (fictional demo finding)',
};

function policyYaml(repository: string, subject: string): string {
  return `# Written by scs demo. The same file drives scs verify in CI and the cluster bundle.
apiVersion: scs.dev/v1alpha1
kind: SupplyChainPolicy
metadata: { name: demo }
spec:
  scopes:
    - name: demo-app
      registryScopes: ["${repository}"]
      signature:
        level: strict
        trustStores:
          - { name: scs-demo, type: ca, certificates: ["keys/scs-demo.crt"] }
        trustedIdentities: ["x509.subject: ${subject}"]
      sbom: { required: true, formats: [spdx], signed: false, deniedPackages: [{ name: log4j-core, versions: "<2.17.1" }], deniedLicenses: [AGPL-3.0*] }
      vulnerabilities:
        required: true
        maxSeverity: HIGH          # a CRITICAL finding denies
        ignoreUnfixed: false
        exceptions:
          - { id: CVE-2099-0001, reason: "demo: not reachable", expires: "2099-01-01" }
  admission: { excludedNamespaces: [kube-system, gatekeeper-system], enforcementAction: deny }
`;
}

async function pushImage(store: ArtifactStore, image: SampleImage, tag: string): Promise<Descriptor> {
  await store.pushBlob(image.config.bytes, image.config.mediaType);
  await store.pushBlob(image.layer.bytes, image.layer.mediaType);
  return store.pushManifest(image.manifest.bytes, image.manifest.mediaType, { tag });
}

async function attach(
  store: ArtifactStore,
  subject: Descriptor,
  artifactType: string,
  content: Uint8Array,
  created: string,
  title: string,
): Promise<Descriptor> {
  return store.attach({
    subject,
    artifactType,
    layers: [{ mediaType: artifactType, content, annotations: { 'org.opencontainers.image.title': title } }],
    annotations: { 'org.opencontainers.image.created': created },
  });
}

/**
 * The seed's story, offline, on an OCI image layout: build sample images, make a test signing
 * certificate, sign, attach an SBOM and a scan report, write a policy, decide, and write the
 * cluster policy bundle of that policy (Gatekeeper + the scs provider) into `<dir>/bundle`.
 */
export async function runDemo(
  ctx: CliCommandContext,
  options: { dir?: string; image?: string } = {},
): Promise<DemoResult> {
  const image = options.image ?? DEMO_PROVIDER_IMAGE;
  checkProviderImage(image);
  const dir = options.dir ?? (await ctx.fs.mkdtemp(path.join(os.tmpdir(), 'scs-demo-')));
  if (options.dir !== undefined) {
    const existing = await ctx.fs.stat(dir);
    if (existing !== undefined && (!existing.isDirectory || (await ctx.fs.readdir(dir)).length > 0)) {
      throw new VerifyCoreError('USAGE', `scs demo: ${dir} is not empty; give a new or empty --dir`);
    }
    await ctx.fs.mkdir(dir);
  }
  const layout = path.join(dir, 'demo-app');
  const created = ctx
    .clock()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const registry = { plainHttp: false };

  progress(ctx, 'creating a test signing certificate (CN=scs-demo)');
  const cert = await ctx.services.generateTestCertificate('scs-demo', { days: 30 });
  await ctx.fs.mkdir(path.join(dir, 'keys'));
  await ctx.fs.writeFile(path.join(dir, 'keys', 'scs-demo.crt'), cert.certificatePem);
  await ctx.fs.writeFile(path.join(dir, 'keys', 'scs-demo.key'), cert.keyPem, { mode: 0o600 });
  const key = { keyPem: cert.keyPem, certificatePem: cert.certificatePem };

  progress(ctx, `building sample images into the OCI layout ${layout}`);
  const { store, repository } = await ctx.services.openTarget(`oci:${layout}:latest`, registry);
  const release = buildSampleImage({ file: 'hello.txt', text: 'hello from release 1.0\n' });
  const images = {
    unsigned: buildSampleImage({ file: 'hello.txt', text: 'hello from a laptop build\n' }),
    signed: release,
    critical: buildSampleImage({ file: 'hello.txt', text: 'hello from release 1.1\n' }),
  };
  const descriptors: Record<string, Descriptor> = {};
  for (const [tag, image] of Object.entries(images)) descriptors[tag] = await pushImage(store, image, tag);

  // The tampered image: release 1.0 with its layer swapped, carrying release 1.0's signature.
  const swapped = buildSampleImage({ file: 'hello.txt', text: 'hello from release 1.0\n# backdoor\n' });
  const tampered: SampleImage = {
    ...swapped,
    config: release.config,
    manifest: (() => {
      const manifest = JSON.parse(Buffer.from(release.manifest.bytes).toString('utf8')) as {
        layers: unknown[];
      };
      manifest.layers = [
        { mediaType: swapped.layer.mediaType, digest: swapped.layer.digest, size: swapped.layer.size },
      ];
      const bytes = new TextEncoder().encode(JSON.stringify(manifest));
      return { ...release.manifest, bytes, size: bytes.length, digest: '' };
    })(),
  };
  const tamperedSubject = await pushImage(store, tampered, 'tampered');
  descriptors.tampered = tamperedSubject;

  progress(ctx, 'signing release images (JWS) with the test certificate');
  const signedTargets = ['signed', 'critical'] as const;
  const signatures: Record<string, Descriptor> = {};
  for (const tag of signedTargets) {
    const subject = descriptors[tag];
    if (subject === undefined) continue;
    const target = await ctx.services.openTarget(`oci:${layout}@${subject.digest}`, registry);
    signatures[tag] = (
      await ctx.services.sign(target, subject, { key, format: 'jws', userMetadata: {} })
    ).signature;
  }
  // The attacker copies release 1.0's signature envelope onto the tampered image.
  const original = signatures.signed;
  if (original !== undefined) {
    const manifest = await store.fetchManifest(original);
    const layer = 'layers' in manifest.manifest ? manifest.manifest.layers[0] : undefined;
    if (layer === undefined) throw new VerifyCoreError('BUG', 'the demo signature manifest has no layer');
    const envelope = await store.fetchBlob(layer);
    await store.attach({
      subject: tamperedSubject,
      artifactType: NOTARY_SIGNATURE_ARTIFACT_TYPE,
      layers: [{ mediaType: layer.mediaType, content: envelope }],
    });
  }

  progress(ctx, 'attaching SBOMs (SPDX) and scan reports (Trivy JSON)');
  for (const tag of ['signed', 'critical', 'tampered'] as const) {
    const subject = descriptors[tag];
    if (subject === undefined) continue;
    const name = `${repository}:${tag}`;
    const configDigest = (tag === 'critical' ? images.critical : release).config.digest;
    await attach(store, subject, SBOM_TYPE, demoSpdx(name, created), created, 'sbom.spdx.json');
    const findings = tag === 'critical' ? [...CLEAN_FINDINGS, CRITICAL_FINDING] : CLEAN_FINDINGS;
    await attach(
      store,
      subject,
      TRIVY_REPORT_ARTIFACT_TYPE,
      demoTrivyReport(name, configDigest, created, findings),
      created,
      'trivy.json',
    );
  }

  const policyFile = path.join(dir, 'scs-policy.yaml');
  await ctx.fs.writeFile(policyFile, policyYaml(repository, cert.subject));
  progress(ctx, `wrote the policy ${policyFile}; deciding`);
  const loaded = await loadPolicy(policyFile, { reader: ctx.fs, now: ctx.clock });
  const verifier = await ctx.services.policyVerifier(loaded);
  const cache = ctx.services.cache();
  const stories: { tag: string; story: string; expected: 'ALLOWED' | 'DENIED' }[] = [
    { tag: 'unsigned', story: 'unsigned image', expected: 'DENIED' },
    { tag: 'signed', story: 'signed image', expected: 'ALLOWED' },
    { tag: 'critical', story: 'signed, CRITICAL finding', expected: 'DENIED' },
    { tag: 'tampered', story: 'tampered image', expected: 'DENIED' },
  ];
  const cases: DemoCase[] = [];
  await ctx.fs.mkdir(path.join(dir, 'decisions'));
  for (const story of stories) {
    const decision = await evaluate(`oci:${layout}:${story.tag}`, {
      policy: loaded,
      verifier,
      openTarget: (ref) => ctx.services.openTarget(ref, registry),
      clock: ctx.clock,
      cache,
    });
    await ctx.fs.writeFile(path.join(dir, 'decisions', `${story.tag}.json`), renderDecisionJson(decision));
    cases.push({ ...story, decision });
  }
  const asExpected = cases.every((c) => (c.decision.allowed ? 'ALLOWED' : 'DENIED') === c.expected);

  progress(ctx, 'compiling the cluster policy bundle of the policy (Gatekeeper + the scs provider)');
  const tls = await generateProviderTls({
    service: SCS_PROVIDER.name,
    namespace: DEFAULT_NAMESPACE,
    now: ctx.clock(),
  });
  const compiled = compileBundle(loaded, { engine: 'scs', scs: { image, tls } });
  const written = await writeBundle(ctx.fs, path.join(dir, 'bundle'), compiled);
  const bundle: DemoBundle = {
    dir: written.dir,
    engine: 'scs',
    image,
    placeholderImage: options.image === undefined,
    files: written.files,
    privateFiles: [...compiled.privateFiles].sort(),
  };
  return { dir, layout, policyFile, cases, asExpected, bundle };
}

/** The demo's table: one row per image, its decision and the reason. */
export function formatDemoTable(result: DemoResult): string {
  const rows = result.cases.map((c) => {
    const verdict = c.decision.allowed ? 'ALLOWED' : 'DENIED';
    const reason = c.decision.allowed
      ? (c.decision.checks.find((k) => k.id === 'signature')?.reason ?? '')
      : (c.decision.reasons[0] ?? '');
    return [c.story, `oci:…/demo-app:${c.tag}`, verdict, reason];
  });
  const header = ['case', 'image', 'decision', 'reason'];
  const widths = [0, 1, 2].map((i) =>
    Math.max(header[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...rows.map(line)].join(
    '\n',
  );
}
