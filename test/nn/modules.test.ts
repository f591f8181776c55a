// Modules: registration and naming, Linear's initialisation and shapes, activations against
// PyTorch's values, Dropout seeded and in eval mode, Sequential, stateDict as plain JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, linspace, randn, gradcheck, manualSeed, Tensor, RuntimeError } from '../../src/index.js';
import { captureWarnings, closeArrays, values } from '../helpers/index.js';

test('Linear: PyTorch shapes, U(-1/sqrt(in), 1/sqrt(in)) initialisation, seeded', () => {
  const fc = new nn.Linear(50, 30, { seed: 1 });
  assert.deepEqual(fc.weight.shape, [30, 50]);
  assert.deepEqual(fc.bias!.shape, [30]);
  assert.equal(fc.weight.dtype, 'float32');
  assert.ok(fc.weight.requiresGrad && fc.bias!.requiresGrad);
  const bound = 1 / Math.sqrt(50);
  const w = values(fc.weight);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w) > 0.9 * bound && Math.min(...w) < -0.9 * bound, 'fills the whole interval');
  assert.ok(values(fc.bias!).every((v) => Math.abs(v) <= bound));
  assert.deepEqual(values(new nn.Linear(50, 30, { seed: 1 }).weight), w, 'same seed, same weights');
  assert.notDeepEqual(values(new nn.Linear(50, 30, { seed: 2 }).weight), w);
  manualSeed(5);
  const a = values(new nn.Linear(3, 3).weight);
  manualSeed(5);
  assert.deepEqual(values(new nn.Linear(3, 3).weight), a, 'manualSeed drives unseeded layers');
  assert.equal(new nn.Linear(3, 2, { bias: false }).bias, null);
  assert.equal(new nn.Linear(3, 2, { bias: false }).parameters().length, 1);
  assert.equal(new nn.Linear(3, 2, { dtype: 'float64' }).weight.dtype, 'float64');
});

test('Linear: forward is x W^T + b for 1-D, 2-D and batched input; the message for a bad size', () => {
  const fc = new nn.Linear(3, 2, { dtype: 'float64' });
  fc.weight.data = [[1, 2, 3], [4, 5, 6]];
  fc.bias!.data = [0.5, -1];
  assert.deepEqual(fc.forward(tensor([1, 1, 1], { dtype: 'float64' })).toArray(), [6.5, 14]);
  assert.deepEqual(fc.forward(tensor([[1, 0, 0], [0, 0, 2]], { dtype: 'float64' })).toArray(), [[1.5, 3], [6.5, 11]]);
  assert.deepEqual(fc.forward(tensor([[[1, 0, 0]], [[0, 1, 0]]], { dtype: 'float64' })).shape, [2, 1, 2]);
  assert.throws(() => fc.forward(tensor([[1, 2, 3, 4]], { dtype: 'float64' })), { name: 'RuntimeError', message: 'mat1 and mat2 shapes cannot be multiplied (1x4 and 3x2)' });
  assert.equal(fc.toString(), 'Linear(in_features=3, out_features=2, bias=True)');
  // .data takes nested arrays, a Tensor or a typed array (converted to the parameter's dtype)
  fc.bias!.data = tensor([0.5, -1]);
  assert.ok(fc.bias!.data instanceof Float64Array);
  assert.throws(() => (fc.weight.data = [[1, 2]]), { name: 'ValueError', message: 'data must have 6 elements (shape [2, 3]), got 2' });
  fc.weight.data = new Float32Array(6).fill(0.5); // converted
  assert.ok(fc.weight.data instanceof Float64Array && fc.weight.data[5] === 0.5);
  const x = randn([4, 3], { dtype: 'float64', seed: 2 });
  assert.ok(gradcheck((w, b) => { fc.weight = w; fc.bias = b; return fc.forward(x); }, [fc.weight, fc.bias!]));
});

test('Module: named parameters, children, train/eval, zeroGrad, repr', () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(4, 8, { seed: 0 });
    drop = new nn.Dropout(0.5, { seed: 0 });
    blocks = [new nn.Linear(8, 8, { seed: 1 }), new nn.Tanh()];
    scale = tensor([1], { requiresGrad: true });
    forward(x: Tensor) {
      return this.blocks[0].forward(this.drop.forward(this.fc1.forward(x).relu())).mul(this.scale);
    }
  }
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([k]) => k),
    ['scale', 'fc1.weight', 'fc1.bias', 'blocks.0.weight', 'blocks.0.bias'],
  );
  assert.deepEqual(net.namedModules().map(([k]) => k), ['', 'fc1', 'drop', 'blocks.0', 'blocks.1']);
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.drop.training);
  net.forward(randn([2, 4], { seed: 0 })).sum().backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
  assert.ok(net.toString().startsWith('Net(\n  (fc1): Linear(in_features=4, out_features=8, bias=True)\n  (drop): Dropout(p=0.5, inplace=False)'));
});

