import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/harness/paths.js';
import { LayoutStore } from './layout/layout-store.js';
import { createRegistryClient, openStore, parseLayoutTarget } from './open-store.js';
import { RegistryStore } from './registry/registry-store.js';

const HEX = 'b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

describe('oci: targets', () => {
  it.each([
    ['oci:./layout', { dir: './layout', tag: 'latest' }],
    ['oci:./layout:v1', { dir: './layout', tag: 'v1' }],
    [`oci:/tmp/x@sha256:${HEX}`, { dir: '/tmp/x', digest: `sha256:${HEX}` }],
    [`oci:/tmp/x:v1@sha256:${HEX}`, { dir: '/tmp/x', tag: 'v1', digest: `sha256:${HEX}` }],
    ['oci:/a:b/layout', { dir: '/a:b/layout', tag: 'latest' }],
    ['oci:C:\\layouts\\app:v2', { dir: 'C:\\layouts\\app', tag: 'v2' }],
    ['oci:C:\\layouts\\app', { dir: 'C:\\layouts\\app', tag: 'latest' }],
  ])('parses %s', (target, expected) => {
    expect(parseLayoutTarget(target)).toEqual(expected);
  });

  it.each([
    ['oci:', /the directory is empty/],
    ['oci:./layout:-bad', /the tag "-bad" is not valid/],
    ['oci:./layout@sha256:abc', /expected 64 lowercase hex/],
    ['./layout', /write oci:<dir>/],
  ])('refuses %s, naming the problem', (target, message) => {
    expect(() => parseLayoutTarget(target)).toThrow(message);
  });
});

describe('openStore', () => {
  it('opens an OCI layout and defaults to tag latest', async () => {
    const dir = sharedPath('vectors', 'notation', 'test', 'e2e', 'testdata', 'registry', 'oci_layout', 'e2e');
    const opened = await openStore(`oci:${dir}:v1`);
    expect(opened.store).toBeInstanceOf(LayoutStore);
    expect(opened.reference).toEqual({ tag: 'v1' });
    expect((await opened.store.resolve('v1')).size).toBe(517);
    expect((await openStore(`oci:${dir}`)).reference).toEqual({ tag: 'latest' });
  });

  it('opens a registry repository, normalising the reference', async () => {
    const opened = await openStore('alpine', { client: createRegistryClient() });
    expect(opened.store).toBeInstanceOf(RegistryStore);
    expect(opened.store.location).toBe('docker.io/library/alpine');
    expect(opened.reference).toEqual({ tag: 'latest' });
    const pinned = await openStore(`localhost:5000/team/app@sha256:${HEX}`);
    expect(pinned.store.location).toBe('localhost:5000/team/app');
    expect(pinned.reference).toEqual({ digest: `sha256:${HEX}` });
  });

  it('rejects a bad reference with REFERENCE_INVALID', async () => {
    await expect(openStore('Team/App:v1')).rejects.toMatchObject({ code: 'REFERENCE_INVALID' });
  });

  it('uses https unless plain HTTP is asked for by name', () => {
    const client = createRegistryClient({ plainHttp: ['localhost:5000'] });
    expect(client.baseUrl('localhost:5000').href).toBe('http://localhost:5000/');
    expect(client.baseUrl('localhost:5001').href).toBe('https://localhost:5001/');
    expect(createRegistryClient().baseUrl('localhost:5000').protocol).toBe('https:');
  });
});
