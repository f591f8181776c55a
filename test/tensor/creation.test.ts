import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor, zeros, ones, full, arange, linspace, rand, randn, randint, Tensor, nn,
  ValueError, LosskitTypeError, RuntimeError, LosskitError,
} from '../../src/index.js';

test('numbers and nested arrays become float32 with their shape', () => {
  const t = tensor([[0, 1], [2, 3]]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.shape, [2, 2]);
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(Array.from(t.data as Float32Array), [0, 1, 2, 3]);
  const s = tensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 2.5);
  assert.equal(s.ndim, 0);
  assert.equal(s.numel, 1);
});

test('dtype option converts, int64 is a BigInt64Array, bool a Uint8Array', () => {
  const i = tensor([1, 0, 4, 2], { dtype: 'int64' });
  assert.ok(i.data instanceof BigInt64Array);
  assert.deepEqual(i.toArray(), [1, 0, 4, 2]);
  const b = tensor([true, false]);
  assert.equal(b.dtype, 'bool');
  assert.deepEqual(b.toArray(), [true, false]);
  assert.equal(tensor([1.7, -1.7], { dtype: 'int32' }).toArray().toString(), '1,-1'); // truncation as in PyTorch
});

test('a typed array is used as-is (not copied) when its type fits', () => {
  const buf = new Float64Array([1, 2, 3, 4, 5, 6]);
  const t = tensor(buf, { shape: [2, 3] });
  assert.equal(t.data, buf);
  assert.equal(t.dtype, 'float64');
  const converted = tensor(buf, { dtype: 'float32', shape: [3, 2] });
  assert.notEqual(converted.data, buf);
  assert.ok(converted.data instanceof Float32Array);
});

test('a flat array with shape is reshaped; non-finite strings are read', () => {
  const t = tensor([1, 'nan', 'inf', '-inf'], { shape: [2, 2], dtype: 'float64' });
  assert.deepEqual(t.shape, [2, 2]);
  const v = Array.from(t.data as Float64Array);
  assert.ok(Number.isNaN(v[1]));
  assert.deepEqual([v[0], v[2], v[3]], [1, Infinity, -Infinity]);
});

test('ragged arrays, wrong shapes and unknown dtypes are clear errors', () => {
  assert.throws(() => tensor([[1, 2], [3]]), (e: Error) => e instanceof ValueError && /expected sequence of length 2 at dim 1 \(got 1/.test(e.message));
  assert.throws(() => tensor([[1, 2], 3] as any), ValueError);
  assert.throws(() => tensor(new Float32Array(5), { shape: [2, 3] }), (e: Error) => e instanceof ValueError && /shape \[2, 3\] is invalid for input of size 5/.test(e.message));
  assert.throws(() => tensor([1], { dtype: 'float8' as any }), (e: Error) => e instanceof LosskitTypeError && e.name === 'TypeError' && /float8/.test(e.message));
  assert.throws(() => tensor([1, {} as any]), LosskitTypeError);
  assert.throws(() => tensor(new Int16Array(2) as any), LosskitTypeError);
  assert.throws(() => tensor([1], { shape: [-1] }), ValueError);
});

test('every error extends LosskitError', () => {
  try {
    tensor([[1], [1, 2]]);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof LosskitError);
  }
});

test('only floating tensors can require grad', () => {
  assert.throws(() => tensor([1], { dtype: 'int64', requiresGrad: true }), RuntimeError);
  assert.equal(tensor([1], { requiresGrad: true }).requiresGrad, true);
});

