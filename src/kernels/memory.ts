/**
 * The WebAssembly module, its linear memory, and who owns what.
 *
 * WebAssembly memory is scratch, never a result: a call takes what it needs with `scratch()`
 * (copies of its inputs, partial sums), the kernels compute there, and every result (a gradient,
 * an unreduced loss) is copied out into a fresh array backed by its own plain ArrayBuffer of
 * exactly its bytes, which is the caller's from then on. The scratch is released when the call
 * returns or throws: a stack that rewinds, so memory grows to the largest single call's working
 * set and no further, and no garbage collection is ever waited for.
 */
import { RuntimeError } from '../errors.js';
import { wasmBuild } from './wasm_module.js';

/** Fixed addresses in the first 64 KiB (AssemblyScript's static data ends well below 0xe000). */
export const CTRL = 0xf000; // Int32 control block for the thread pool (1 KiB: 256 slots)
export const CTRL_SLOTS = 256;
export const ARGS = 0xf400; // Float64 job arguments (128 bytes)
export const ERRMSG = 0xf600; // a worker's error message, UTF-16 (512 bytes)
export const SCRATCH = 0xf800; // 64 bytes per thread, 32 threads
export const MAX_THREADS = 32;
export const HEAP_START = 0x10000;
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, wasm32's limit: reserved address space, not memory

export interface KernelExports {
  init(): void;
  vmath(mode: number, xp: number, outp: number, n: number): void;
  elementwise(
    kind: number, xp: number, yp: number, wp: number, wper: number, pwp: number, pwper: number,
    start: number, n: number, scale: number, param: number, lp: number, gp: number, scratch: number,
  ): number;
  ceIndex(xp: number, tp: number, wp: number, rows: number, C: number, ignore: number, eps: number, wsum: number, scale: number, lp: number, gp: number): number;
  ceProb(xp: number, yp: number, wp: number, rows: number, C: number, eps: number, scale: number, lp: number, gp: number): number;
  ceIndex64(xp: number, tp: number, wp: number, rows: number, C: number, ignore: number, eps: number, wsum: number, scale: number, lp: number, gp: number): number;
  vmath64(xp: number, outp: number, n: number): void;
  ctcSample(lp: number, T: number, N: number, C: number, blank: number, b: number, Tb: number, ext: number, S: number, ws: number, grad: number): number;
  ceIndexK(xp: number, tp: number, wp: number, C: number, inner: number, start: number, end: number, ignore: number, eps: number, wsum: number, scale: number, lp: number, gp: number): number;
  getBadRows(): number;
  mmPack32(bp: number, sbk: number, sbj: number, K: number, N: number, dst: number): void;
  mmPack64(bp: number, sbk: number, sbj: number, K: number, N: number, dst: number): void;
  mm32(ap: number, sai: number, sak: number, bpk: number, cp: number, K: number, N: number, biasp: number, r0: number, r1: number, tmp: number, pa: number): void;
  mm64(ap: number, sai: number, sak: number, bpk: number, cp: number, K: number, N: number, biasp: number, r0: number, r1: number, tmp: number, pa: number): void;
  setWantGrad(on: number): void;
  pointwise(kind: number, xp: number, yp: number, zp: number, n: number, seed: number, param: number, extra: number, gp: number, gzp: number, scratch: number): number;
  elementwise64(kind: number, xp: number, yp: number, n: number, scale: number, param: number, lp: number, gp: number, scratch: number): number;
  // assembly/classes.ts
  multiMargin(xp: number, tp: number, wp: number, rows: number, C: number, p: number, margin: number, seed: number, lp: number, gp: number): number;
  multilabelHits(xp: number, tp: number, rows: number, C: number, lp: number, hp: number, ws: number): number;
  ctcWorkspace(T: number, S: number, C: number): number;
  tripletRows(ap: number, pp: number, np: number, rows: number, D: number, eps: number, margin: number, seed: number, grad: number): number;
}

export interface Runtime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  exports: KernelExports;
}

