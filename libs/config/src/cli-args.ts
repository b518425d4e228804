/**
 * Minimal `--name value` / `--flag` / repeated `--name v1 --name v2` parser for the project's small
 * CLIs. Unknown options are errors, so a typo never silently changes what a command does.
 */
export type ArgKind = 'string' | 'boolean' | 'list';

export function parseArgs(argv: readonly string[], known: Record<string, ArgKind>): Record<string, string | boolean | string[]> {
  const result: Record<string, string | boolean | string[]> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (!name || !(name in known))
      throw new Error(
        `unknown argument "${arg}" (expected: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (known[name] === 'boolean') {
      result[name] = true;
      continue;
    }
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    index += 1;
    if (known[name] === 'list') result[name] = [...((result[name] as string[] | undefined) ?? []), value];
    else result[name] = value;
  }
  return result;
}

/** Prints the message to stderr and exits 2 (usage error). */
export function failUsage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
