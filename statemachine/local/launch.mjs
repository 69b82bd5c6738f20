// node statemachine/local/launch.mjs <entry.ts> [args…]: what the npm scripts run. Bundles the
// TypeScript entry and everything it imports from this repository with esbuild (node_modules stay
// external), then runs the bundle. Node could run the .ts files itself, but its type stripping
// loads a WebAssembly compiler of about 15 MB into every process and compiles file by file; the
// bundle starts faster and keeps `npm run sync`'s memory for the data (bench/RESULTS.md).
import { build, stop } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('Usage: node statemachine/local/launch.mjs <entry.ts> [args…]\n');
  process.exit(2);
}

// Under node_modules, so that the bundle's imports of packages resolve as the sources' do; one per
// process, so that two runs at once never share (or half-write) a file.
const CACHE = join(ROOT, 'node_modules/.cache/focus-sync');
const outfile = join(CACHE, `${relative(ROOT, resolve(entry)).replace(/[\\/]/g, '-')}-${process.pid}.mjs`);
removeBundlesOfDeadProcesses();
const { outputFiles } = await build({
  entryPoints: [resolve(entry)],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  logLevel: 'error',
  plugins: [sourceLocation()],
});
// esbuild's service process would otherwise live as long as the run.
await stop();
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(writeBundle(outputFiles[0].contents) ?? resolve(entry)).href);

/** Writes the bundle and returns its path; where node_modules is read-only, says so and returns undefined (the .ts runs as it is). */
function writeBundle(contents) {
  try {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(outfile, contents);
  } catch (error) {
    process.stderr.write(`Could not write ${outfile} (${error.code ?? error.message}); running ${entry} with Node's type stripping instead, which uses more memory\n`);
    return undefined;
  }
  process.on('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}

/** A killed run cannot remove its bundle at exit: the next one does. */
function removeBundlesOfDeadProcesses() {
  let names = [];
  try {
    names = readdirSync(CACHE);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/-(\d+)\.mjs(\.map)?$/.exec(name)?.[1]);
    if (pid && !isRunning(pid)) rmSync(join(CACHE, name), { force: true });
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Keeps `import.meta.url` and `import.meta.dirname` pointing at each source file, not at the bundle. */
function sourceLocation() {
  return {
    name: 'source-location',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
        contents: (await readFile(path, 'utf8'))
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(path))),
        loader: 'ts',
      }));
    },
  };
}
