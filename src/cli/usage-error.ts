/** A mistake in the command line (a bad option or value): reported without a stack, exit status 2. */
export class UsageError extends Error {}

/** parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes; they are command-line mistakes too. */
export function isArgumentError(error: unknown): error is Error {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** --help or -h anywhere before a `--` terminator: every command answers it before touching config or storage. */
export function helpRequested(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}
