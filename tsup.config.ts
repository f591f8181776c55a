import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';
import { dirname, join, relative } from 'node:path';

/**
 * The ESM build is not bundled: one dist file per source module (dist/index.js,
 * dist/tensor/tensor.js, dist/losses/mse_loss.js ...), their relative `.js` imports kept. A
 * consumer's bundler then sees losskit's module graph and drops what a page does not use: a single
 * flattened file kept all of `nn` and `optim` (the `export * as` namespace objects of a bundle are
 * built by calls no bundler can drop) in `import { F, tensor } from 'losskit'`. The WebAssembly
 * builds (dist/kernels/wasm_shared.js, wasm_plain.js) are modules like any other, which
 * wasm_module.js imports dynamically, one of them; the bridges import '../index.js', the core.
 * CommonJS stays one bundle (dist/index.cjs): see below.
 */
const esmModules = ['src/**/*.ts', '!src/cli/**', '!src/kernels/wasm_module_sync.ts'];

/**
 * The CommonJS bridges (losskit/tfjs, losskit/onnx) import the core through '../index.js': it stays
 * a require of dist/index.cjs, so a bridge shares losskit's Tensor class instead of bundling a
 * second copy of it.
 */
const coreExternal: Plugin = {
  name: 'bridges-import-the-core',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]bridges[\\/]/.test(args.importer) ? { path: '../index.cjs', external: true } : undefined,
    );
  },
};

/**
 * The CommonJS WebAssembly builds stay out of dist/index.cjs: src/kernels/wasm_shared.ts and
 * wasm_plain.ts are entries of their own (dist/wasm-shared.cjs, dist/wasm-plain.cjs). CommonJS has
 * no top-level await: there the loader is wasm_module_sync.ts, which requires its build
 * synchronously on first use.
 */
const wasmChunks: Plugin = {
  name: 'wasm-builds-are-files-of-their-own',
  setup(build) {
    const kernels = /[\\/]src[\\/]kernels[\\/]/;
    build.onResolve({ filter: /^\.\/wasm_(shared|plain)\.js$/ }, (args) =>
      kernels.test(args.importer) ? { path: `./${args.path.slice(2, -3).replace('_', '-')}.cjs`, external: true } : undefined,
    );
    build.onResolve({ filter: /^\.\/wasm_module\.js$/ }, (args) =>
      kernels.test(args.importer) ? { path: join(dirname(args.importer), 'wasm_module_sync.ts') } : undefined,
    );
  },
};

/**
 * The CLI (dist/cli.js) bundles src/cli/ only: what it imports from the library stays an import of
 * the library's own ESM modules (../parity.js from src/cli/main.ts becomes ./parity.js), so the
 * package holds the library once and the CLI shares its Tensor class.
 */
const cliUsesTheLibrary: Plugin = {
  name: 'cli-imports-the-library',
  setup(build) {
    const cli = /[\\/]src[\\/]cli[\\/]/;
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const at = args.importer.search(cli);
      if (at < 0) return undefined;
      const rel = relative(join(args.importer.slice(0, at), 'src'), join(dirname(args.importer), args.path)).split('\\').join('/');
      return rel.startsWith('cli/') || rel.startsWith('..') ? undefined : { path: `./${rel}`, external: true };
    });
  },
};

const wasmEntries = { 'wasm-shared': 'src/kernels/wasm_shared.ts', 'wasm-plain': 'src/kernels/wasm_plain.ts' };
const typed = { index: 'src/index.ts', 'bridges/tfjs': 'src/bridges/tfjs.ts', 'bridges/onnx': 'src/bridges/onnx.ts' };
// no source maps: dist/ is readable ES2022 (not minified), and maps of bundled TypeScript
// tripled the package (2.1 MB of its 3.4 MB) for sources the package does not ship
const common = { sourcemap: false, target: 'es2022', platform: 'neutral' } as const;

export default defineConfig([
  // dist/*.js, one per module; the types (dist/index.d.ts, dist/bridges/*.d.ts) as before
  { ...common, entry: esmModules, format: ['esm'], bundle: false, dts: { entry: typed } },
  // dist/index.cjs, dist/bridges/*.cjs, dist/wasm-*.cjs and their .d.cts
  { ...common, entry: { ...typed, ...wasmEntries }, format: ['cjs'], dts: { entry: typed }, splitting: false, esbuildPlugins: [coreExternal, wasmChunks] },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    esbuildPlugins: [cliUsesTheLibrary],
  },
]);
