import { describe, expect, it } from 'vitest';
import { parseAnnotations, parseFileArgument } from './attach.js';
import { formatReferrerTree } from './discover.js';

const d = (digest: string, artifactType?: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  ...(artifactType === undefined ? {} : { artifactType }),
});

describe('the referrer tree', () => {
  it('groups referrers by artifact type and nests their own referrers, as oras discover prints', () => {
    const tree = formatReferrerTree('r.example.com/app@sha256:a', [
      { descriptor: d('sha256:s1', 'application/vnd.cncf.notary.signature'), referrers: [] },
      {
        descriptor: d('sha256:b1', 'application/spdx+json'),
        referrers: [{ descriptor: d('sha256:s2', 'application/vnd.cncf.notary.signature'), referrers: [] }],
      },
      { descriptor: d('sha256:s3', 'application/vnd.cncf.notary.signature'), referrers: [] },
    ]);
    expect(tree).toBe(
      [
        'r.example.com/app@sha256:a',
        '├── application/vnd.cncf.notary.signature',
        '│   ├── sha256:s1',
        '│   └── sha256:s3',
        '└── application/spdx+json',
        '    └── sha256:b1',
        '        └── application/vnd.cncf.notary.signature',
        '            └── sha256:s2',
        '',
      ].join('\n'),
    );
  });
});

describe('attach arguments (ORAS syntax)', () => {
  it.each([
    ['sbom.spdx.json:application/spdx+json', { file: 'sbom.spdx.json', mediaType: 'application/spdx+json' }],
    ['report.json', { file: 'report.json', mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
    ['dir/a:b.json', { file: 'dir/a:b.json', mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
  ])('reads %j', (argument, expected) => {
    expect(parseFileArgument(argument)).toEqual(expected);
  });

  it('reads annotations and refuses malformed or repeated ones', () => {
    expect(parseAnnotations(['team=platform', 'note=a=b'])).toEqual({ team: 'platform', note: 'a=b' });
    expect(() => parseAnnotations(['novalue'])).toThrow('--annotation novalue is not key=value');
    expect(() => parseAnnotations(['a=1', 'a=2'])).toThrow('--annotation a is given twice');
  });
});
