import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { record } from '../autograd/graph.js';
import { fusedOn } from '../kernels/index.js';
import { asNumbers } from '../tensor/dtype.js';
import { RuntimeError, check } from '../errors.js';
import { sub, where } from '../ops/elementwise.js';
import { rowDot } from '../ops/reduce.js';
import { sizeList } from '../tensor/shape.js';
import { arg, checkNumber, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link cosineEmbeddingLoss} and `nn.CosineEmbeddingLoss`. */
export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** PyTorch's `margin`. Default 0. Pairs with target -1 are penalised only above this cosine; -1 to 1 makes sense. */
  margin?: number;
}

// PyTorch's kernel adds a C++ float 1e-12 to each squared norm
const EPSILON = Math.fround(1e-12);

/**
 * Cosine embedding loss: pulls similar pairs (`target = 1`) together and pushes dissimilar ones
 * (`target = -1`) below a cosine of `margin`.
 *
 * With `cos = Σ x1·x2 / sqrt((Σ x1² + ε)(Σ x2² + ε))` along the feature dimension (ε = 1e-12):
 * `l = 1 - cos` for target 1, `max(0, cos - margin)` for target -1, and 0 for any other target
 * (not validated, as in PyTorch). `'mean'` averages over the pairs. The target gets no gradient.
 *
 * @param input1 `(N, D)` or `(D)`.
 * @param input2 `(N, D)` or `(D)` (broadcastable with input1).
 * @param target `(N)` for 2-D inputs, `()` for 1-D inputs.
 * @throws RuntimeError `0D or 1D target tensor expected, multi-target not supported`, or when
 *   the inputs' dimensions do not match the target's (both inputs are checked, as in PyTorch 2.x).
 * @throws ValueError for an unknown reduction.
 * @example
 * F.cosineEmbeddingLoss(tensor([[1, 0]]), tensor([[1, 1]]), tensor([1])).toString(); // 'tensor(0.2929)'
 */
export function cosineEmbeddingLoss(
  input1: TensorLike,
  input2: TensorLike,
  target: TensorLike,
  opts: CosineEmbeddingLossOptions = {},
): Tensor {
  const h = inFloat32(cosineEmbeddingLoss, [input1, input2, target, opts]);
  if (h !== undefined) return h;
  checkOptions('cosineEmbeddingLoss', opts, LOSS_OPTIONS.cosineEmbeddingLoss);
  const x1 = arg('cosineEmbeddingLoss', 'input1', input1);
  const x2 = arg('cosineEmbeddingLoss', 'input2', input2);
  const y = arg('cosineEmbeddingLoss', 'target', target);
  const margin = checkNumber('cosineEmbeddingLoss', 'margin', opts.margin ?? 0);
  const reduction = resolveReduction(opts);
  const d = y.ndim;
  check(d === 0 || d === 1, RuntimeError, () => '0D or 1D target tensor expected, multi-target not supported');
  check(
    x1.ndim === d + 1 && x2.ndim === d + 1,
    RuntimeError,
    () =>
      `${d}D target tensor expects ${d + 1}D input tensors, but found inputs with sizes ${sizeList(x1.shape)} and ${sizeList(x2.shape)}.`,
  );
  // d is the last dim: one node per row sum where the shapes agree (the same numbers)
  const dot = (a: Tensor, b: Tensor): Tensor => rowDot(a, b) ?? a.mul(b).sum(d);
  let cos = rowCosine(x1, x2);
  if (!cos) {
    const prodSum = dot(x1, x2);
    const mag1 = dot(x1, x1).add(EPSILON);
    const mag2 = dot(x2, x2).add(EPSILON);
    cos = prodSum.div(mag1.mul(mag2).sqrt());
  }
  const pos = where(y.eq(1), sub(1, cos), 0);
  const neg = where(y.eq(-1), cos.sub(margin).clampMin(0), 0);
  return reduce(pos.add(neg), reduction);
}