test('zeros, ones, full, arange, linspace', () => {
  assert.deepEqual(zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(ones([2], { dtype: 'int64' }).toArray(), [1, 1]);
  assert.equal(ones([2], { dtype: 'int64' }).dtype, 'int64');
  assert.deepEqual(full([2], 7).toArray(), [7, 7]);
  assert.deepEqual(arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(arange(5).dtype, 'int64');
  assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
  assert.equal(arange(1, 2, 0.25).dtype, 'float32');
  assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.throws(() => arange(0, 1, 0), RuntimeError);
});

test('random tensors are reproducible with a seed and have the right moments', () => {
  const a = randn([1000], { seed: 1 });
  const b = randn([1000], { seed: 1 });
  assert.deepEqual(Array.from(a.data as Float32Array), Array.from(b.data as Float32Array));
  assert.notDeepEqual(Array.from(randn([10], { seed: 2 }).data as Float32Array), Array.from(a.data as Float32Array).slice(0, 10));
  const m = a.mean().item();
  const sd = Math.sqrt(a.sub(m).square().mean().item());
  assert.ok(Math.abs(m) < 0.1 && Math.abs(sd - 1) < 0.1, `mean ${m}, sd ${sd}`);
  const u = rand([1000], { seed: 3 });
  assert.ok((u.data as Float32Array).every((v) => v >= 0 && v < 1));
  const r = randint(0, 5, [200], { seed: 4 });
  assert.equal(r.dtype, 'int64');
  const vals = new Set(r.toArray() as number[]);
  assert.deepEqual([...vals].sort(), [0, 1, 2, 3, 4]);
  assert.equal(randn([2], { dtype: 'float64', requiresGrad: true, seed: 1 }).requiresGrad, true);
});

test('item, toArray, detach, toString', () => {
  const t = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  assert.throws(() => t.item(), RuntimeError);
  const d = t.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.data, t.data);
  assert.equal(tensor(0.625).toString(), 'tensor(0.6250)');
  assert.equal(tensor(1).toString(), 'tensor(1.)');
  assert.equal(tensor([1.5], { dtype: 'float64' }).toString(), 'tensor([1.5000], dtype=torch.float64)');
  assert.equal(tensor([[0, 1], [2, 3]]).toString(), 'tensor([[0., 1.],\n        [2., 3.]])');
  assert.ok(t instanceof Tensor);
});

test('setting data: same-type arrays as-is, other types converted, lengths and elements checked', () => {
  const t = tensor([1, 2]);
  const own = new Float32Array([3, 4]);
  t.data = own;
  assert.equal(t.data, own);
  t.data = new Float64Array([0.5, 6]);
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(t.toArray(), [0.5, 6]);
  t.data = [[7], [8]] as any;
  assert.deepEqual(t.toArray(), [7, 8]);
  t.data = tensor([9, 10], { dtype: 'int64' });
  assert.deepEqual(t.toArray(), [9, 10]);
  assert.throws(() => (t.data = new Float32Array(3)), (e: Error) => e instanceof ValueError && /data must have 2 elements/.test(e.message));
  assert.throws(() => (t.data = ['a', 'b'] as any), LosskitTypeError);
  assert.throws(() => (t.data = 5 as any), LosskitTypeError);
});

test('toString summarises and wraps as PyTorch 1.13 prints (strings printed by PyTorch)', () => {
  assert.equal(arange(1001).toString(), "tensor([   0,    1,    2,  ...,  998,  999, 1000])");
  assert.equal(arange(1001, undefined, { dtype: 'float32' }).toString(), "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])");
  assert.equal(arange(2000, undefined, { dtype: 'float32' }).reshape(40, 50).toString(), "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n         4.9000e+01],\n        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n         1.4900e+02],\n        ...,\n        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n         1.8990e+03],\n        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n         1.9490e+03],\n        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n         1.9990e+03]])");
  assert.equal(arange(50, undefined, { dtype: 'float32' }).reshape(1, 50).toString(), "tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n         14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n         28., 29., 30., 31., 32., 33., 34., 35., 36., 37., 38., 39., 40., 41.,\n         42., 43., 44., 45., 46., 47., 48., 49.]])");
  assert.equal(arange(40).reshape(2, 20).mul(123456).toString(), "tensor([[      0,  123456,  246912,  370368,  493824,  617280,  740736,  864192,\n          987648, 1111104, 1234560, 1358016, 1481472, 1604928, 1728384, 1851840,\n         1975296, 2098752, 2222208, 2345664],\n        [2469120, 2592576, 2716032, 2839488, 2962944, 3086400, 3209856, 3333312,\n         3456768, 3580224, 3703680, 3827136, 3950592, 4074048, 4197504, 4320960,\n         4444416, 4567872, 4691328, 4814784]])");
  assert.equal(zeros([2, 0]).toString(), "tensor([], size=(2, 0))");
});

test('integer dtypes: NaN, infinities and out-of-range values raise as torch.tensor does, instead of 0 or wrapping', () => {
  // PyTorch 1.13: torch.tensor([nan], dtype=torch.int64) -> RuntimeError: value cannot be converted to type int64 without overflow
  for (const v of [NaN, Infinity, -Infinity, 2 ** 64, 2 ** 63]) {
    assert.throws(() => tensor([v], { dtype: 'int64' }), { name: 'RuntimeError', message: /^value cannot be converted to type int64 without overflow/ }, String(v));
  }
  // torch.tensor([3e9], dtype=torch.int32) -> RuntimeError: value cannot be converted to type int32 without overflow
  for (const v of [3e9, -3e9, NaN]) {
    assert.throws(() => tensor([1, v], { dtype: 'int32' }), { name: 'RuntimeError', message: /^value cannot be converted to type int32 without overflow \(element 1/ }, String(v));
  }
  assert.throws(() => tensor(NaN, { dtype: 'int64' }), { name: 'RuntimeError' });
  assert.throws(() => tensor(new Float32Array([1, NaN]), { dtype: 'int64' }), { name: 'RuntimeError' });
  // torch.full([2], nan, dtype=torch.int64) and torch.full([2], 3e9, dtype=torch.int32) raise too
  assert.throws(() => full([2], NaN, { dtype: 'int64' }), { name: 'RuntimeError', message: /without overflow/ });
  assert.throws(() => full([2], 3e9, { dtype: 'int32' }), { name: 'RuntimeError', message: /without overflow/ });
  // what PyTorch accepts: truncation towards zero (tensor([-0.5, 2.7], dtype=int32) -> [0, 2]), the range's ends, bool of anything
  assert.deepEqual(tensor([-0.5, 2.7], { dtype: 'int32' }).toArray(), [0, 2]);
  assert.deepEqual(tensor([2 ** 31 - 1, -(2 ** 31)], { dtype: 'int32' }).toArray(), [2 ** 31 - 1, -(2 ** 31)]);
  assert.deepEqual(full([2], 0.5, { dtype: 'int32' }).toArray(), [0, 0]);
  assert.deepEqual(tensor([NaN, 3e9, 0], { dtype: 'bool' }).toArray(), [true, true, false]);
  // bigints stay exact in int64 (a double holds integers only to 2^53); 2^64 does not fit: "Overflow when unpacking long"
  assert.equal((tensor([2n ** 60n + 1n]).data as BigInt64Array)[0], 2n ** 60n + 1n);
  assert.throws(() => tensor([2n ** 64n]), { name: 'RuntimeError', message: /^Overflow when unpacking long/ });
});

test('sizes no memory holds: PyTorch\'s allocator RuntimeError naming the bytes, not a RangeError', () => {
  // PyTorch 1.13: [enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000000000000000 bytes. ...
  const bytes = (n: string) => new RegExp(`DefaultCPUAllocator: can't allocate memory: you tried to allocate ${n} bytes`);
  assert.throws(() => zeros([1e9, 1e9]), { name: 'RuntimeError', message: bytes('4000000000000000000') });
  assert.throws(() => randn([1e10]), { name: 'RuntimeError', message: bytes('40000000000') });
  assert.throws(() => arange(0, 1e12), { name: 'RuntimeError', message: bytes('8000000000000') });
  assert.throws(() => full([2 ** 32 + 1], 1), { name: 'RuntimeError', message: bytes('17179869188') });
  assert.throws(() => zeros([1e5, 1e5], { dtype: 'float64' }), { name: 'RuntimeError', message: bytes('80000000000') });
  assert.throws(() => new nn.Linear(1e9, 1e9), { name: 'RuntimeError', message: bytes('4000000000000000000') });
  assert.throws(() => linspace(0, 1, 1e10), { name: 'RuntimeError', message: bytes('40000000000') });
  assert.throws(() => randint(0, 2, [1e10]), { name: 'RuntimeError', message: bytes('80000000000') });
});

test('creation functions check their number arguments', () => {
  assert.throws(() => arange('5' as never), LosskitTypeError);
  assert.throws(() => arange(0, 5, null as never), LosskitTypeError);
  assert.throws(() => linspace(0, 'x' as never, 3), LosskitTypeError);
  assert.throws(() => randint(0.5, 3, [2]), LosskitTypeError);
  assert.throws(() => randint(0, 3, [2], { requiresGrad: true } as never), { name: 'TypeError', message: /randint\(\) got an unexpected keyword argument 'requiresGrad'/ });
  assert.throws(() => rand([2], { generator: 5 } as never), LosskitTypeError);
});
