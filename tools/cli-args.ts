/** Minimal `--name value` / `--flag` parser for the project's small CLIs. Unknown options are errors. */
export function parseArgs(argv: readonly string[], known: Record<string, 'string' | 'boolean'>): Record<string, string | boolean> {
  const result: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (!name || !(name in known)) throw new Error(`unknown argument "${arg}" (expected: ${Object.keys(known).map((k) => `--${k}`).join(', ')})`);
    if (known[name] === 'boolean') {
      result[name] = true;
    } else {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
      result[name] = value;
      index += 1;
    }
  }
  return result;
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
