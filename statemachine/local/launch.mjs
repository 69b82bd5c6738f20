// node statemachine/local/launch.mjs <entry.ts> [args…]: what the npm scripts run. Bundles the
// TypeScript entry and everything it imports from this repository with esbuild (node_modules stay
// external), then runs the bundle. Node could run the .ts files itself, but its type stripping
// loads a WebAssembly compiler of about 15 MB into every process and compiles file by file; the
// bundle starts faster and keeps `npm run sync`'s memory for the data (bench/RESULTS.md).
//
// The bundle is kept for the next run, named by a hash of every source it was made from (and of
// this file): a run whose sources are all as they were imports it without starting esbuild, and
// V8's compile cache then finds its code already compiled (together about 80 ms of every run).
import { build, stop, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('Usage: node statemachine/local/launch.mjs <entry.ts> [args…]\n');
  process.exit(2);
}

// Under node_modules, so that the bundle's imports of packages resolve as the sources' do.
const CACHE = join(ROOT, 'node_modules/.cache/focus-sync');
const NAME = relative(ROOT, resolve(entry)).replace(/[\\/]/g, '-');
// The sources of the kept bundle: `{ "sources": [paths relative to ROOT] }`.
const MANIFEST = join(CACHE, `${NAME}.json`);
// A kept bundle not used for this long is removed when another is made (a run touches the one it uses).
const KEEP_UNUSED_MS = 60 * 60 * 1000;
const COMPILE_CACHE_BYTES = 64 * 1024 * 1024;

removeFilesOfDeadProcesses();
const bundle = keptBundle() ?? (await newBundle());
// Where the cache cannot be written, Node does without it.
enableCompileCache(join(CACHE, 'v8'));
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(bundle ?? resolve(entry)).href);

/** The hash that names a bundle: this launcher, esbuild's and Node's versions, and each source's path and content. */
function sourcesHash(contents) {
  const hash = createHash('sha256').update(`${readFileSync(import.meta.filename)}\0${esbuildVersion}\0${process.version}`);
  for (const [path, content] of [...contents].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`\0${path}\0`).update(content);
  return hash.digest('hex').slice(0, 24);
}

function bundlePath(hash) {
  return join(CACHE, `${NAME}.${hash}.mjs`);
}

/** The kept bundle when every source it was made from is as it was, touched as in use; else undefined. */
function keptBundle() {
  try {
    const { sources } = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    const path = bundlePath(sourcesHash(sources.map((source) => [source, readFileSync(join(ROOT, source))])));
    const now = new Date();
    utimesSync(path, now, now);
    return path;
  } catch {
    // No manifest yet, a source gone or changed (no bundle by that hash): esbuild makes one.
    return undefined;
  }
}

/**
 * Bundles the entry; returns the bundle's path, or undefined where node_modules is read-only (the
 * .ts then runs as it is). The hash is of the very bytes esbuild was given, read by the plugin.
 */
async function newBundle() {
  const contents = new Map();
  const { outputFiles, metafile } = await build({
    entryPoints: [resolve(entry)],
    outdir: CACHE,
    absWorkingDir: ROOT,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    logLevel: 'error',
    metafile: true,
    plugins: [sourceLocation(contents)],
  });
  // esbuild's service process would otherwise live as long as the run.
  await stop();
  const sources = Object.keys(metafile.inputs);
  // Every input read by the plugin, or the hash would not cover it: then this run's bundle is not kept.
  const keep = sources.every((source) => contents.has(source));
  const path = keep ? bundlePath(sourcesHash(contents)) : join(CACHE, `${NAME}.${process.pid}.mjs`);
  try {
    mkdirSync(CACHE, { recursive: true });
    // Written whole under a name of this process, then renamed: another run never reads half a file.
    writeAtomically(path, outputFiles[0].contents);
    if (keep) {
      writeAtomically(MANIFEST, JSON.stringify({ sources }));
      removeUnusedBundles(path);
      trimCompileCache();
    } else {
      process.on('exit', () => rmSync(path, { force: true }));
    }
  } catch (error) {
    process.stderr.write(`Could not write ${path} (${error.code ?? error.message}); running ${entry} with Node's type stripping instead, which uses more memory\n`);
    return undefined;
  }
  return path;
}

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Removes this entry's other bundles that no run has used for KEEP_UNUSED_MS. */
function removeUnusedBundles(current) {
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (path === current || !name.startsWith(`${NAME}.`) || !/\.[0-9a-f]{24}\.mjs$/.test(name)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_UNUSED_MS) rmSync(path, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

/** V8's compile cache keeps an entry for every bundle it has compiled: past COMPILE_CACHE_BYTES, it starts again. */
function trimCompileCache() {
  const directory = join(CACHE, 'v8');
  let bytes = 0;
  try {
    for (const version of readdirSync(directory)) {
      for (const file of readdirSync(join(directory, version))) bytes += statSync(join(directory, version, file)).size;
    }
  } catch {
    // Not there yet, or being trimmed by another run.
  }
  if (bytes > COMPILE_CACHE_BYTES) rmSync(directory, { recursive: true, force: true });
}

/** A killed run cannot remove what it was writing, or its unkept bundle: the next one does. */
function removeFilesOfDeadProcesses() {
  let names = [];
  try {
    names = readdirSync(CACHE);
  } catch {
    return;
  }
  for (const name of names) {
    // A process id has at most 7 digits (Linux's maximum is 2^22); a bundle's hash has 24.
    const pid = Number(/[.-](\d{1,7})\.(?:mjs|tmp)$/.exec(name)?.[1]);
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

/**
 * Keeps `import.meta.url` and `import.meta.dirname` pointing at each source file, not at the
 * bundle; records each source's bytes (by its path relative to ROOT, as the metafile names it).
 */
function sourceLocation(contents) {
  return {
    name: 'source-location',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.ts$/ }, ({ path }) => {
        const source = readFileSync(path);
        contents.set(relative(ROOT, path).split('\\').join('/'), source);
        return {
          contents: source.toString('utf8')
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(path))),
          loader: 'ts',
        };
      });
    },
  };
}
