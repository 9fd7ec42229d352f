// `pnpm guests`: builds every guest image into images/ and writes images/manifest.json.
// Usage: node --import tsx scripts/build.ts [--only <substring>] [--out <dir>] [--jobs <n>]
import { buildImages, pruneImages } from '../src/build/build-images.js';
import { guestImagesDir } from '../src/paths.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const only = option('--only');
const outDir = option('--out') ?? guestImagesDir;
const jobs = Number(option('--jobs') ?? 2);

const started = Date.now();
const manifest = await buildImages({
  outDir,
  jobs,
  log: (line) => console.log(line),
  merge: only !== undefined,
  ...(only === undefined ? {} : { filter: (output: string) => output.includes(only) }),
});
if (only === undefined) {
  for (const removed of await pruneImages(outDir, manifest)) console.log(`removed stale ${removed}`);
}
console.log(
  `${Object.keys(manifest.images).length} images with ${manifest.toolchain.clang} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
