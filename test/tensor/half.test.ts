// float16 and bfloat16: storage, conversion, promotion, and computing in float32 (src/tensor/upcast.ts).
// Loss values and gradients against PyTorch are in test/fixtures/torch/half_precision.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, LosskitTypeError, RuntimeError, matmul, nn, optim, tensor, zeros, ones, cat } from '../../src/index.js';
import { BFloat16Array } from '../../src/tensor/dtype.js';
import { fromBFloat16Bits, toBFloat16Bits, toHalfBits, fromHalfBits } from '../../src/tensor/half.js';

test('bfloat16 bit patterns as PyTorch .bfloat16() gives them', () => {
  // torch.tensor(values, dtype=float32).bfloat16().view(torch.int16) & 0xffff, PyTorch 1.13
  const values = [1.0, -2.0, 0.1, 3.14159, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -9 + 2 ** -20, 65504.0, 3.4e38, Infinity, 1e-40, -0, 2 ** -133];
  const bits = [16256, 49152, 15821, 16457, 16256, 16258, 16256, 18304, 32640, 32640, 1, 32768, 1];
  assert.deepEqual(values.map(toBFloat16Bits), bits);
  const back = [1.0, -2.0, 0.10009765625, 3.140625, 1.0, 1.015625, 1.0, 65536.0, Infinity, Infinity, 9.183549615799121e-41, -0, 9.183549615799121e-41];
  assert.deepEqual(bits.map(fromBFloat16Bits), back);
  assert.ok(Number.isNaN(fromBFloat16Bits(toBFloat16Bits(NaN))));
  assert.deepEqual(tensor(values, { dtype: 'bfloat16' }).toArray(), back);
});

test('a Uint16Array is used as it is, once its 16-bit format is said', () => {
  const raw = new Uint16Array([0x3c00, 0xc000, 0x3800]);
  const h = tensor(raw, { dtype: 'float16' });
  assert.equal(h.dtype, 'float16');
  assert.equal(h.data, raw); // no copy
  assert.deepEqual(h.toArray(), [1, -2, 0.5]);
  const b = tensor(raw, { dtype: 'bfloat16' });
  assert.equal(b.dtype, 'bfloat16');
  assert.ok(b.data instanceof BFloat16Array);
  assert.equal(b.data.buffer, raw.buffer); // a view over the same bytes
  assert.deepEqual(b.toArray(), [fromBFloat16Bits(0x3c00), fromBFloat16Bits(0xc000), fromBFloat16Bits(0x3800)]);
  // cast to another dtype: a copy of the values
  assert.deepEqual(Array.from(tensor(raw, { dtype: 'float16' }).float().data as Float32Array), [1, -2, 0.5]);
  assert.throws(() => tensor(raw), (e: Error) => e instanceof LosskitTypeError && /say which with \{ dtype: 'float16' \}/.test(e.message));
  assert.throws(() => tensor(raw, { dtype: 'float32' }), LosskitTypeError);
  assert.throws(() => F.mseLoss(raw as never, raw as never), LosskitTypeError);
});

test('creation, item, printing and casts in 16 bits', () => {
  assert.deepEqual(zeros([2], { dtype: 'float16' }).data, new Uint16Array(2));
  assert.deepEqual(Array.from(ones([2], { dtype: 'bfloat16' }).data as Uint16Array), [0x3f80, 0x3f80]);
  const x = tensor([0.1, 65519, 65520], { dtype: 'float16' });
  assert.deepEqual(Array.from(x.data as Uint16Array), [toHalfBits(0.1), 0x7bff, 0x7c00]); // 65520 rounds to infinity
  assert.equal(x.narrow(0, 0, 1).item(), fromHalfBits(toHalfBits(0.1)));
  assert.equal(tensor([1.5], { dtype: 'float16' }).toString(), 'tensor([1.5000], dtype=torch.float16)');
  assert.equal(tensor(2.5).half().dtype, 'float16');
  assert.equal(tensor(2.5).bfloat16().to('float64').item(), 2.5);
});

test('promotion follows PyTorch: float16 with bfloat16 is float32, 16 bits beat integers and 0-dim float32', () => {
  const h = tensor([1, 2], { dtype: 'float16' });
  const b = tensor([1, 2], { dtype: 'bfloat16' });
  assert.equal(h.add(b).dtype, 'float32');
  assert.equal(h.add(tensor([1, 2], { dtype: 'int64' })).dtype, 'float16');
  assert.equal(h.add(tensor([1, 2])).dtype, 'float32');
  assert.equal(h.add(tensor(1)).dtype, 'float16');
  assert.equal(h.mul(2.5).dtype, 'float16');
  assert.equal(b.gt(1).dtype, 'bool');
  assert.equal(h.argmax().dtype, 'int64');
  assert.equal(cat([h, h]).dtype, 'float16');
});

