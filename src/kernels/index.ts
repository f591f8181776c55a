/**
 * Fused loss kernels: which implementation runs, and the public switches.
 *
 * `setBackend('auto')` (the default) uses WebAssembly SIMD where the engine has it and plain
 * TypeScript elsewhere; `'wasm'` and `'ts'` force one (tests run every parity case under both).
 */
import { RuntimeError, ValueError, describe } from '../errors.js';
import { tsBackend } from './ts.js';
import { wasmAvailable, wasmBackend } from './wasm.js';
import type { Backend } from './types.js';

/** The kernels behind the fused losses: 'auto' (the default: WebAssembly SIMD where available, else TypeScript), 'wasm' or 'ts'. */
export type BackendName = 'auto' | 'wasm' | 'ts';

let selected: BackendName = 'auto';
let fusedEnabled = true;

/**
 * Chooses the kernels behind the fused losses: 'auto' (WebAssembly SIMD where available, else
 * TypeScript), 'wasm' or 'ts'. Both give the same results up to float32 rounding.
 * @throws ValueError for a name other than 'auto', 'wasm' or 'ts'; RuntimeError for 'wasm' where
 *   WebAssembly SIMD is not available.
 */
export function setBackend(name: BackendName): void {
  if (name !== 'auto' && name !== 'wasm' && name !== 'ts') {
    throw new ValueError(`setBackend: expected 'auto', 'wasm' or 'ts', got ${describe(name)}`);
  }
  if (name === 'wasm' && !wasmAvailable()) throw new RuntimeError('setBackend: WebAssembly SIMD is not available in this JavaScript engine');
  selected = name;
}

/** The kernels in use: 'wasm' or 'ts' (what 'auto' resolved to). */
export function getBackend(): 'wasm' | 'ts' {
  return activeBackend().name;
}

export function activeBackend(): Backend {
  if (selected === 'ts') return tsBackend;
  if (selected === 'wasm') return wasmBackend;
  return wasmAvailable() ? wasmBackend : tsBackend;
}

/** @internal tests: run `fn` with the fused paths off, so the losses take their composed path. */
export function withComposed<T>(fn: () => T): T {
  const prev = fusedEnabled;
  fusedEnabled = false;
  try {
    return fn();
  } finally {
    fusedEnabled = prev;
  }
}

export function fusedOn(): boolean {
  return fusedEnabled;
}

export { setNumThreads, getNumThreads, threadsReady } from './threads.js';
export type { Backend } from './types.js';
