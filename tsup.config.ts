import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';
import { dirname, join } from 'node:path';

/**
 * The bridges (losskit/tfjs, losskit/onnx) import the core through '../index.js': it stays an
 * import of the built core (dist/index.js or .cjs), so a bridge shares losskit's Tensor class
 * instead of bundling a second copy of it.
 */
const coreExternal: Plugin = {
  name: 'bridges-import-the-core',
  setup(build) {
    const ext = build.initialOptions.format === 'cjs' ? 'cjs' : 'js';
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]bridges[\\/]/.test(args.importer) ? { path: `../index.${ext}`, external: true } : undefined,
    );
  },
};

/**
 * The WebAssembly kernels stay out of the library's files: src/kernels/wasm_shared.ts and
 * wasm_plain.ts are entries of their own (dist/wasm-shared.js, dist/wasm-plain.js and their .cjs),
 * which the loader imports by relative path, so a page (or a bundler's chunk) loads only the build
 * it uses. CommonJS has no top-level await: there the loader is wasm_module_sync.ts, which
 * requires its build synchronously on first use.
 */
const wasmChunks: Plugin = {
  name: 'wasm-builds-are-files-of-their-own',
  setup(build) {
    const cjs = build.initialOptions.format === 'cjs';
    const kernels = /[\\/]src[\\/]kernels[\\/]/;
    build.onResolve({ filter: /^\.\/wasm_(shared|plain)\.js$/ }, (args) =>
      kernels.test(args.importer) ? { path: `./${args.path.slice(2, -3).replace('_', '-')}.${cjs ? 'cjs' : 'js'}`, external: true } : undefined,
    );
    if (cjs) {
      build.onResolve({ filter: /^\.\/wasm_module\.js$/ }, (args) =>
        kernels.test(args.importer) ? { path: join(dirname(args.importer), 'wasm_module_sync.ts') } : undefined,
      );
    }
  },
};

const wasmEntries = { 'wasm-shared': 'src/kernels/wasm_shared.ts', 'wasm-plain': 'src/kernels/wasm_plain.ts' };

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'bridges/tfjs': 'src/bridges/tfjs.ts', 'bridges/onnx': 'src/bridges/onnx.ts', ...wasmEntries },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', 'bridges/tfjs': 'src/bridges/tfjs.ts', 'bridges/onnx': 'src/bridges/onnx.ts' } },
    // no source maps: dist/ is readable ES2022 (not minified), and maps of bundled TypeScript
    // tripled the package (2.1 MB of its 3.4 MB) for sources the package does not ship
    sourcemap: false,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    esbuildPlugins: [coreExternal, wasmChunks],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    esbuildPlugins: [wasmChunks],
  },
]);
