/**
 * What both WebAssembly loaders (wasm_module.ts for ESM, wasm_module_sync.ts for CommonJS) share:
 * which of the two builds this engine can run, and the step from base64 to bytes.
 */

/** A compiled build of the kernels, and whether it expects shared memory (threads). */
export interface WasmBuild {
  module: WebAssembly.Module;
  shared: boolean;
}

/** True where this JavaScript engine has WebAssembly and `atob` (Node 16+, every browser). */
export function hasWasm(): boolean {
  return typeof WebAssembly === 'object' && typeof atob === 'function';
}

/**
 * True where this JavaScript engine can create shared WebAssembly memory: Node, and browsers in a
 * cross-origin isolated page (COOP/COEP headers), where SharedArrayBuffer exists.
 */
export function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** The bytes of a base64 build; null where the engine cannot run it (no SIMD). */
export function decode(b64: string): Uint8Array<ArrayBuffer> | null {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return WebAssembly.validate(out) ? out : null;
}
