/** softmax, logSoftmax and logsumexp along a dimension, stabilised by the running maximum. */
import { RuntimeError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type DType, type NumberArray, allocate, isFloating } from '../tensor/dtype.js';
import { normDim, splitAt } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { torchTypeName } from './reduce.js';
import { inFloat32 } from '../tensor/upcast.js';

function floatInput(x: Tensor, what: string): DType {
  check(isFloating(x.dtype), RuntimeError, () => `"${what}" not implemented for '${torchTypeName(x.dtype)}'`);
  return x.dtype;
}

/**
 * For each slice along `dim`: its maximum m and log(sum(exp(x - m))). A slice whose maximum is
 * infinite uses m = 0 so that -inf stays -inf and +inf gives +inf or NaN as PyTorch does.
 */
function logNormalizers(v: NumberArray, outer: number, size: number, inner: number): Float64Array {
  const lse = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let c = 0; c < size; c++) {
        const a = v[base + c * inner];
        if (a > m || a !== a) m = a;
      }
      if (m !== m) {
        lse[o * inner + i] = NaN;
        continue;
      }
      const shift = Number.isFinite(m) ? m : 0;
      let s = 0;
      for (let c = 0; c < size; c++) s += Math.exp(v[base + c * inner] - shift);
      lse[o * inner + i] = Math.log(s) + shift;
    }
  }
  return lse;
}

/** `f(x, logsumexp(x))` for every element, slice by slice along `dim`: softmax and logSoftmax. */
function normalized(
  x: Tensor,
  dim: number,
  kernel: string,
  f: (v: number, lse: number) => number,
): { out: Float32Array | Float64Array; outer: number; size: number; inner: number } {
  const dtype = floatInput(x, kernel);
  const [outer, size, inner] = splitAt(x.shape, normDim(dim, x.ndim));
  const v = x.data as NumberArray;
  const lse = logNormalizers(v, outer, size, inner);
  const out = allocate(dtype, x.numel) as Float32Array | Float64Array;
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < size; c++)
      for (let i = 0; i < inner; i++) {
        const k = (o * size + c) * inner + i;
        out[k] = f(v[k], lse[o * inner + i]);
      }
  return { out, outer, size, inner };
}

/** log(softmax(x)) along `dim`, computed as x - logsumexp(x). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const h = inFloat32(logSoftmax, [x, dim]);
  if (h !== undefined) return h;
  const { out, outer, size, inner } = normalized(x, dim, 'log_softmax_lastdim_kernel_impl', (v, lse) => v - lse);
  const result = new Tensor(out, x.shape);
  return record(result, 'LogSoftmaxBackward', [x], (g) => {
    // d/dx: g - softmax * sum(g)
    const gv = g.data as NumberArray;
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let c = 0; c < size; c++) s += gv[(o * size + c) * inner + i];
        for (let c = 0; c < size; c++) {
          const k = (o * size + c) * inner + i;
          gi[k] = gv[k] - Math.exp(out[k]) * s;
        }
      }
    return [new Tensor(gi, x.shape)];
  });
}

/** softmax along `dim`. */
export function softmax(x: Tensor, dim: number): Tensor {
  const h = inFloat32(softmax, [x, dim]);
  if (h !== undefined) return h;
  const { out, outer, size, inner } = normalized(x, dim, 'softmax_lastdim_kernel_impl', (v, lse) => Math.exp(v - lse));
  const result = new Tensor(out, x.shape);
  return record(result, 'SoftmaxBackward', [x], (g) => {
    // d/dx: y * (g - sum(g * y))
    const gv = g.data as NumberArray;
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let c = 0; c < size; c++) {
          const k = (o * size + c) * inner + i;
          s += gv[k] * out[k];
        }
        for (let c = 0; c < size; c++) {
          const k = (o * size + c) * inner + i;
          gi[k] = out[k] * (gv[k] - s);
        }
      }
    return [new Tensor(gi, x.shape)];
  });
}

/** log(sum(exp(x))) over `dim`, without overflow. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const h = inFloat32(logsumexp, [x, dim, keepdim]);
  if (h !== undefined) return h;
  const dims = (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normDim(d, x.ndim));
  if (dims.length !== 1) {
    // several dims: move them together by flattening a permuted copy
    const rest = [...x.shape.keys()].filter((i) => !dims.includes(i));
    const moved = x.permute([...rest, ...dims]).reshape([...rest.map((i) => x.shape[i]), -1]);
    const r = logsumexp(moved, -1, false);
    return keepdim ? r.reshape(x.shape.map((s, i) => (dims.includes(i) ? 1 : s))) : r;
  }
  const d = dims[0];
  floatInput(x, 'logsumexp');
  const [outer, size, inner] = splitAt(x.shape, d);
  const v = x.data as NumberArray;
  const lse = logNormalizers(v, outer, size, inner);
  const shape = x.ndim === 0 ? [] : keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  const out = allocate(x.dtype, lse.length) as Float32Array | Float64Array;
  out.set(lse);
  return record(new Tensor(out, shape), 'LogsumexpBackward', [x], (g) => {
    const gv = g.data as NumberArray;
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let o = 0; o < outer; o++)
      for (let c = 0; c < size; c++)
        for (let i = 0; i < inner; i++) {
          const k = (o * size + c) * inner + i;
          gi[k] = gv[o * inner + i] * Math.exp(v[k] - out[o * inner + i]);
        }
    return [new Tensor(gi, x.shape)];
  });
}
