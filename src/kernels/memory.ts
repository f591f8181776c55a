/**
 * The WebAssembly module and its linear memory: loading (synchronously, from the base64 inlined
 * by assembly/build.mjs), and a small allocator for the memory above the first 64 KiB.
 *
 * Where tensors live decides the speed: copying 80 MB into wasm memory costs about as much as the
 * MSE kernel itself, and a fresh 40 MB JavaScript array costs more (the OS maps its pages in on
 * first touch). So the fused kernels write their results (gradients, unreduced losses) straight
 * into this memory and hand them out as typed-array views, recycled when the views are garbage
 * collected; inputs already in this memory (such as a previous result) are used in place.
 *
 * With shared memory (Node, and browsers that are cross-origin isolated) views stay valid when
 * the memory grows. With plain memory a grow would detach every view, so results are copied out
 * into ordinary arrays instead.
 */
import { RuntimeError } from '../errors.js';
import { WASM_PLAIN, WASM_SHARED } from './wasm_module.js';

/** Fixed addresses in the first 64 KiB (AssemblyScript's static data ends well below 0xe000). */
export const CTRL = 0xf000; // Int32 control block for the thread pool (256 bytes)
export const ARGS = 0xf400; // Float64 job arguments (128 bytes)
export const ERRMSG = 0xf600; // a worker's error message, UTF-16 (512 bytes)
export const SCRATCH = 0xf800; // 64 bytes per thread, 32 threads
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
}

export interface Runtime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  exports: KernelExports;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let runtime: Runtime | null | undefined;

/** True where this JavaScript engine can create shared WebAssembly memory. */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** The runtime, created on first use; null where WebAssembly SIMD is not available. */
export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
  try {
    const shared = canShare();
    const bytes = decode(shared ? WASM_SHARED : WASM_PLAIN);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD
    const module = new WebAssembly.Module(bytes);
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

// ---- allocation ------------------------------------------------------------------------------

/** Free blocks [offset, offset + size), sorted by offset and coalesced. */
const free: { off: number; size: number }[] = [];
let top = HEAP_START; // everything from here to the end of memory is free

/** Bytes allocated so far, all blocks and result blocks (bench/run.ts reports them per call). */
let allocatedBytes = 0;
let resultBytes = 0;
/** Bytes handed out as result views and not yet collected. */
let pooledBytes = 0;
/**
 * At most this much memory is held by result views at once; beyond it results go to ordinary
 * arrays. A loop that never yields to the event loop never lets finalizers run, so this bounds
 * what such a loop can pin.
 */
export const POOL_LIMIT = 768 * 1024 * 1024;
/**
 * ... and at most this much since blocks were last recycled. In a synchronous loop no finalizer can
 * run, so without this it would pin POOL_LIMIT; past this it gets results copied into ordinary
 * arrays, whose memory the garbage collector reclaims as it goes, while the blocks it copies from
 * are reused at once. Measured on cross entropy [4096, 1000] in a synchronous loop: 12-14 ms a step
 * and about 1 GB resident with POOL_LIMIT alone, 7-8 ms and about 580 MB with this (128 MB: slower
 * again, 13-17 ms). A loop that yields keeps pooling (4.6-5.7 ms a step).
 */
const UNRECYCLED_LIMIT = 384 * 1024 * 1024;
let pooledSinceRecycle = 0;

const ALIGN = 64;

/** Allocates `bytes` in wasm memory (growing it as needed); returns the byte offset. */
export function alloc(bytes: number): number {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  allocatedBytes += size;
  for (let i = 0; i < free.length; i++) {
    const b = free[i];
    if (b.size < size) continue;
    const off = b.off;
    if (b.size === size) free.splice(i, 1);
    else {
      b.off += size;
      b.size -= size;
    }
    return off;
  }
  const mem = getRuntime()!.memory;
  const off = top;
  const end = off + size;
  const have = mem.buffer.byteLength;
  if (end > have) {
    const pages = Math.ceil((end - have) / PAGE);
    const extra = Math.min(MAX_PAGES - have / PAGE, Math.max(pages, Math.ceil(have / PAGE / 4)));
    if (extra < pages) throw new RuntimeError('losskit: WebAssembly memory exhausted (4 GiB)');
    try {
      mem.grow(extra);
    } catch (e) {
      // the engine refused (address space or the machine's memory): a losskit error, not a RangeError
      throw new RuntimeError(`losskit: could not grow WebAssembly memory by ${extra * 64} KiB: ${(e as Error).message}`);
    }
  }
  top = end;
  return off;
}

/** Returns a block to the allocator. */
export function release(off: number, bytes: number): void {
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  let lo = 0;
  let hi = free.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (free[mid].off < off) lo = mid + 1;
    else hi = mid;
  }
  free.splice(lo, 0, { off, size });
  // coalesce with the next and the previous block
  if (lo + 1 < free.length && free[lo].off + free[lo].size === free[lo + 1].off) {
    free[lo].size += free[lo + 1].size;
    free.splice(lo + 1, 1);
  }
  if (lo > 0 && free[lo - 1].off + free[lo - 1].size === free[lo].off) {
    free[lo - 1].size += free[lo].size;
    free.splice(lo, 1);
    lo--;
  }
  // give the last block back to the top
  const last = free[free.length - 1];
  if (last && last.off + last.size === top) {
    top = last.off;
    free.pop();
  }
}

/**
 * The memory's size, the bytes held by result views, the allocator's high-water mark, and the
 * bytes allocated so far (all of them, and those for results).
 */