let runtime: Runtime | null | undefined;

/**
 * The runtime, created on first use; null where WebAssembly SIMD is not available. The compiled
 * module comes from wasm_module.ts: only the build this engine can use (shared memory where it
 * can share, so that workers can join), loaded before the first call.
 */
export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  try {
    const build = wasmBuild();
    if (!build) return null;
    const { module, shared } = build;
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared } as WebAssembly.MemoryDescriptor);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const exports = instance.exports as unknown as KernelExports;
    exports.init();
    runtime = { module, memory, shared, exports };
  } catch {
    runtime = null;
  }
  return runtime;
}

/** The memory's current buffer (a new object after every grow). */
export function buffer(): ArrayBufferLike {
  return getRuntime()!.memory.buffer;
}

// ---- scratch: a stack rewound at the end of every call -----------------------------------------

const ALIGN = 64;
let top = HEAP_START;
let peak = HEAP_START;
/** Counters for tests and bench/run.ts: scratch bytes taken, and bytes of result arrays made. */
let scratchBytes = 0;
let resultBytes = 0;

/** Takes `bytes` of wasm memory (64-byte aligned, growing the memory as needed); returns the offset. */
function take(bytes: number): number {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const off = top;
  const end = off + size;
  const mem = getRuntime()!.memory;
  const have = mem.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    if (pages > MAX_PAGES - have / PAGE) throw new RuntimeError(`losskit: a call needs ${end} bytes of WebAssembly memory, more than its 4 GiB`);
    try {
      mem.grow(pages);
    } catch (e) {
      // the engine refused (address space or the machine's memory): a losskit error, not a RangeError
      throw new RuntimeError(`losskit: could not grow WebAssembly memory by ${pages * 64} KiB: ${(e as Error).message}`);
    }
  }
  top = end;
  if (top > peak) peak = top;
  scratchBytes += size;
  return off;
}

/**
 * Runs `fn` with scratch memory from `take`, all of it released when `fn` returns or throws.
 * Nothing `fn` returns may point into it: results leave as copies (see `fresh`).
 */
export function scratch<T>(fn: (take: (bytes: number) => number) => T): T {
  const mark = top;
  try {
    return fn(take);
  } finally {
    top = mark;
  }
}

const NodeBuffer = (globalThis as any).Buffer;
const allocUnsafeSlow: ((n: number) => { buffer: ArrayBuffer }) | undefined =
  typeof NodeBuffer?.allocUnsafeSlow === 'function' ? (n: number) => NodeBuffer.allocUnsafeSlow(n) : undefined;

/**
 * A new result array of n elements over its own ArrayBuffer of exactly its bytes. `filled`: the
 * caller writes every element before anyone else sees the array, so in Node it comes from
 * Buffer.allocUnsafeSlow (malloc, no zeroing pass; the buffer is not pooled); otherwise it is
 * zeroed.
 */
export function fresh(n: number, bytesPer: 4 | 8, filled: boolean): Float32Array | Float64Array {
  const bytes = n * bytesPer;
  resultBytes += bytes;
  let buf: ArrayBuffer;
  try {
    buf = filled && allocUnsafeSlow && bytes > 0 ? allocUnsafeSlow(bytes).buffer : new ArrayBuffer(bytes);
  } catch (e) {
    throw new RuntimeError(`losskit: could not allocate a result of ${bytes} bytes: ${(e as Error).message}`);
  }
  return bytesPer === 8 ? new Float64Array(buf) : new Float32Array(buf);
}

/**
 * The memory's size, the scratch in use now (0 between calls), its high-water mark, and the bytes
 * of scratch taken and of result arrays made so far.
 */
export function memoryStats(): { wasmBytes: number; scratchInUse: number; scratchPeak: number; scratchBytes: number; resultBytes: number } {
  const rt = getRuntime();
  return { wasmBytes: rt ? rt.memory.buffer.byteLength : 0, scratchInUse: top - HEAP_START, scratchPeak: peak - HEAP_START, scratchBytes, resultBytes };
}
