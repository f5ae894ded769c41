/** Test support: notation's signed layouts copied into the harness registry. */
import { cp, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { copyGraph, openStore } from '@scs/oci';
import { E2E_LAYOUTS } from './notation-layouts.js';

/**
 * Copy the layout (from a temporary copy under `work`, the vectors stay untouched) with its
 * referrers into `host/repository:v1` of a plain-HTTP registry. Returns that reference.
 */
export async function pushE2eLayout(
  host: string,
  work: string,
  layout: string,
  repository: string,
): Promise<string> {
  const copy = await mkdtemp(path.join(work, `layout-${layout}-`));
  await cp(path.join(E2E_LAYOUTS, layout), copy, { recursive: true });
  const src = await openStore(`oci:${copy}:v1`);
  const dst = await openStore(`${host}/${repository}:v1`, { plainHttp: true });
  const root = await src.store.resolve('v1');
  await copyGraph(src.store, dst.store, root, { referrers: true });
  await dst.store.tag(root, 'v1');
  return `${host}/${repository}:v1`;
}
