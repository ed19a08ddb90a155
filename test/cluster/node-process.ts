import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** A gateway node in its own process (test/cluster/fixtures/gateway-node.ts), killed or stopped by signal. */
export interface NodeProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

let bundled: Promise<string> | undefined;

/**
 * The node fixture compiled once into one ES module (dependencies stay in node_modules), so a process starts in
 * a few seconds rather than having vite-node transform every source file again: these tests start and restart
 * several nodes, and a rolling restart waits for each one.
 */
function gatewayNodeScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = resolve('node_modules/.cache/tidegate-cluster-tests');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `gateway-node-${randomBytes(4).toString('hex')}.mjs`);
    await build({ entryPoints: ['test/cluster/fixtures/gateway-node.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}

/** Writes `yaml` to `dir/<name>.yaml` and starts a node on it; resolves once it listens. */
export async function startNodeProcess(dir: string, name: string, yaml: string): Promise<NodeProcess> {
  const configFile = join(dir, `${name}.yaml`);
  writeFileSync(configFile, yaml);
  const child = spawn(process.execPath, [await gatewayNodeScript(), configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /LISTENING (\S+)/.exec(seen);
      if (match) resolve({ name, url: match[1]!, child, exited });
    });
    void exited.then((code) => reject(new Error(`gateway process ${name} exited with ${code} before listening`)));
  });
}

/** SIGKILLs every node still running and removes the compiled fixture (afterAll). */
export async function killAll(nodes: readonly NodeProcess[]): Promise<void> {
  const script = bundled;
  bundled = undefined;
  const file = await script?.catch(() => undefined);
  if (file) rmSync(file, { force: true });
  await Promise.all(nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null).map((node) => {
    node.child.kill('SIGKILL');
    return node.exited;
  }));
}