test('Module: registered parameters stay parameters when frozen; buffers are state, not parameters', () => {
  class Scaled extends nn.Module {
    constructor() {
      super();
      this.registerParameter('gain', tensor([2]));
      this.registerBuffer('count', tensor([0], { dtype: 'int64' }));
    }
    forward(x: Tensor) {
      return x.mul((this as any).gain);
    }
  }
  const m = new Scaled();
  const gain = (m as any).gain as Tensor;
  assert.ok(gain.requiresGrad);
  gain.requiresGrad = false;
  assert.deepEqual(m.namedParameters().map(([k]) => k), ['gain']);
  assert.deepEqual(m.namedBuffers().map(([k]) => k), ['count']);
  assert.deepEqual(Object.keys(m.stateDict()), ['gain', 'count']);
  assert.throws(() => m.registerParameter('a.b', tensor([1])), RuntimeError);
  assert.throws(() => m.registerParameter('y', tensor([1], { requiresGrad: true }).mul(2)), /non-leaf/);
});

test('a tensor shared by two modules is one parameter', () => {
  const a = new nn.Linear(3, 3);
  const b = new nn.Linear(3, 3);
  b.weight = a.weight;
  const seq = new nn.Sequential(a, b);
  assert.equal(seq.parameters().length, 3);
});

test('stateDict: plain JSON, round trip, in place; loadStateDict errors as PyTorch', () => {
  const model = new nn.Sequential(new nn.Linear(2, 3, { seed: 1 }), new nn.ReLU(), new nn.Linear(3, 1, { seed: 2, dtype: 'float64' }));
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(sd), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual(sd['0.weight'].shape, [3, 2]);
  assert.equal(sd['2.bias'].dtype, 'float64');
  const text = JSON.stringify(sd);
  const other = new nn.Sequential(new nn.Linear(2, 3, { seed: 7 }), new nn.ReLU(), new nn.Linear(3, 1, { seed: 8, dtype: 'float64' }));
  const w = other.parameters()[0];
  assert.deepEqual(other.loadStateDict(text), { missingKeys: [], unexpectedKeys: [] });
  assert.equal(other.parameters()[0], w, 'same tensors, new values');
  assert.deepEqual(other.stateDict(), sd);
  // (the float32 layer and the float64 one cannot be chained: PyTorch's addmm does not promote)
  const x = randn([5, 2], { seed: 3 });
  const first = (m: nn.Module) => m.children()[0][1] as nn.Linear;
  assert.deepEqual(first(other).forward(x).toArray(), first(model).forward(x).toArray());
  // a saved state does not follow later training
  (model.parameters()[0].data as Float32Array)[0] = 42;
  assert.notEqual(sd['0.weight'].data[0], 42);
  // non-finite values survive JSON
  const fc = new nn.Linear(2, 1, { dtype: 'float64' });
  fc.weight.data = [[NaN, -Infinity]];
  const back = new nn.Linear(2, 1, { dtype: 'float64' });
  back.loadStateDict(JSON.parse(JSON.stringify(fc.stateDict())));
  assert.deepEqual(Array.from(back.weight.data as Float64Array), [NaN, -Infinity]);

  const broken = { ...sd, extra: sd['0.bias'] } as Record<string, unknown>;
  delete broken['2.bias'];
  assert.throws(() => other.loadStateDict(broken as any), {
    name: 'RuntimeError',
    message: 'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "2.bias". \n\tUnexpected key(s) in state_dict: "extra". ',
  });
  assert.deepEqual(other.loadStateDict(broken as any, false), { missingKeys: ['2.bias'], unexpectedKeys: ['extra'] });
  assert.throws(() => new nn.Linear(3, 3).loadStateDict(new nn.Linear(2, 3).stateDict()), {
    message:
      'Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([3, 3]).',
  });
});

test('Sequential: numbered or named children, at(), append(), iteration, repr', () => {
  const seq = new nn.Sequential(new nn.Linear(4, 16, { seed: 0 }), new nn.ReLU(), new nn.Linear(16, 3, { seed: 1 }));
  assert.deepEqual(seq.namedParameters().map(([k]) => k), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.equal(seq.length, 3);
  assert.ok(seq.at(-1) instanceof nn.Linear);
  assert.deepEqual(seq.forward(randn([5, 4], { seed: 0 })).shape, [5, 3]);
  seq.append(new nn.LogSoftmax(1));
  assert.equal([...seq].length, 4);
  assert.equal(
    seq.toString(),
    'Sequential(\n  (0): Linear(in_features=4, out_features=16, bias=True)\n  (1): ReLU()\n  (2): Linear(in_features=16, out_features=3, bias=True)\n  (3): LogSoftmax(dim=1)\n)',
  );
  const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Sigmoid() });
  assert.deepEqual(named.namedParameters().map(([k]) => k), ['fc.weight', 'fc.bias']);
  assert.throws(() => new nn.Sequential({} as any, 3 as any), /not a Module/);
});

