/**
 * The WebAssembly kernels for the CommonJS build (tsup.config.ts puts this module in place of
 * wasm_module.ts there): CommonJS has no top-level await, but it can require the one build this
 * engine uses synchronously, from its own file (dist/wasm-shared.cjs or dist/wasm-plain.cjs), on
 * first use.
 */
import { canShare, decode, hasWasm, type WasmBuild } from './wasm_support.js';

let build: WasmBuild | null | undefined;

/** The compiled kernels, or null where they cannot run here. */
export function wasmBuild(): WasmBuild | null {
  if (build !== undefined) return build;
  build = null;
  if (!hasWasm()) return null;
  try {
    const shared = canShare();
    /* eslint-disable @typescript-eslint/no-require-imports */
    const b64: string = shared ? require('./wasm_shared.js').WASM_SHARED : require('./wasm_plain.js').WASM_PLAIN;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const bytes = decode(b64);
    if (bytes) build = { module: new WebAssembly.Module(bytes), shared };
  } catch {
    build = null;
  }
  return build;
}
