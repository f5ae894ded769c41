import type { Decision } from '../../decision/types.js';
import { evaluate } from '../../engine/evaluate.js';
import type { SignatureVerifier } from '../../engine/ports.js';
import { VerifyCoreError } from '../../errors.js';
import { loadPolicy } from '../../policy/load-policy.js';
import type { LoadedPolicy } from '../../policy/types.js';
import { renderDecisionJson } from '../../render/render-json.js';
import { renderDecisionMarkdown } from '../../render/render-markdown.js';
import { renderRatifyResponse } from '../../render/render-ratify.js';
import { renderDecisionSarif } from '../../render/render-sarif.js';
import type { CliCommandContext } from '../command.js';
import { progress } from '../command.js';
import { formatDecisionText } from '../format-text.js';
import { outputOption, parseCommandArgs, stringOption } from '../parse-args.js';
import { REGISTRY_OPTIONS, registryOptions } from '../registry-options.js';

export const VERIFY_USAGE =
  'scs verify <reference> --policy <scs-policy.yaml> [--output text|json|markdown|sarif|ratify]\n' +
  '       scs verify <reference> --trust-policy <trustpolicy.json> --trust-store <dir>   (notation-compatible)\n' +
  '  <reference>: registry/repository[:tag|@digest], or oci:<dir>[:tag|@digest] for an OCI layout';

const FORMATS = ['text', 'json', 'markdown', 'sarif', 'ratify'] as const;

export function renderDecision(
  decision: Decision,
  format: (typeof FORMATS)[number],
  policyFile?: string,
): string {
  switch (format) {
    case 'text':
      return formatDecisionText(decision);
    case 'json':
      return renderDecisionJson(decision);
    case 'markdown':
      return renderDecisionMarkdown(decision);
    case 'sarif':
      return renderDecisionSarif(decision, policyFile === undefined ? {} : { locationUri: policyFile });
    case 'ratify':
      return `${JSON.stringify(renderRatifyResponse(decision), null, 2)}\n`;
  }
}

/**
 * `scs verify`: the decision for one image. Exit 0 allowed, 1 denied, 2 usage or configuration
 * error (the reference cannot be parsed, the policy, the trust policy or the trust store is wrong).
 */
export async function verifyCommand(args: readonly string[], ctx: CliCommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'verify',
    args,
    {
      policy: { type: 'string', short: 'p' },
      'trust-policy': { type: 'string' },
      'trust-store': { type: 'string' },
      output: { type: 'string', short: 'o' },
      ...REGISTRY_OPTIONS,
    },
    { min: 1, max: 1, usage: VERIFY_USAGE },
  );
  const output = outputOption(parsed, 'verify', FORMATS);
  const reference = parsed.positionals[0] ?? '';
  const policyFile = stringOption(parsed, 'policy');
  const trustPolicyFile = stringOption(parsed, 'trust-policy');
  const trustStoreDir = stringOption(parsed, 'trust-store');
  if (policyFile !== undefined && (trustPolicyFile !== undefined || trustStoreDir !== undefined)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs verify takes --policy, or --trust-policy with --trust-store, not both. Usage: ${VERIFY_USAGE}`,
    );
  }
  if (policyFile === undefined && (trustPolicyFile === undefined || trustStoreDir === undefined)) {
    throw new VerifyCoreError(
      'USAGE',
      `scs verify needs a policy: --policy <scs-policy.yaml>, or --trust-policy <trustpolicy.json> with --trust-store <dir>. Usage: ${VERIFY_USAGE}`,
    );
  }
  const registry = await registryOptions(parsed, ctx);

  let policy: LoadedPolicy;
  let verifier: SignatureVerifier;
  if (policyFile !== undefined) {
    progress(ctx, `loading the policy ${policyFile}`);
    const loaded = await loadPolicy(policyFile, { reader: ctx.fs, now: ctx.clock });
    for (const warning of loaded.warnings)
      ctx.out.stderr(`warning: ${policyFile}: ${warning.path}: ${warning.message}\n`);
    policy = loaded;
    if (
      loaded.policy.spec.scopes.some((s) => s.signature.trustStores.some((t) => t.source === 'azureKeyVault'))
    )
      progress(ctx, 'reading trust store certificates from Azure Key Vault');
    verifier = await ctx.services.policyVerifier(loaded);
  } else {
    progress(ctx, `loading the notation trust policy ${trustPolicyFile ?? ''}`);
    ({ policy, verifier } = await ctx.services.notationVerifier(trustPolicyFile ?? '', trustStoreDir ?? ''));
  }

  const decision = await evaluate(reference, {
    policy,
    verifier,
    openTarget: (ref) => ctx.services.openTarget(ref, registry),
    clock: ctx.clock,
    cache: ctx.services.cache(),
    logger: {
      debug: () => undefined,
      info: (message) => {
        progress(ctx, message);
      },
      warn: (message) => {
        ctx.out.stderr(`warning: ${message}\n`);
      },
    },
  });
  ctx.out.stdout(renderDecision(decision, output, policyFile));
  if (decision.allowed) return 0;
  // A reference that cannot be parsed is a usage error, as in every other command (still a denial).
  return decision.checks.find((c) => c.id === 'reference')?.error?.code === 'REFERENCE_INVALID' ? 2 : 1;
}