test('activations match PyTorch (values and gradients)', () => {
  const x = linspace(-4, 4, 9, { dtype: 'float64' });
  const torch = {
    gelu: [-0.00012668496733247991, -0.00404969409489031, -0.04550026389635842, -0.15865525393145702, 0.0, 0.841344746068543, 1.9544997361036416, 2.99595030590511, 3.9998733150326675],
    geluTanh: [-7.024594819227126e-05, -0.0036373920817729943, -0.04540230591222494, -0.1588080093917233, 0.0, 0.8411919906082768, 1.954597694087775, 2.996362607918227, 3.9999297540518075],
    dGelu: [-0.0005036496612264215, -0.01194564720418392, -0.08523180107819692, -0.08331547058768635, 0.5, 1.0833154705876864, 1.085231801078197, 1.011945647204184, 1.0005036496612265],
    dGeluTanh: [-0.00033512319712218684, -0.011584166630969648, -0.0860992566236183, -0.08296408384578258, 0.5, 1.0829640838457826, 1.0860992566236183, 1.0115841666309695, 1.000335123197122],
  };
  closeArrays(values(new nn.GELU().forward(x)), torch.gelu, 1e-14, 1e-16);
  closeArrays(values(new nn.GELU({ approximate: 'tanh' }).forward(x)), torch.geluTanh, 1e-14, 1e-16);
  for (const [approximate, expected] of [['none', torch.dGelu], ['tanh', torch.dGeluTanh]] as const) {
    const xg = x.detach();
    xg.requiresGrad = true;
    new nn.GELU({ approximate }).forward(xg).sum().backward();
    closeArrays(values(xg.grad!), expected, 1e-13, 1e-15);
  }
  assert.throws(() => new nn.GELU({ approximate: 'fast' as any }), { message: 'approximate argument must be either none or tanh.' });
  assert.deepEqual(new nn.ReLU().forward(tensor([-1, 0, 2])).toArray(), [0, 0, 2]);
  closeArrays(values(new nn.Sigmoid().forward(tensor([0, 2], { dtype: 'float64' }))), [0.5, 1 / (1 + Math.exp(-2))]);
  closeArrays(values(new nn.Tanh().forward(tensor([0.5], { dtype: 'float64' }))), [Math.tanh(0.5)]);
  const logits = randn([3, 4], { dtype: 'float64', seed: 1 });
  const p = new nn.Softmax(1).forward(logits);
  closeArrays(values(p.sum(1)), [1, 1, 1]);
  closeArrays(values(new nn.LogSoftmax(1).forward(logits)), values(p.log()), 1e-12);
  const r = randn([2, 3], { dtype: 'float64', seed: 4, requiresGrad: true });
  for (const m of [new nn.GELU(), new nn.Tanh(), new nn.Sigmoid(), new nn.Softmax(0), new nn.LogSoftmax(1)]) {
    assert.ok(gradcheck((t) => m.forward(t), [r]), m.toString());
  }
});

test('Softmax without dim: PyTorch\'s legacy choice, with its warning', () => {
  const { result, warnings } = captureWarnings(() => new nn.Softmax().forward(tensor([[1, 2], [3, 4]])));
  closeArrays(values(result.sum(1)), [1, 1], 1e-6);
  assert.match(warnings[0].message, /Implicit dimension choice for softmax has been deprecated/);
});

test('Dropout: seeded masks, scaled by 1/(1-p), identity in eval mode', () => {
  const x = tensor(new Float64Array(1000).fill(1), { shape: [10, 100] });
  const a = new nn.Dropout(0.3, { seed: 7 });
  const b = new nn.Dropout(0.3, { seed: 7 });
  const ya = values(a.forward(x));
  assert.deepEqual(values(b.forward(x)), ya, 'same seed, same mask');
  assert.notDeepEqual(values(a.forward(x)), ya, 'the next call draws a new mask');
  assert.ok(ya.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-15));
  const kept = ya.filter((v) => v !== 0).length / ya.length;
  assert.ok(Math.abs(kept - 0.7) < 0.05, `kept ${kept}`);
  a.eval();
  assert.equal(a.forward(x), x);
  assert.deepEqual(values(new nn.Dropout(1).forward(x)), new Array(1000).fill(0));
  assert.equal(new nn.Dropout(0).forward(x), x);
  assert.throws(() => new nn.Dropout(1.5), { name: 'ValueError', message: 'dropout probability has to be between 0 and 1, but got 1.5' });
  // the gradient flows through the kept elements only, with the same scale
  const xg = tensor(new Float64Array(8).fill(2), { requiresGrad: true });
  const d = new nn.Dropout(0.5, { seed: 1 });
  const y = d.forward(xg);
  y.sum().backward();
  assert.deepEqual(values(xg.grad!), values(y).map((v) => v / 2));
});