test('ops compute in float32 and round once to 16 bits', () => {
  const x = tensor([0.1, 0.2], { dtype: 'float16' });
  const v = x.toArray() as number[]; // the float16 values
  const once = (f: (a: number) => number) => v.map((a) => fromHalfBits(toHalfBits(Math.fround(f(a)))));
  // PyTorch 1.13: (h + h).tolist() == [0.199951171875, 0.39990234375], (h * 3) == [0.2998046875, 0.599609375]
  assert.deepEqual(x.add(x).toArray(), [0.199951171875, 0.39990234375]);
  assert.deepEqual(x.mul(3).toArray(), [0.2998046875, 0.599609375]);
  assert.deepEqual(x.exp().toArray(), once(Math.exp));
  assert.deepEqual(x.sum().item(), fromHalfBits(toHalfBits(v[0] + v[1])));
  assert.deepEqual(x.T.toArray(), v);
  assert.deepEqual(x.reshape(2, 1).dtype, 'float16');
});

test('gradients reach 16-bit leaves in their dtype, and accumulate there', () => {
  const x = tensor([1, 2, 3], { dtype: 'float16', requiresGrad: true });
  const raw = new Uint16Array(x.data as Uint16Array);
  const l = F.mseLoss(x, zeros([3], { dtype: 'float16' }), { reduction: 'sum' });
  assert.equal(l.dtype, 'float16');
  assert.equal(l.item(), 14);
  l.backward();
  assert.equal(x.grad!.dtype, 'float16');
  assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
  assert.deepEqual(x.data, raw); // the input is read, never written
  // a second graph adds into the existing .grad in place, in 16 bits
  const g = x.grad!;
  x.mul(x).sum().backward();
  assert.equal(x.grad, g);
  assert.deepEqual(g.toArray(), [4, 8, 12]);
});

test('a 16-bit loss result owns exactly its bytes', () => {
  const x = tensor([0.5, -1, 2, 4], { dtype: 'bfloat16', requiresGrad: true });
  const y = tensor([0, 1, 1, 0], { dtype: 'bfloat16' });
  const none = F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' });
  assert.equal(none.dtype, 'bfloat16');
  assert.ok(none.data instanceof BFloat16Array);
  assert.equal(none.data.buffer.byteLength, none.data.byteLength);
  none.sum().backward();
  assert.equal(x.grad!.data.buffer.byteLength, 8);
});

test('optimizers refuse 16-bit parameters with a clear error', () => {
  const w = tensor([1, 2], { dtype: 'float16', requiresGrad: true });
  assert.throws(() => new optim.SGD([w], { lr: 0.1 }), (e: Error) => e instanceof RuntimeError && /float16: keep float32 weights/.test(e.message));
});

test('the functions F and the top level export compute in float32 too', () => {
  const x = tensor([[0.5, -1], [2, 3]], { dtype: 'float16' });
  const r16 = (v: number) => fromHalfBits(toHalfBits(v));
  const sm = [[1 / (1 + Math.exp(-1.5)), 1 / (1 + Math.exp(1.5))], [1 / (1 + Math.exp(1)), 1 / (1 + Math.exp(-1))]];
  assert.deepEqual(F.softmax(x, 1).toArray(), sm.map((row) => row.map(r16)));
  assert.deepEqual(F.logSoftmax(x, 1).toArray(), sm.map((row) => row.map((p) => r16(Math.log(p)))));
  assert.deepEqual(F.sigmoid(x).toArray(), [[0.5, -1].map((v) => r16(1 / (1 + Math.exp(-v)))), [2, 3].map((v) => r16(1 / (1 + Math.exp(-v))))]);
  assert.deepEqual(F.relu(x).toArray(), [[0.5, 0], [2, 3]]);
  assert.deepEqual(matmul(x, x).toArray(), [[-1.75, -3.5], [7, 7]]);
  assert.equal(matmul(x, x).dtype, 'float16');
  assert.deepEqual(new nn.Softmax(1).forward(x).toArray(), F.softmax(x, 1).toArray());
});

test('a Float16Array (where the engine has one) is seen as the Uint16Array over its bytes', () => {
  // Node 20 has no Float16Array: a stand-in view with its shape (buffer, byteOffset, length)
  const View = DataView as unknown as new (buffer: ArrayBuffer, byteOffset: number, byteLength: number) => DataView;
  class Float16Stand extends View {
    get length(): number {
      return this.byteLength / 2;
    }
  }
  const g = globalThis as { Float16Array?: unknown };
  const had = g.Float16Array;
  g.Float16Array = Float16Stand;
  try {
    const bits = new Uint16Array([0, 0x3c00, 0xc000, 0]);
    const t = tensor(new Float16Stand(bits.buffer, 2, 4) as never, { requiresGrad: true });
    assert.equal(t.dtype, 'float16');
    assert.equal(t.data.buffer, bits.buffer);
    assert.deepEqual(t.toArray(), [1, -2]);
    assert.equal(F.l1Loss(t, zeros([2], { dtype: 'float16' })).item(), 1.5);
  } finally {
    g.Float16Array = had;
  }
});
