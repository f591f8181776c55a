// losskit/onnx: ONNX Runtime's Tensor class (onnxruntime-common, the class onnxruntime-web and
// -node re-export) and a transformers.js-style wrapper, to losskit and back over the same arrays;
// float16 bit patterns as PyTorch's .half() gives them; an ORT output scored with its gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-common';
import { F, tensor, ValueError, LosskitTypeError } from '../../src/index.js';
import { fromOrt, toOrt } from '../../src/bridges/onnx.js';
import { toHalfBits, fromHalfBits, float32ToHalf, halfToFloat32 } from '../../src/tensor/half.js';
import { closeArrays } from '../helpers/index.js';

/** transformers.js's Tensor keeps an ort.Tensor and exposes its type, data and dims as getters. */
class TransformersTensor {
  ort_tensor: ort.Tensor;
  constructor(type: ort.Tensor.Type, data: any, dims: number[]) {
    this.ort_tensor = new ort.Tensor(type, data, dims);
  }
  get type() {
    return this.ort_tensor.type;
  }
  get data() {
    return this.ort_tensor.data;
  }
  get dims() {
    return this.ort_tensor.dims;
  }
}

test('fromOrt / toOrt: every dtype over the same typed array and buffer, both ways', () => {
  // a view into a larger buffer, as session outputs can be
  const backing = new ArrayBuffer(64);
  const cases: [ort.Tensor.Type, ArrayBufferView][] = [
    ['float32', new Float32Array(backing, 8, 6).fill(1.5)],
    ['float64', new Float64Array([1, -2, 3, 4, 5, 6])],
    ['int32', new Int32Array([1, 2, 3, 4, 5, 6])],
    ['int64', new BigInt64Array([1n, 2n, 3n, 4n, 5n, 6n])],
    ['bool', new Uint8Array([1, 0, 1, 1, 0, 0])],
  ];
  for (const [type, data] of cases) {
    for (const source of [new ort.Tensor(type, data as never, [2, 3]), new TransformersTensor(type, data, [2, 3])]) {
      const t = fromOrt(source);
      assert.equal(t.dtype, type);
      assert.deepEqual(t.shape, [2, 3]);
      assert.equal(t.data, data, `${type}: the same typed array`);
      const back = toOrt(ort, t);
      assert.ok(back instanceof ort.Tensor);
      assert.equal(back.type, type);
      assert.deepEqual(back.dims, [2, 3]);
      assert.equal(back.data, data, `${type}: back over the same array`);
      assert.equal((back.data as ArrayBufferView).buffer, data.buffer);
    }
  }
  // the Tensor class itself in place of the module
  assert.ok(toOrt(ort.Tensor, tensor([1, 2])) instanceof ort.Tensor);
});

test('float16: bit patterns as PyTorch .half() gives them, both directions', () => {
  // torch.tensor([...], dtype=float32).half().view(torch.int16), PyTorch 1.13
  const values = [1.0, -2.0, 0.5, 65504.0, Infinity, NaN, 2 ** -24, 0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520.0, 2 ** -25, 3 * 2 ** -26, -0, 2 ** -14, 1e-8];
  const bits = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0x7e00, 0x1, 0x2e66, 0x3c00, 0x3c02, 0x7c00, 0x0, 0x1, 0x8000, 0x400, 0x0];
  assert.deepEqual(values.map(toHalfBits), bits);
  const back = [1, -2, 0.5, 65504, Infinity, NaN, 5.960464477539063e-8, 0.0999755859375, 1, 1.001953125, Infinity, 0, 5.960464477539063e-8, -0, 6.103515625e-5, 0];
  assert.deepEqual(bits.map(fromHalfBits), back);
  assert.deepEqual(Array.from(halfToFloat32(float32ToHalf(values))), back);
  // a float16 tensor over the same Uint16Array, and back without a copy
  const raw = new Uint16Array(bits);
  const t = fromOrt(new ort.Tensor('float16', raw, [4, 4]));
  assert.equal(t.dtype, 'float16');
  assert.equal(t.data, raw);
  assert.deepEqual((t.toArray() as number[][]).flat(), back);
  const h = toOrt(ort, t);
  assert.equal(h.type, 'float16');
  assert.equal(h.data, raw);
  // float32 converted on request, rounding as .half()
  const h32 = toOrt(ort, tensor(values), { type: 'float16' });
  assert.equal(h32.type, 'float16');
  assert.deepEqual(Array.from(h32.data as Uint16Array), bits);
  assert.throws(() => toOrt(ort, tensor([1]).bfloat16()), /no bfloat16/);
});

test('an ONNX Runtime output scored, its gradient taken and handed back', () => {
  // logits (2, 3, 4) as a session would return them; labels int64 as transformers.js tokenizers give
  const raw = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
  const logits = new ort.Tensor('float32', raw, [2, 3, 4]);
  const ids = new TransformersTensor('int64', new BigInt64Array([1n, 3n, 0n, 2n, 2n, 1n]), [2, 3]);
  const x = fromOrt(logits, { requiresGrad: true });
  const loss = F.causalLmLoss(x, fromOrt(ids));
  loss.backward();
  // plain arithmetic: positions 0, 1 of each row predict labels 1, 2
  const labels = [[1, 3, 0], [2, 2, 1]];
  let sum = 0;
  const want = new Float64Array(24);
  for (let b = 0; b < 2; b++) {
    for (let t = 0; t < 2; t++) {
      const row = Array.from(raw.subarray((b * 3 + t) * 4, (b * 3 + t + 1) * 4));
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      const k = labels[b][t + 1];
      sum += Math.log(z) - row[k];
      row.forEach((v, c) => (want[(b * 3 + t) * 4 + c] = (Math.exp(v) / z - (c === k ? 1 : 0)) / 4));
    }
  }
  closeArrays([loss.item()], [sum / 4], 1e-6, 1e-7);
  const g = toOrt(ort, x.grad!);
  assert.deepEqual(g.dims, [2, 3, 4]);
  closeArrays(Array.from(g.data as Float32Array), Array.from(want), 1e-5, 1e-7);
  assert.equal(raw[0], Math.fround(Math.sin(0)), 'the ORT data was read, never written');
});

test('fromOrt / toOrt refuse what they cannot take, with the reason', () => {
  assert.throws(() => fromOrt(new ort.Tensor('uint8', new Uint8Array(2), [2])), (e: Error) => e instanceof ValueError && e.message.includes("'uint8' has no losskit dtype"));
  assert.throws(() => fromOrt({ type: 'float32', data: new Float32Array(2), dims: [2], location: 'gpu-buffer' }), (e: Error) => e instanceof ValueError && e.message.includes('await tensor.getData()'));
  assert.throws(() => fromOrt({ type: 'float32', data: new Float32Array(3), dims: [2] }), /invalid|shape/);
  assert.throws(() => fromOrt(null as never), LosskitTypeError);
  assert.throws(() => toOrt({} as never, tensor([1])), LosskitTypeError);
});