test('Flatten: all but the batch dimension by default', () => {
  assert.deepEqual(new nn.Flatten().forward(randn([2, 3, 4])).shape, [2, 12]);
  assert.deepEqual(new nn.Flatten(0).forward(randn([2, 3, 4])).shape, [24]);
  assert.deepEqual(new nn.Flatten(1, 1).forward(randn([2, 3, 4])).shape, [2, 3, 4]);
});

test('nn.init: kaimingUniform bound and uniform range', () => {
  const t = nn.init.kaimingUniform(tensor(new Float64Array(600), { shape: [20, 30] }), Math.sqrt(5));
  assert.ok(values(t).every((v) => Math.abs(v) <= 1 / Math.sqrt(30)));
  assert.ok(values(nn.init.uniform(tensor(new Float64Array(100)), 2, 3)).every((v) => v >= 2 && v < 3));
  assert.deepEqual(nn.init.fans([4, 3, 5, 5]), [75, 100]);
});

test('Linear refuses an input of another dtype than its weights, as PyTorch (no promotion in addmm)', () => {
  // PyTorch 1.13: nn.Linear(2, 3)(torch.ones(4, 2, dtype=torch.float64)) -> RuntimeError: mat1 and mat2 must have the same dtype
  const fc = new nn.Linear(2, 3, { seed: 0 });
  const sameDtype = { name: 'RuntimeError', message: /^mat1 and mat2 must have the same dtype, but got (Double|Long) and Float/ };
  assert.throws(() => fc.forward(tensor([[1, 2]], { dtype: 'float64' })), sameDtype);
  assert.throws(() => fc.forward(tensor([[1, 2]], { dtype: 'int64' })), sameDtype);
  assert.throws(() => fc.forward(tensor([[[1, 2]]], { dtype: 'float64' })), sameDtype);
  assert.throws(() => new nn.Linear(2, 3, { bias: false }).forward(tensor([[1, 2]], { dtype: 'float64' })), { name: 'RuntimeError' });
  assert.deepEqual(fc.forward(tensor([[1, 2]])).shape, [1, 3]);
});

test('Module.loadStateDict: a JSON string that does not parse, a non-object, a bad shape: the library\'s errors', () => {
  const m = new nn.Linear(2, 1, { seed: 0 });
  assert.throws(() => m.loadStateDict('{bad'), { name: 'ValueError', message: /^Linear\.loadStateDict\(\): the string is not valid JSON/ });
  assert.throws(() => m.loadStateDict('5'), { name: 'TypeError', message: /Expected state_dict to be dict-like/ });
  assert.throws(() => m.loadStateDict('[]'), { name: 'TypeError', message: /Expected state_dict to be dict-like/ });
  assert.throws(() => m.loadStateDict({ weight: { dtype: 'float32', shape: [-1, -2], data: [1, 2] }, bias: { dtype: 'float32', shape: [1], data: [0] } }), { name: 'RuntimeError' });
  assert.throws(() => m.loadStateDict(m.stateDict(), 'no' as never), { name: 'TypeError' });
});

test('found by the fuzzer: Linear, Dropout, Softmax and GELU given things that are not numbers or options', () => {
  assert.throws(() => new nn.Linear({} as never, 2), { name: 'ValueError', message: 'Linear(): in_features must be an integer, got a Object' });
  assert.throws(() => new nn.Linear(-1, {} as never), { name: 'ValueError', message: /out_features must be an integer/ });
  assert.throws(() => new nn.Linear(2, 2, { bias: 'yes' } as never), { name: 'TypeError' });
  assert.throws(() => new nn.Linear(2, 2, { dtype: 'int64' } as never), { name: 'TypeError' });
  assert.throws(() => new nn.Linear(2, 2, { seed: 'x' } as never), { name: 'TypeError' });
  assert.throws(() => new nn.Linear(2, 2, { biass: true } as never), { name: 'TypeError', message: /did you mean 'bias'/ });
  assert.throws(() => new nn.Dropout(Symbol('p') as never), { name: 'ValueError', message: /but got symbol/ });
  assert.throws(() => new nn.Dropout(0.5, { sead: 1 } as never), { name: 'TypeError', message: /did you mean 'seed'/ });
  assert.throws(() => new nn.Softmax(Symbol('d') as never), { name: 'TypeError', message: "Softmax(): argument 'dim' must be an integer, but got symbol Symbol(d)" });
  assert.throws(() => new nn.LogSoftmax(0.5), { name: 'TypeError' });
  assert.throws(() => new nn.GELU(null as never), { name: 'TypeError' });
});
