/**
 * float16 and bfloat16 compute in float32, as PyTorch's CPU kernels do (its "opmath" type): a call
 * with 16-bit float tensors among its arguments runs on float32 copies of them (recorded casts, so
 * gradients flow back in the 16-bit dtype) and its floating results are cast back to the 16-bit
 * dtype the arguments promote to. Everything below the public entry points sees float32 only.
 */
import { type DType, isHalf, resultType } from './dtype.js';
import { Tensor } from './tensor.js';
import { cast } from '../ops/cast.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** The dtype the tensors among `values` (and one level into options objects) promote to, when one is 16-bit; else null. */
function halfTarget(self: unknown, values: ArrayLike<unknown>): DType | null {
  const parts: Tensor[] = [];
  let half = false;
  const see = (v: unknown): void => {
    if (!(v instanceof Tensor)) return;
    if (isHalf(v.dtype)) half = true;
    parts.push(v);
  };
  see(self);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isPlainObject(v)) for (const k in v) see(v[k]);
    else if (Array.isArray(v)) v.forEach(see);
    else see(v);
  }
  return half ? resultType(parts) : null;
}

const up = (v: unknown): unknown => (v instanceof Tensor && isHalf(v.dtype) ? cast(v, 'float32') : v);

function upAll(v: unknown): unknown {
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k in v) out[k] = up(v[k]);
    return out;
  }
  return Array.isArray(v) ? v.map(up) : up(v);
}

function down(r: unknown, dtype: DType): unknown {
  if (r instanceof Tensor) return r.dtype === 'float32' && isHalf(dtype) ? cast(r, dtype) : r;
  if (Array.isArray(r)) return r.map((x) => down(x, dtype));
  return r;
}

/**
 * For a public function's first line: `const h = inFloat32(fn, arguments); if (h !== undefined) return h;`.
 * When a 16-bit float tensor is among `args`, runs `fn` on float32 copies and returns its result cast
 * back; otherwise returns undefined (and costs a scan of the arguments).
 */
export function inFloat32<T>(fn: (...a: never[]) => T, args: ArrayLike<unknown>, self?: unknown): T | undefined {
  const target = halfTarget(self, args);
  if (target === null) return undefined;
  const r = (fn as (...a: unknown[]) => T).apply(up(self), Array.from(args, upAll));
  return down(r, target) as T;
}

// Methods that only move, view or convert elements: they handle 16-bit data themselves.
const OWN = new Set(['constructor', 'item', 'toArray', 'detach', 'backward', 'toString', 'to', 'float', 'double', 'long', 'half', 'bfloat16']);

const half = (v: unknown): boolean => v instanceof Tensor && isHalf(v.dtype);

/** Makes every computing method of `proto` (Tensor's) run in float32 for 16-bit float tensors. */
export function upcastMethods(proto: object): void {
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (OWN.has(name)) continue;
    const d = Object.getOwnPropertyDescriptor(proto, name)!;
    if (typeof d.value === 'function') {
      const f = d.value as (...a: unknown[]) => unknown;
      // a plain function (no rest parameter) keeps the common 32-bit call as cheap as a direct one
      const wrapped = function (this: Tensor, a?: unknown, b?: unknown, c?: unknown): unknown {
        const n = arguments.length;
        if (isHalf(this.dtype) || half(a) || half(b) || half(c) || n > 3) {
          // eslint-disable-next-line prefer-rest-params -- see above: a rest parameter costs every call
          const args = Array.prototype.slice.call(arguments) as unknown[];
          const h = inFloat32(f as (...x: never[]) => unknown, args, this);
          if (h !== undefined) return h;
          return f.apply(this, args);
        }
        return n === 0 ? f.call(this) : n === 1 ? f.call(this, a) : n === 2 ? f.call(this, a, b) : f.call(this, a, b, c);
      };
      Object.defineProperty(wrapped, 'name', { value: name });
      Object.defineProperty(proto, name, { ...d, value: wrapped });
    } else if (d.get && name === 'T') {
      const g = d.get;
      Object.defineProperty(proto, name, {
        ...d,
        get(this: Tensor) {
          return isHalf(this.dtype) ? cast(g.call(cast(this, 'float32')) as Tensor, this.dtype) : g.call(this);
        },
      });
    }
  }
}
