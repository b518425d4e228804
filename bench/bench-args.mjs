/** `--name <number>` from the command line, or the fallback. Shared by the bench scripts. */
export function numberArg(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value)) {
    process.stderr.write(`--${name} needs a number\n`);
    process.exit(2);
  }
  return value;
}
