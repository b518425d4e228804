import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export interface CommandOption {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly description: string;
  /** Shown in the usage line: `--tenant <tenant>`. */
  readonly valueName?: string;
}

export interface CommandSpec {
  /** How it is run, e.g. `npm run -s token --`. */
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Usage of positional arguments, e.g. `<add|rotate|list>`; none allowed when absent. */
  readonly positionals?: string;
  readonly examples?: readonly string[];
}

export interface CommandLine {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Where a command's output and exit go; tests pass their own. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => never;
}

const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Every CLI's arguments through `node:util` parseArgs (strict: unknown options and missing values
 * are errors). `--help`/`-h` prints the usage to stdout and exits 0; a usage error prints the
 * reason and the usage to stderr and exits 2.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[] = process.argv.slice(2), io: CommandIo = processIo): CommandLine {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.multiple ? { multiple: true } : {}), ...(option.short ? { short: option.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals !== undefined });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usageOf(spec)}`);
    return io.exit(2);
  }
  if (parsed.values['help']) {
    io.out(usageOf(spec));
    return io.exit(0);
  }
  const { help: _help, ...values } = parsed.values;
  return { values: values as CommandLine['values'], positionals: parsed.positionals };
}

export function usageOf(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, option]) => (option.type === 'boolean' ? `[--${name}]` : `[--${name} <${option.valueName ?? name}>]`));
  const lines = [`usage: ${[spec.usage, spec.positionals, ...flags].filter(Boolean).join(' ')}`, '', spec.summary, '', 'options:'];
  const rows = [
    ...Object.entries(spec.options).map(([name, option]) => [
      `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` <${option.valueName ?? name}>` : ''}`,
      option.description + (option.multiple ? ' (repeatable)' : ''),
    ]),
    ['-h, --help', 'print this help and exit'],
  ];
  const width = Math.max(...rows.map(([flag]) => flag!.length));
  lines.push(...rows.map(([flag, description]) => `  ${flag!.padEnd(width)}  ${description}`));
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

/** Prints the message to stderr and exits 2 (usage error). */
export function failUsage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
