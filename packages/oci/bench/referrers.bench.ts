/**
 * Referrers benchmark: how many HTTP requests (and how long) it takes to list the referrers of
 * an image by digest on a registry without the referrers API (distribution 2.8, the harness
 * registry), first and second call, to fetch one signature envelope, and to attach one small
 * artifact (which includes the tag-schema write, its read-back and the settle re-check).
 *
 * Run: `pnpm exec tsx packages/oci/bench/referrers.bench.ts`. Prints a table and writes
 * `bench-results/oci.json`. Measured, not asserted.
 */
import { performance } from 'node:perf_hooks';
import {
  summariseRequests,
  writeBenchResult,
  type RequestSample,
  type RequestSummary,
} from '../../../scripts/bench-kit.js';
import { sharedPath, startRegistry, type RegistryAuth } from '../../../test/harness/index.js';
import {
  copyGraph,
  LayoutStore,
  MEDIA_TYPES,
  NodeHttpTransport,
  RegistryClient,
  RegistryStore,
  staticCredentials,
  type Descriptor,
  type RequestEvent,
} from '../src/index.js';

const ITERATIONS = 25;
const SOURCE = sharedPath(
  'vectors',
  'notation',
  'test',
  'e2e',
  'testdata',
  'registry',
  'oci_layout',
  'e2e-valid-signature',
);

interface Sample extends RequestSample {
  /** Requests to the registry itself (the rest go to the token service). */
  registryRequests: number;
}

type Measure = RequestSummary & Pick<Sample, 'registryRequests'>;

/** `summariseRequests`, with the registry requests of a run that made the usual number of requests. */
function summarise(samples: Sample[]): Measure {
  const { requests, requestsRange, medianMs, p95Ms } = summariseRequests(samples);
  const typical = samples.find((s) => s.requests === requests);
  return { requests, requestsRange, registryRequests: typical?.registryRequests ?? 0, medianMs, p95Ms };
}

async function benchmark(auth: RegistryAuth): Promise<Record<string, Measure>> {
  const registry = await startRegistry({ auth });
  const transport = new NodeHttpTransport(registry.caPem !== undefined ? { ca: registry.caPem } : {});
  try {
    const credentials =
      registry.username !== undefined && registry.password !== undefined
        ? staticCredentials({
            [registry.host]: { kind: 'basic', username: registry.username, password: registry.password },
          })
        : undefined;
    const newClient = (onRequest?: (e: RequestEvent) => void): RegistryClient =>
      new RegistryClient({
        transport,
        ...(registry.tls ? {} : { plainHttp: [registry.host] }),
        ...(credentials ? { credentials } : {}),
        ...(onRequest ? { onRequest } : {}),
      });

    // One image with a real notation signature, copied in from the vectors.
    const src = new LayoutStore(SOURCE);
    const root = await src.resolve('v1');
    const setup = new RegistryStore(newClient(), registry.host, 'bench/app');
    await copyGraph(src, setup, root, { referrers: true });

    const samples: Record<string, Sample[]> = {
      listFirst: [],
      listSecond: [],
      fetchEnvelope: [],
      attach: [],
    };
    for (let i = 0; i < ITERATIONS; i++) {
      const events: RequestEvent[] = [];
      const store = new RegistryStore(
        newClient((e) => events.push(e)),
        registry.host,
        'bench/app',
      );
      const measure = async (name: string, task: () => Promise<unknown>): Promise<void> => {
        events.length = 0;
        const started = performance.now();
        await task();
        const ms = performance.now() - started;
        const registryRequests = events.filter((e) => new URL(e.url).host === registry.host).length;
        samples[name]?.push({ requests: events.length, registryRequests, ms });
      };
      let signature: Descriptor | undefined;
      await measure('listFirst', async () => {
        [signature] = await store.referrers(root, { artifactType: MEDIA_TYPES.notarySignature });
      });
      await measure('listSecond', () => store.referrers(root, { artifactType: MEDIA_TYPES.notarySignature }));
      if (signature === undefined) throw new Error('the signature was not listed');
      const listed = signature;
      await measure('fetchEnvelope', async () => {
        const { manifest } = await store.fetchManifest(listed);
        const envelope = 'layers' in manifest ? manifest.layers[0] : undefined;
        if (envelope === undefined) throw new Error('no envelope layer');
        await store.fetchBlob(envelope);
      });
      // a fresh client attaching one small artifact (blobs + manifest + tag-schema update)
      const attacher = new RegistryStore(
        newClient((e) => events.push(e)),
        registry.host,
        'bench/app',
      );
      await measure('attach', () =>
        attacher.attach({
          subject: root,
          artifactType: 'application/vnd.example.note',
          layers: [{ mediaType: 'text/plain', content: new TextEncoder().encode(`note ${i}`) }],
        }),
      );
    }
    return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarise(v)]));
  } finally {
    transport.close();
    await registry.stop();
  }
}

const results = {
  benchmark: 'oci referrers',
  registry: 'docker-registry (distribution 2.8, no referrers API: tag-schema fallback)',
  iterations: ITERATIONS,
  node: process.version,
  date: new Date().toISOString(),
  anonymous: await benchmark('none'),
  token: await benchmark('token'),
};

console.log(`oci referrers bench (${ITERATIONS} iterations, fresh client per iteration)`);
for (const mode of ['anonymous', 'token'] as const) {
  for (const [name, m] of Object.entries(results[mode])) {
    console.log(
      `${mode.padEnd(9)} ${name.padEnd(13)} requests ${String(m.requests).padStart(2)} (registry ${m.registryRequests})  median ${m.medianMs.toFixed(2)} ms  p95 ${m.p95Ms.toFixed(2)} ms`,
    );
  }
}
await writeBenchResult('oci.json', results);