export function memoryStats(): { wasmBytes: number; pooledBytes: number; top: number; allocatedBytes: number; resultBytes: number } {
  const rt = getRuntime();
  return { wasmBytes: rt ? rt.memory.buffer.byteLength : 0, pooledBytes, top, allocatedBytes, resultBytes };
}

// ---- views -----------------------------------------------------------------------------------

/** Every buffer object the memory has had (one per grow of shared memory). */
const buffers = new Set<ArrayBufferLike>();
let lastBuffer: ArrayBufferLike | null = null;

export function buffer(): ArrayBufferLike {
  const b = getRuntime()!.memory.buffer;
  if (b !== lastBuffer) {
    lastBuffer = b;
    buffers.add(b);
  }
  return b;
}

/** The byte offset of `a` in wasm memory, or -1 where it lives elsewhere. */
export function offsetIn(a: ArrayBufferView): number {
  const rt = getRuntime();
  if (!rt) return -1;
  buffer();
  return buffers.has(a.buffer) && (rt.shared || a.buffer === rt.memory.buffer) ? a.byteOffset : -1;
}

export function f32View(off: number, n: number): Float32Array {
  return new Float32Array(buffer(), off, n);
}

const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<[number, number]>(([off, bytes]) => {
        pooledBytes -= bytes;
        pooledSinceRecycle = 0;
        release(off, bytes);
      })
    : null;

/**
 * A block for a result of n elements that will be handed out as a view (`pooled`: freed when the
 * view is collected), or a temporary one whose contents the caller copies out and releases.
 */
export function resultBlock(n: number, bytesPer: 4 | 8 = 4): ResultBlock {
  const bytes = n * bytesPer;
  const rt = getRuntime()!;
  const pooled = rt.shared && registry !== null && pooledBytes + bytes <= POOL_LIMIT && pooledSinceRecycle + bytes <= UNRECYCLED_LIMIT;
  resultBytes += bytes;
  return { off: alloc(bytes), pooled, bytesPer };
}

/** A view of the first n elements of a result block. */
export function viewOf(b: ResultBlock, n: number): Float32Array | Float64Array {
  return b.bytesPer === 8 ? new Float64Array(buffer(), b.off, n) : f32View(b.off, n);
}

/** A block of wasm memory for a result of float32 (bytesPer 4) or float64 (8) elements. */
export interface ResultBlock {
  off: number;
  pooled: boolean;
  bytesPer: 4 | 8;
}

/**
 * Views of wasm memory cost the JavaScript heap almost nothing, so the garbage collector would not
 * hurry to collect them (and free their blocks). Each one carries an untouched ArrayBuffer (virtual
 * memory only, never written) that V8 counts as external memory: that pressure makes it collect
 * dropped results. A quarter of the result's size, not all of it: every collection it triggers
 * runs marking threads that compete with the kernels' worker on a 2-core machine. Measured over
 * 100 steps of a loop that yields (median ms, MSE 1e7 / cross entropy [4096, 1000], two threads):
 * ballast 1x 9.8 / 3.9, 1/2 8.5 / 3.6, 1/4 7.6-7.8 / 3.1-3.6, 1/8 8.3 / 4.8, 1/32 37 / 14 (results
 * outrun collection and go to ordinary arrays); peak wasm memory 466-728 MB throughout, bounded by
 * POOL_LIMIT and UNRECYCLED_LIMIT rather than by the ballast. Once a third of UNRECYCLED_LIMIT
 * waits for recycling, the ballast is the result's full size again: with a quarter throughout,
 * 32 MB results (cross entropy [256, 32000]) reached the limit and fell back to ordinary arrays
 * in a third of the steps (13-33 ms against 7-8), with the switch in none (at most 14 ms).
 */
const BALLAST_FRACTION = 4;
const ballast = new WeakMap<object, ArrayBuffer>();

/**
 * In Node the ballast comes from Buffer.allocUnsafeSlow: malloc without zeroing, counted as external
 * memory like any ArrayBuffer. `new ArrayBuffer(n)` is calloc, which zeroes with memset once glibc
 * serves blocks of that size from its heap (below 32 MB, after a free of one as big): 16 MB
 * ballasts took 0.7 ms (median; up to 9-14 ms) against 0.2 ms here. (A resizable ArrayBuffer
 * is cheap too, but V8 does not count it: 40 results of 16 MB went uncollected.) The ballast is
 * never read or handed out, so its contents do not matter.
 */
const NodeBuffer = (globalThis as any).Buffer;
const allocUnsafeSlow: ((n: number) => { buffer: ArrayBuffer }) | undefined =
  typeof NodeBuffer?.allocUnsafeSlow === 'function' ? (n: number) => NodeBuffer.allocUnsafeSlow(n) : undefined;
function ballastOf(bytes: number): ArrayBuffer {
  return allocUnsafeSlow ? allocUnsafeSlow(bytes).buffer : new ArrayBuffer(bytes);
}

/** Turns a result block into the array the caller gets (a view, or a copy for temporaries). */
export function resultArray(block: ResultBlock, n: number): Float32Array | Float64Array {
  const bytes = n * block.bytesPer;
  const view = viewOf(block, n);
  if (block.pooled) {
    pooledBytes += bytes;
    pooledSinceRecycle += bytes;
    registry!.register(view, [block.off, bytes]);
    // light while little waits for recycling, the full size once a third of the limit does
    const fraction = pooledSinceRecycle < UNRECYCLED_LIMIT / 3 ? BALLAST_FRACTION : 1;
    ballast.set(view, ballastOf(Math.ceil(bytes / fraction)));
    return view;
  }
  const copy = view.slice();
  release(block.off, bytes);
  return copy;
}
