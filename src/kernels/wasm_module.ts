/**
 * The WebAssembly kernels for the ESM build: only the build this engine can use is loaded, by a
 * dynamic import that a bundler turns into a chunk of its own (src/kernels/wasm_shared.ts with
 * shared memory and threads, wasm_plain.ts without, 76 kB of base64 each), and compiled off the
 * main thread. The module awaits both at load (top-level await), so the synchronous API has its
 * kernels from the first call, in Node as in a page. Where either step fails (no SIMD, a CSP
 * without 'wasm-unsafe-eval', a chunk that did not load) the TypeScript kernels serve every call:
 * the same results, slower. The CommonJS build gets wasm_module_sync.ts instead (tsup.config.ts).
 */
import { canShare, decode, hasWasm, type WasmBuild } from './wasm_support.js';

async function load(): Promise<WasmBuild | null> {
  if (!hasWasm()) return null;
  try {
    const shared = canShare();
    const b64 = shared ? (await import('./wasm_shared.js')).WASM_SHARED : (await import('./wasm_plain.js')).WASM_PLAIN;
    const bytes = decode(b64);
    return bytes ? { module: await WebAssembly.compile(bytes), shared } : null;
  } catch {
    return null;
  }
}

const build = await load();

/** The compiled kernels, or null where they cannot run here. */
export function wasmBuild(): WasmBuild | null {
  return build;
}