/**
 * The composed `x1·x2 / sqrt((x1·x1 + ε)(x2·x2 + ε))` over the last dim as one node (null where
 * the dtypes or shapes differ, or x1 is x2: compose it then): the three row sums in one pass over
 * both inputs (float32 products rounded and summed in float64, then rounded per op as the
 * composed ops do, so the value is the same bit for bit), and the gradients
 * `g (x2 / s - cos x1 / m1)` and `g (x1 / s - cos x2 / m2)` (s = sqrt(m1 m2)) in one pass each,
 * coefficients per row in float64: [4096, 512] value + gradient 21 -> 8.9 ms (one thread).
 */
function rowCosine(a: Tensor, b: Tensor): Tensor | null {
  if (!fusedOn() || a === b || a.dtype !== b.dtype || (a.dtype !== 'float32' && a.dtype !== 'float64') || a.ndim === 0 || a.numel === 0) return null;
  if (a.ndim !== b.ndim || a.shape.some((v, i) => v !== b.shape[i])) return null;
  const size = a.shape[a.ndim - 1];
  const rows = a.numel / size;
  const av = a.data as Float32Array | Float64Array;
  const bv = b.data as Float32Array | Float64Array;
  const f32 = av instanceof Float32Array;
  const fr = f32 ? Math.fround : (v: number) => v;
  const dots = new Float64Array(rows * 3);
  if (f32) cosSums32(av as Float32Array, bv as Float32Array, dots, size);
  else cosSums64(av as Float64Array, bv as Float64Array, dots, size);
  const out = f32 ? new Float32Array(rows) : new Float64Array(rows);
  const m1 = new Float64Array(rows);
  const m2 = new Float64Array(rows);
  const sq = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    m1[r] = fr(fr(dots[3 * r + 1]) + EPSILON);
    m2[r] = fr(fr(dots[3 * r + 2]) + EPSILON);
    sq[r] = fr(Math.sqrt(fr(m1[r] * m2[r])));
    out[r] = fr(fr(dots[3 * r]) / sq[r]);
  }
  const res = new Tensor(out, a.shape.slice(0, -1));
  return record(res, 'DivBackward', [a, b], (g) => {
    const gv = asNumbers(g.data);
    const side = (t: Tensor, self: Float32Array | Float64Array, other: Float32Array | Float64Array, m: Float64Array): Tensor | null => {
      if (!t.requiresGrad) return null;
      const gi = f32 ? new Float32Array(self.length) : new Float64Array(self.length);
      const c1 = new Float64Array(rows);
      const c2 = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        c1[r] = gv[r] / sq[r];
        c2[r] = (gv[r] * out[r]) / m[r];
      }
      cosGrad(gi, self, other, c1, c2, size);
      return new Tensor(gi, t.shape);
    };
    return [side(a, av, bv, m1), side(b, bv, av, m2)];
  });
}

// each loop in a function of its own (see src/ops/reduce.ts's row ops: V8's on-stack replacement)

function cosSums32(a: Float32Array, b: Float32Array, acc: Float64Array, size: number): void {
  const rows = acc.length / 3;
  for (let o = 0, k = 0; o < rows; o++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let j = 0; j < size; j++, k++) {
      const x = a[k];
      const y = b[k];
      ab += Math.fround(x * y);
      aa += Math.fround(x * x);
      bb += Math.fround(y * y);
    }
    acc[3 * o] = ab;
    acc[3 * o + 1] = aa;
    acc[3 * o + 2] = bb;
  }
}

function cosSums64(a: Float64Array, b: Float64Array, acc: Float64Array, size: number): void {
  const rows = acc.length / 3;
  for (let o = 0, k = 0; o < rows; o++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let j = 0; j < size; j++, k++) {
      const x = a[k];
      const y = b[k];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    acc[3 * o] = ab;
    acc[3 * o + 1] = aa;
    acc[3 * o + 2] = bb;
  }
}

/** gi[k] = c1[row] other[k] - c2[row] self[k] */
function cosGrad(gi: Float32Array | Float64Array, self: Float32Array | Float64Array, other: Float32Array | Float64Array, c1: Float64Array, c2: Float64Array, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const p = c1[o];
    const q = c2[o];
    for (let j = 0; j < size; j++, k++) gi[k] = p * other[k] - q * self[k];
  }
}
