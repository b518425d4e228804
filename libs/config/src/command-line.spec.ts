import { parseCommandLine, usageOf, type CommandIo, type CommandSpec } from './command-line';

const spec: CommandSpec = {
  usage: 'npm run -s token --',
  summary: 'Prints a development JWT.',
  options: {
    tenant: { type: 'string', description: 'tenant id', valueName: 'id' },
    id: { type: 'string', multiple: true, description: 'a row id' },
    once: { type: 'boolean', description: 'one pass, then exit' },
  },
  examples: ['npm run -s token -- --tenant demo'],
};

/** Records what the command would print and how it would exit. */
function recorder() {
  const seen = { out: '', err: '', code: undefined as number | undefined };
  const io: CommandIo = {
    out: (text) => void (seen.out += text),
    err: (text) => void (seen.err += text),
    exit: (code) => {
      seen.code = code;
      throw new Error(`exit ${code}`);
    },
  };
  return { seen, io };
}

describe('parseCommandLine', () => {
  it('reads strings, repeated values and flags', () => {
    const { io } = recorder();
    expect(parseCommandLine(spec, ['--tenant', 'demo', '--id', '1', '--id', '2', '--once'], io)).toEqual({
      values: { tenant: 'demo', id: ['1', '2'], once: true },
      positionals: [],
    });
  });

  it('prints every option on --help and exits 0', () => {
    const { seen, io } = recorder();
    expect(() => parseCommandLine(spec, ['--help'], io)).toThrow('exit 0');
    expect(seen.code).toBe(0);
    expect(seen.out).toBe(usageOf(spec));
    for (const text of [
      'usage: npm run -s token -- [--tenant <id>] [--id <id>] [--once]',
      '--tenant <id>',
      'a row id (repeatable)',
      '-h, --help',
      'npm run -s token -- --tenant demo',
    ])
      expect(seen.out).toContain(text);
  });

  it.each([
    [['--tenat', 'demo'], "Unknown option '--tenat'"],
    [['--tenant'], "Option '--tenant <value>' argument missing"],
    [['stray'], "Unexpected argument 'stray'"],
  ])('refuses %j with the reason and the usage on stderr, exit 2', (argv, reason) => {
    const { seen, io } = recorder();
    expect(() => parseCommandLine(spec, argv, io)).toThrow('exit 2');
    expect(seen.code).toBe(2);
    expect(seen.err).toContain(reason);
    expect(seen.err).toContain('usage: npm run -s token --');
  });

  it('accepts positionals only when the command has them', () => {
    const { io } = recorder();
    expect(parseCommandLine({ ...spec, positionals: '<add|list>' }, ['add', '--tenant', 't'], io).positionals).toEqual(['add']);
  });
});
