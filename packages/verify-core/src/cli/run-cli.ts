import { PolicyError, VerifyCoreError, formatPolicyProblem, isUserError } from '../errors.js';
import type { CliCommand, CliCommandContext } from './command.js';
import { ATTACH_USAGE, attachCommand } from './commands/attach.js';
import { BUNDLE_USAGE, bundleCommand } from './commands/bundle.js';
import { CERT_USAGE, certGenerateTest } from './commands/cert.js';
import { COPY_USAGE, copyCommand } from './commands/copy.js';
import { DEMO_USAGE, demoCommand } from './commands/demo.js';
import { DISCOVER_USAGE, discoverCommand } from './commands/discover.js';
import { POLICY_CHECK_USAGE, policyCheck } from './commands/policy-check.js';
import { SERVE_USAGE, serveCommand } from './commands/serve.js';
import { SIGN_USAGE, signCommand } from './commands/sign.js';
import {
  TRUSTPOLICY_CHECK_USAGE,
  TRUSTPOLICY_EXPORT_USAGE,
  trustPolicyCheck,
  trustPolicyExport,
} from './commands/trustpolicy.js';
import { VERIFY_USAGE, verifyCommand } from './commands/verify.js';

export const CLI_VERSION = '0.1.0';

/**
 * Error codes of @scs/oci and @scs/notary that mean the user's input or configuration is wrong
 * (exit 2); every other failure of an operation exits 1.
 */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  // @scs/oci
  'REFERENCE_INVALID',
  'CONFIG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'INSECURE',
  // @scs/notary
  'TRUST_POLICY_INVALID',
  'TRUST_STORE_INVALID',
  'KEY_INVALID',
  'CERTIFICATE_INVALID',
]);

interface CommandEntry {
  run: CliCommand;
  usage: string;
  summary: string;
}

/** Extra commands registered by the composition root (those that need `@scs/oci` / `@scs/notary` wiring). */
export type CommandTable = Record<string, CommandEntry>;

export const CORE_COMMANDS: CommandTable = {
  verify: {
    run: verifyCommand,
    usage: VERIFY_USAGE,
    summary: 'decide whether an image may run under a policy',
  },
  discover: {
    run: discoverCommand,
    usage: DISCOVER_USAGE,
    summary: 'show the referrer tree of an image (like oras discover)',
  },
  copy: {
    run: copyCommand,
    usage: COPY_USAGE,
    summary: 'copy an image, with --referrers its referrer graph (like oras cp -r)',
  },
  attach: {
    run: attachCommand,
    usage: ATTACH_USAGE,
    summary: 'attach files to an image as a referrer (like oras attach)',
  },
  sign: {
    run: signCommand,
    usage: SIGN_USAGE,
    summary: 'sign an image with a Notary Project signature (JWS or COSE)',
  },
  demo: {
    run: demoCommand,
    usage: DEMO_USAGE,
    summary: 'run the supply chain story offline on an OCI layout',
  },
  bundle: {
    run: bundleCommand,
    usage: BUNDLE_USAGE,
    summary: 'compile the policy into the cluster policy bundle (Gatekeeper + Ratify or scs)',
  },
  serve: {
    run: serveCommand,
    usage: SERVE_USAGE,
    summary: 'run the Gatekeeper external-data provider (admission decisions over HTTPS)',
  },
  'cert generate-test': {
    run: certGenerateTest,
    usage: CERT_USAGE,
    summary: 'make a test key and self-signed code-signing certificate',
  },
  'policy check': {
    run: policyCheck,
    usage: POLICY_CHECK_USAGE,
    summary: 'validate an scs policy and show its warnings',
  },
  'trustpolicy check': {
    run: trustPolicyCheck,
    usage: TRUSTPOLICY_CHECK_USAGE,
    summary: "validate a notation trustpolicy.json with notation's rules",
  },
  'trustpolicy export': {
    run: trustPolicyExport,
    usage: TRUSTPOLICY_EXPORT_USAGE,
    summary: 'write the notation trustpolicy.json and trust store of a policy',
  },
};

function help(commands: CommandTable): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    'scs: secure container supply chain (verify, discover, copy, attach, sign)',
    '',
    'Usage: scs <command> [arguments] [--output json]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]?.summary ?? ''}`),
    '',
    'References: registry/repository[:tag|@digest], or oci:<dir>[:tag|@digest] for an OCI image layout.',
    'Exit status: 0 success or allowed, 1 denied or a failed check, 2 usage or configuration error.',
    "Run 'scs <command> --help' for a command's arguments.",
    '',
  ].join('\n');
}

/** Find the command: the longest name made of the first words (`policy check`, `verify`). */
function findCommand(
  argv: readonly string[],
  commands: CommandTable,
): { name: string; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (commands[name] !== undefined) return { name, rest: argv.slice(words) };
  }
  return undefined;
}

/**
 * Run the CLI. Returns the exit status: 0 success or allowed, 1 denied or failed check, 2 usage
 * or configuration error. Every error is reported on stderr as one line that says what to fix;
 * unexpected faults (bugs) also exit 2 with their message and never a stack unless --verbose.
 */
export async function runCli(
  argv: readonly string[],
  ctx: CliCommandContext,
  commands: CommandTable = CORE_COMMANDS,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    if (argv.length === 0) ctx.out.stderr(help(commands));
    else ctx.out.stdout(help(commands));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    ctx.out.stdout(`scs ${CLI_VERSION}\n`);
    return 0;
  }
  const found = findCommand(argv, commands);
  if (found === undefined) {
    const group = Object.keys(commands).filter((n) => n.startsWith(`${argv[0] ?? ''} `));
    ctx.out.stderr(
      group.length > 0
        ? `error: scs ${argv[0] ?? ''} needs a subcommand: ${group.join(', ')}\n`
        : `error: unknown command "${argv[0] ?? ''}". Run 'scs --help' for the list of commands.\n`,
    );
    return 2;
  }
  const entry = commands[found.name];
  if (entry === undefined) return 2;
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    ctx.out.stdout(`Usage: ${entry.usage}\n`);
    return 0;
  }
  if (found.rest.includes('--verbose') || found.rest.includes('-v')) ctx.verbose = true;
  try {
    return await entry.run(found.rest, ctx);
  } catch (error) {
    if (error instanceof PolicyError) {
      for (const problem of error.problems)
        ctx.out.stderr(`error: ${formatPolicyProblem(problem, error.file)}\n`);
      return 2;
    }
    if (error instanceof VerifyCoreError) {
      ctx.out.stderr(`error: ${error.message}\n`);
      return isUserError(error.code) ? 2 : 1;
    }
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    ctx.out.stderr(`error: ${message}\n`);
    if (ctx.verbose && error instanceof Error && error.stack !== undefined)
      ctx.out.stderr(`${error.stack}\n`);
    // Other packages' user errors (a malformed reference, a bad trust policy) are configuration errors.
    return typeof code === 'string' && CONFIGURATION_CODES.has(code) ? 2 : 1;
  }
}
