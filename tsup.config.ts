import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

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

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'bridges/tfjs': 'src/bridges/tfjs.ts', 'bridges/onnx': 'src/bridges/onnx.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    esbuildPlugins: [coreExternal],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
