import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * bin/node24.sh, the bootstrap behind the README's commands and .ci/run, with stand-ins for
 * `node` and `npm` on PATH: which Node ends up first on PATH, and when it installs one.
 */
describe('bin/node24.sh', () => {
  const script = path.join(process.cwd(), 'bin/node24.sh');

  function machine(systemNodeMajor: number | null) {
    const root = mkdtempSync(path.join(tmpdir(), 'node24-'));
    const systemBin = path.join(root, 'system-bin');
    const prefix = path.join(root, 'prefix');
    const npmLog = path.join(root, 'npm.log');
    // Only the few tools the script needs, so no Node of this machine is on PATH.
    const toolsBin = path.join(root, 'tools-bin');
    mkdirSync(systemBin);
    mkdirSync(toolsBin);
    for (const tool of ['bash', 'mkdir', 'chmod', 'dirname'])
      symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(toolsBin, tool));
    const stub = (file: string, body: string) => {
      writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(file, 0o755);
    };
    if (systemNodeMajor !== null) stub(path.join(systemBin, 'node'), `echo ${systemNodeMajor}`);
    // The registry's node@24 package, as npm would install it under the prefix.
    stub(
      path.join(systemBin, 'npm'),
      `echo "$@" >> ${npmLog}\nmkdir -p ${prefix}/bin\nprintf '#!/usr/bin/env bash\\necho 24\\n' > ${prefix}/bin/node\nchmod +x ${prefix}/bin/node`,
    );
    const run = () =>
      execFileSync(path.join(toolsBin, 'bash'), ['-c', `source ${script} && activity_use_node24 && command -v node && node`], {
        env: { PATH: `${systemBin}:${toolsBin}`, ACTIVITY_NODE_PREFIX: prefix, HOME: root },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
        .trim()
        .split('\n');
    const npmCalls = () => (existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n') : []);
    return { systemBin, prefix, run, npmCalls };
  }

  it('installs Node 24 from the npm registry into the prefix once when the system Node is older, and puts it first on PATH', () => {
    const m = machine(20);
    expect(m.run()).toEqual([path.join(m.prefix, 'bin/node'), '24']);
    expect(m.npmCalls()).toEqual([expect.stringMatching(new RegExp(`^install --global --prefix ${m.prefix} .*node@24$`))]);
    // The second time it is already there.
    expect(m.run()).toEqual([path.join(m.prefix, 'bin/node'), '24']);
    expect(m.npmCalls()).toHaveLength(1);
  });

  it('uses the system Node when it is 24, and installs nothing', () => {
    const m = machine(24);
    expect(m.run()).toEqual([path.join(m.systemBin, 'node'), '24']);
    expect(m.npmCalls()).toEqual([]);
  });

  it('installs Node 24 when there is no system Node at all, as long as npm is there', () => {
    const m = machine(null);
    expect(m.run()).toEqual([path.join(m.prefix, 'bin/node'), '24']);
    expect(m.npmCalls()).toHaveLength(1);
  });
});
