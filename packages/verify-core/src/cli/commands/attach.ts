import path from 'node:path';
import { VerifyCoreError } from '../../errors.js';
import { SBOM_ARTIFACT_TYPES, parseSbom } from '../../rules/sbom/parse-sbom.js';
import { parseSarifReport } from '../../rules/vulnerabilities/parse-sarif.js';
import { parseTrivyReport } from '../../rules/vulnerabilities/parse-trivy.js';
import { REPORT_ARTIFACT_TYPES } from '../../rules/vulnerabilities/vulnerability-report.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { outputOption, parseCommandArgs, stringOption, stringsOption } from '../parse-args.js';
import { REGISTRY_OPTIONS, registryOptions } from '../registry-options.js';

export const ATTACH_USAGE =
  'scs attach <reference> <file>[:<mediaType>]... --artifact-type <type> [--annotation key=value]... [--output text|json]';

/** ORAS's default layer media type. */
const DEFAULT_LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar';
const TITLE = 'org.opencontainers.image.title';
const CREATED = 'org.opencontainers.image.created';

/** `file[:mediaType]`: the media type is what follows the last `:` when it looks like one (`type/subtype`). */
export function parseFileArgument(argument: string): { file: string; mediaType: string } {
  const colon = argument.lastIndexOf(':');
  if (colon > 0) {
    const mediaType = argument.slice(colon + 1);
    if (/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/.test(mediaType)) {
      return { file: argument.slice(0, colon), mediaType };
    }
  }
  return { file: argument, mediaType: DEFAULT_LAYER_TYPE };
}

export function parseAnnotations(values: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new VerifyCoreError('USAGE', `--annotation ${value} is not key=value`);
    const key = value.slice(0, eq);
    if (key in annotations) throw new VerifyCoreError('USAGE', `--annotation ${key} is given twice`);
    annotations[key] = value.slice(eq + 1);
  }
  return annotations;
}

/** Refuse to attach a document whose content does not match the SBOM or report type announced. */
function checkContent(artifactType: string, file: string, content: Uint8Array): void {
  const sbom = SBOM_ARTIFACT_TYPES[artifactType];
  const report = REPORT_ARTIFACT_TYPES[artifactType];
  try {
    if (sbom !== undefined) parseSbom(sbom, content);
    else if (report === 'trivy') parseTrivyReport(content);
    else if (report === 'sarif') parseSarifReport(content);
  } catch (error) {
    throw new VerifyCoreError(
      'USAGE',
      `${file} is not what --artifact-type ${artifactType} announces: ${error instanceof Error ? error.message : String(error)}; nothing was attached`,
      { cause: error },
    );
  }
}

/** `scs attach`: push files as an artifact whose subject is the image (ORAS `attach` semantics). */
export async function attachCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'attach',
    args,
    {
      'artifact-type': { type: 'string' },
      annotation: { type: 'string', multiple: true, short: 'a' },
      output: { type: 'string', short: 'o' },
      ...REGISTRY_OPTIONS,
    },
    { min: 2, max: 64, usage: ATTACH_USAGE },
  );
  const output = outputOption(parsed, 'attach', ['text', 'json'] as const);
  const artifactType = stringOption(parsed, 'artifact-type');
  if (artifactType === undefined) {
    throw new VerifyCoreError(
      'USAGE',
      `scs attach needs --artifact-type (e.g. application/spdx+json, application/vnd.cyclonedx+json, application/sarif+json). Usage: ${ATTACH_USAGE}`,
    );
  }
  const annotations = parseAnnotations(stringsOption(parsed, 'annotation'));
  const [reference = '', ...fileArgs] = parsed.positionals;
  const layers: { mediaType: string; content: Uint8Array; annotations: Record<string, string> }[] = [];
  for (const argument of fileArgs) {
    const { file, mediaType } = parseFileArgument(argument);
    let content: Uint8Array;
    try {
      content = await ctx.fs.readFile(file);
    } catch (error) {
      throw new VerifyCoreError('USAGE', `cannot read ${file}; check the path (nothing was attached)`, {
        cause: error,
      });
    }
    checkContent(artifactType, file, content);
    layers.push({ mediaType, content, annotations: { [TITLE]: path.basename(file) } });
  }
  const registry = await registryOptions(parsed, ctx);
  const target = await ctx.services.openTarget(reference, registry);
  progress(ctx, `resolving ${reference}`);
  const subject = await target.store.resolve(target.digest ?? target.tag ?? 'latest');
  progress(ctx, `attaching ${layers.length} file(s) to ${subject.digest}`);
  const created =
    annotations[CREATED] ??
    ctx
      .clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const descriptor = await target.store.attach({
    subject,
    artifactType,
    layers,
    annotations: { ...annotations, [CREATED]: created },
  });
  const result = {
    reference: `${target.repository}@${descriptor.digest}`,
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    annotations: { ...annotations, [CREATED]: created },
    artifactType,
  };
  if (output === 'json') ctx.out.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else ctx.out.stdout(`Attached to ${target.repository}@${subject.digest}\n${result.reference}\n`);
  return 0;
}
