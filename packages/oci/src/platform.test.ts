import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { LayoutStore } from './layout/layout-store.js';
import { encodeJson } from './manifest.js';
import { normalisePlatform, parsePlatform, platformMatches, selectPlatform } from './platform.js';
import { resolvePlatform } from './resolve-platform.js';
import { sampleImage, withTempDir, pushSampleImage } from './test-support.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex, type Platform } from './types.js';

const entry = (
  name: string,
  platform?: Platform,
  mediaType: string = MEDIA_TYPES.imageManifest,
): Descriptor => ({
  mediaType,
  digest: sha256Digest(new TextEncoder().encode(name)),
  size: name.length,
  ...(platform ? { platform } : {}),
});
const digestOf = (name: string): string => sha256Digest(new TextEncoder().encode(name));
const indexOf = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, manifests });

describe('platform selection', () => {
  // the shape of a docker buildx index: arm/v6 before arm/v7, and an attestation entry
  const index = indexOf(
    entry('amd64', { os: 'linux', architecture: 'amd64' }),
    entry('amd64v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }),
    entry('armv6', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry('armv7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry('arm64', { os: 'linux', architecture: 'arm64' }),
    entry('windows', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' }),
    entry('attestation', { os: 'unknown', architecture: 'unknown' }),
  );
  const pick = (wanted: string | Platform): string =>
    selectPlatform(index, typeof wanted === 'string' ? parsePlatform(wanted) : wanted, 'app:v1').digest;

  describe('when the platform is given as os/architecture', () => {
    it.each([
      ['linux/amd64', 'amd64'],
      ['linux/arm64', 'arm64'],
      ['windows/amd64', 'windows'],
    ])('%s takes the entry of that os and architecture', (wanted, name) => {
      expect(pick(wanted)).toBe(digestOf(name));
    });

    it("takes the architecture's default variant whatever the order (linux/arm is arm/v7)", () => {
      expect(pick('linux/arm')).toBe(digestOf('armv7'));
    });

    it('takes the entry without a variant for amd64 (v1) over amd64/v3', () => {
      expect(pick('linux/amd64')).toBe(digestOf('amd64'));
      const v3First = indexOf(index.manifests[1]!, index.manifests[0]!);
      expect(selectPlatform(v3First, parsePlatform('linux/amd64'), 'i').digest).toBe(digestOf('amd64'));
    });

    it('takes the only entry of the architecture when it has another variant', () => {
      const onlyV6 = indexOf(entry('armv6', { os: 'linux', architecture: 'arm', variant: 'v6' }));
      expect(selectPlatform(onlyV6, parsePlatform('linux/arm'), 'i').digest).toBe(digestOf('armv6'));
    });
  });

  describe('when a variant is asked for', () => {
    it.each([
      ['linux/arm/v6', 'armv6'],
      ['linux/arm/v7', 'armv7'],
      ['linux/arm64/v8', 'arm64'],
      ['linux/amd64/v3', 'amd64v3'],
      ['linux/amd64/v1', 'amd64'],
    ])('%s takes exactly that variant (an absent variant is the default one)', (wanted, name) => {
      expect(pick(wanted)).toBe(digestOf(name));
    });

    it('refuses another variant, listing what the index has', () => {
      expect(() => pick('linux/arm/v5')).toThrow(
        'app:v1 has no manifest for platform linux/arm/v5; it has: linux/amd64, linux/amd64/v3, linux/arm/v6, linux/arm/v7, linux/arm64, windows/amd64, unknown/unknown',
      );
      expect(() => pick('linux/arm64/v9')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as Error);
    });
  });

  describe('when os.version is asked for (Windows)', () => {
    it('matches it exactly', () => {
      expect(pick({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' })).toBe(
        digestOf('windows'),
      );
      expect(() => pick({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' })).toThrow(
        /no manifest for platform windows\/amd64/,
      );
    });
  });

  describe('when the platform is written the way other tools write it', () => {
    it.each([
      ['linux/x86_64', 'amd64'],
      ['Linux/AMD64', 'amd64'],
      ['linux/aarch64', 'arm64'],
      ['linux/armhf', 'armv7'],
      ['linux/armel', 'armv6'],
    ])('%s is understood', (wanted, name) => {
      expect(pick(wanted)).toBe(digestOf(name));
    });

    it('normalises aliases and default variants', () => {
      expect(normalisePlatform({ os: 'Linux', architecture: 'aarch64' })).toEqual({
        os: 'linux',
        architecture: 'arm64',
        variant: 'v8',
      });
      expect(normalisePlatform({ os: 'linux', architecture: 'i386' })).toEqual({
        os: 'linux',
        architecture: '386',
      });
      expect(
        platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatform('linux/arm64')),
      ).toBe(true);
      expect(platformMatches(undefined, parsePlatform('linux/arm64'))).toBe(false);
    });
  });

  it('skips entries that are not manifests (an attestation blob with a platform)', () => {
    const withBlob = indexOf(
      entry('blob', { os: 'linux', architecture: 'amd64' }, 'application/octet-stream'),
      entry('amd64', { os: 'linux', architecture: 'amd64' }),
    );
    expect(selectPlatform(withBlob, parsePlatform('linux/amd64'), 'i').digest).toBe(digestOf('amd64'));
  });

  it.each(['linux', 'linux/', '/amd64', 'linux/arm/v7/extra', 'linux/arm/'])(
    'refuses the platform %j',
    (text) => {
      expect(() => parsePlatform(text)).toThrow(
        /expected os\/architecture\[\/variant\], e\.g\. linux\/amd64/,
      );
    },
  );
});

describe('resolvePlatform over a store', () => {
  async function pushImage(store: LayoutStore, label: string): Promise<Descriptor> {
    return pushSampleImage(store, sampleImage(label));
  }
  const pushIndex = (store: LayoutStore, manifests: Descriptor[]): Promise<Descriptor> =>
    store.pushManifest(
      encodeJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.imageIndex, manifests }),
      MEDIA_TYPES.imageIndex,
    );

  it('follows an index of indexes to the image manifest of the platform', async () => {
    await withTempDir(async (dir) => {
      const store = new LayoutStore(dir);
      const amd = await pushImage(store, 'amd64');
      const arm = await pushImage(store, 'arm64');
      const inner = await pushIndex(store, [
        { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ]);
      const outer = await pushIndex(store, [{ ...inner, platform: { os: 'linux', architecture: 'arm64' } }]);
      expect(await resolvePlatform(store, outer, parsePlatform('linux/aarch64'))).toEqual(arm);
      expect(await resolvePlatform(store, amd, parsePlatform('linux/arm64'))).toEqual(amd);
    });
  });

  it('refuses indexes nested more than 4 deep instead of returning an index', async () => {
    await withTempDir(async (dir) => {
      const store = new LayoutStore(dir);
      const platform = { os: 'linux', architecture: 'amd64' };
      let current = await pushImage(store, 'deep');
      for (let i = 0; i < 5; i++) current = await pushIndex(store, [{ ...current, platform }]);
      await expect(resolvePlatform(store, current, platform)).rejects.toMatchObject({
        code: 'MANIFEST_INVALID',
        message: expect.stringContaining('image indexes nested more than 4 deep') as string,
      });
      // four levels are followed
      let four = await pushImage(store, 'four');
      const image = four;
      for (let i = 0; i < 4; i++) four = await pushIndex(store, [{ ...four, platform }]);
      expect(await resolvePlatform(store, four, platform)).toEqual(image);
    });
  });
});
