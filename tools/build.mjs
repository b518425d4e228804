// Compiles every TypeScript source under apps/, libs/ and tools/ to dist/ with SWC, keeping the
// directory layout so that `@activity/*` path aliases can be rewritten to relative requires.
// Why not tsc: SWC is ~20x faster on two cores and the type check runs separately (`npm run typecheck`).
// Why not a bundler: Nest needs decorator metadata, which esbuild does not emit.
// Incremental: a file is recompiled only when its source is newer than its output.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const quiet = process.argv.includes('--quiet');
const clean = process.argv.includes('--clean');
// `--project libs/domain`: only that project's sources (Nx builds each project after its dependencies).
const projectArg = process.argv.indexOf('--project');
const only = projectArg > 0 ? path.resolve(root, process.argv[projectArg + 1] ?? '') : undefined;
const inScope = (file) => !only || file === only || file.startsWith(only + path.sep);

const tsconfig = JSON.parse(await readFile(path.join(root, 'tsconfig.base.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths;

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      yield* sources(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)) {
      yield full;
    }
  }
}

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

if (clean) await rm(only ? path.join(out, path.relative(root, only)) : out, { recursive: true, force: true });
const started = Date.now();
let compiled = 0;
const work = [];
for (const top of ['apps', 'libs', 'tools']) {
  for await (const file of sources(path.join(root, top))) {
    if (!inScope(file)) continue;
    const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    work.push({ file, target });
  }
}
await Promise.all(
  work.map(async ({ file, target }) => {
    if ((await mtime(target)) >= (await mtime(file))) return;
    const result = await transformFile(file, {
      swcrc: false,
      sourceMaps: 'inline',
      module: { type: 'commonjs' },
      jsc: {
        target: 'es2023',
        baseUrl: root,
        paths,
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, result.code);
    compiled += 1;
  }),
);
// JSON assets (schemas, policies, messages) are read at run time next to the code.
for (const top of ['apps', 'libs']) {
  for await (const file of (async function* walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full);
      else if (entry.name.endsWith('.json') && full.includes(`${path.sep}src${path.sep}`)) yield full;
    }
  })(path.join(root, top))) {
    if (!inScope(file)) continue;
    const target = path.join(out, path.relative(root, file));
    if ((await mtime(target)) >= (await mtime(file))) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await readFile(file));
  }
}
if (!quiet) process.stderr.write(`build: ${compiled} of ${work.length} files compiled in ${Date.now() - started} ms\n`);
