/** Indexing: gather along a dimension (with its scatter-add backward) and one-hot encoding. */
import { RuntimeError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { allocate, asNumbers, fromNumbers } from '../tensor/dtype.js';
import { normDim, numelOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Flat input offsets that `gather(x, dim, index)` reads, one per element of `index`. */
function gatherOffsets(x: Tensor, d: number, index: Tensor): Int32Array {
  const iv = asNumbers(index.data);
  const n = index.numel;
  const offs = new Int32Array(n);
  if (n === 0) return offs;
  const xs = stridesOf(x.shape);
  const nd = index.ndim;
  const counter = new Array<number>(nd).fill(0);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  for (let k = 0; k < n; k++) {
    const j = iv[k];
    check(
      Number.isInteger(j) && j >= -size && j < size,
      RuntimeError,
      () => `index ${j} is out of bounds for dimension ${d} with size ${size}`,
    );
    let off = 0;
    for (let a = 0; a < nd; a++) off += (a === d ? (j < 0 ? j + size : j) : counter[a]) * xs[a];
    offs[k] = off;
    for (let a = nd - 1; a >= 0; a--) {
      if (++counter[a] < index.shape[a]) break;
      counter[a] = 0;
    }
  }
  return offs;
}

/** `out[i][j] = x[i][index[i][j]]` for dim 1 (and likewise for other dims), as `torch.gather`. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.ndim);
  check(
    index.dtype === 'int64' || index.dtype === 'int32',
    RuntimeError,
    () => `gather(): Expected dtype int64 for index, got ${index.dtype}`,
  );
  check(
    index.ndim === x.ndim || (x.ndim === 0 && index.ndim <= 1),
    RuntimeError,
    () => 'Index tensor must have the same number of dimensions as input tensor',
  );
  for (let a = 0; a < index.ndim; a++) {
    check(
      a === d || index.shape[a] <= x.shape[a],
      RuntimeError,
      () => `Size does not match at dimension ${a} expected index [${index.shape.join(', ')}] to be smaller than self [${x.shape.join(', ')}] apart from dimension ${d}`,
    );
  }
  const offs = gatherOffsets(x, d, index);
  const src = x.data as any;
  const out = allocate(x.dtype, offs.length) as any;
  for (let k = 0; k < offs.length; k++) out[k] = src[offs[k]];
  return record(new Tensor(out, index.shape), 'GatherBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let k = 0; k < offs.length; k++) gi[offs[k]] += gv[k];
    return [new Tensor(gi, x.shape)];
  });
}

/** One-hot int64 encoding with a new last dimension of `numClasses` (`F.one_hot`). */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  check(index.dtype === 'int64', RuntimeError, () => 'one_hot is only applicable to index tensor of type LongTensor.');
  const iv = asNumbers(index.data);
  let c = numClasses;
  if (c === -1) c = iv.length === 0 ? 0 : Math.max(...iv) + 1;
  for (const v of iv) {
    check(v >= 0, RuntimeError, () => 'Class values must be non-negative.');
    check(v < c, RuntimeError, () => 'Class values must be smaller than num_classes.');
  }
  const out = new Float64Array(iv.length * c);
  for (let k = 0; k < iv.length; k++) out[k * c + iv[k]] = 1;
  return new Tensor(fromNumbers(out, 'int64'), [...index.shape, c]);
}

export { numelOf };
