// Line coverage of one `npm test -- --coverage` run: what Jest measured in its own process (unit
// tests, in-process integration tests) united with what the services the integration tests spawn
// measured in theirs (NODE_V8_COVERAGE, mapped back to the TypeScript through the build's source
// maps by c8). The two sources instrument different compilations of the same files, so their
// statement maps cannot be added; lines can: a line counts as covered when either run executed it.
//   node tools/coverage.mjs <jest coverage-final.json> <v8 dump dir> <threshold %>
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [jestFile, v8Dir, thresholdArg] = process.argv.slice(2);
const threshold = Number(thresholdArg ?? 80);

/** What counts: the shipped sources of apps and libs; not specs, test support, the e2e project or tools. */
export function counts(file) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  return (
    /^(apps|libs)\/[^/]+\/src\/.+\.ts$/.test(relative) && !/\.(spec|int-spec)\.ts$/.test(relative) && !relative.startsWith('libs/testing/') && !relative.startsWith('apps/e2e/')
  );
}

function load(file) {
  return existsSync(file) ? libCoverage.createCoverageMap(JSON.parse(readFileSync(file, 'utf8'))) : libCoverage.createCoverageMap({});
}

const maps = [load(jestFile)];
if (v8Dir && existsSync(v8Dir) && readdirSync(v8Dir).length > 0) {
  const out = path.join(path.dirname(v8Dir), 'services');
  const c8 = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/c8/bin/c8.js'),
      'report',
      '--temp-directory',
      v8Dir,
      '--reports-dir',
      out,
      '--reporter',
      'json',
      '--include',
      'dist/apps/**',
      '--include',
      'dist/libs/**',
      '--exclude',
      'dist/libs/testing/**',
      '--exclude',
      'dist/apps/e2e/**',
      '--exclude-after-remap=false',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (c8.status !== 0) process.stderr.write("coverage: c8 could not read the services' coverage; counting Jest's alone\n");
  maps.push(load(path.join(out, 'coverage-final.json')));
}

// Every shipped source counts, run or not: a file no test loads is 0 %, not absent.
const lines = new Map();
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (counts(full)) lines.set(full, { coverable: new Set(), covered: new Set() });
  }
}
walk(path.join(root, 'apps'));
walk(path.join(root, 'libs'));
for (const map of maps) {
  for (const file of map.files()) {
    const absolute = path.resolve(root, file);
    const entry = lines.get(absolute);
    if (!entry) continue;
    for (const [line, hits] of Object.entries(map.fileCoverageFor(file).getLineCoverage())) {
      entry.coverable.add(line);
      if (hits > 0) entry.covered.add(line);
    }
  }
}

let coverable = 0;
let covered = 0;
const rows = [];
for (const [file, entry] of lines) {
  // A file nothing loaded still has lines: count its non-blank, non-comment, non-import lines as missed.
  if (entry.coverable.size === 0) {
    const text = readFileSync(file, 'utf8').split('\n');
    text.forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed && !/^(\/\/|\/\*|\*|import |export \* from|export type |\}|\{)/.test(trimmed)) entry.coverable.add(String(index + 1));
    });
  }
  coverable += entry.coverable.size;
  covered += entry.covered.size;
  rows.push([path.relative(root, file), entry.covered.size, entry.coverable.size]);
}
rows.sort((a, b) => a[1] / Math.max(1, a[2]) - b[1] / Math.max(1, b[2]));
writeFileSync(
  path.join(path.dirname(jestFile), 'lines.tsv'),
  rows.map(([file, hit, all]) => `${((100 * hit) / Math.max(1, all)).toFixed(1)}\t${hit}/${all}\t${file}`).join('\n') + '\n',
);
const percent = (100 * covered) / Math.max(1, coverable);
process.stdout.write(
  `Line coverage: ${percent.toFixed(2)}% (${covered}/${coverable} lines of ${lines.size} files; threshold ${threshold}%; per file: ${path.relative(root, path.join(path.dirname(jestFile), 'lines.tsv'))})\n`,
);
process.exit(percent >= threshold ? 0 : 1);
