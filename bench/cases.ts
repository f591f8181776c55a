// The bench's cases, shared by bench/run.ts (timing) and bench/rss.ts (peak RSS in a fresh process).
// Each case's data is made when the case is first built, so a partial run (--only=...) and an RSS
// process make only what they use. bench/torch_bench.py has the same ids, shapes and options.
import { F, tensor, noGrad, matmul, nn, optim, type Tensor } from '../src/index.js';

// ---- deterministic data ------------------------------------------------------------------------
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const normal = (n: number, s = 1): Float32Array => Float32Array.from({ length: n }, () => (rnd() + rnd() + rnd() - 1.5) * 2 * s);
const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, rnd);
const signs = (n: number): Float32Array => Float32Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1));
const classes = (n: number, c: number): BigInt64Array => BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * c)));
function logSoftmaxRows(a: Float32Array, c: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < a.length / c; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, a[r * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(a[r * c + j] - m);
    const l = Math.log(s) + m;
    for (let j = 0; j < c; j++) out[r * c + j] = a[r * c + j] - l;
  }
  return out;
}
/** A value made on first use and shared by the cases that read it. */
function memo<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

const N = 10_000_000;
const M = 1_000_000;
const mseX = memo(() => normal(N));
const mseY = memo(() => normal(N));
const bceY = memo(() => uniform(N));
const bceP = memo(() => Float32Array.from(uniform(N), (v) => 0.01 + 0.98 * v));
const mse64X = memo(() => Float64Array.from(mseX()));
const mse64Y = memo(() => Float64Array.from(mseY()));
const ce1 = memo(() => normal(4096 * 1000));
const ce1t = memo(() => classes(4096, 1000));
const ce2 = memo(() => normal(256 * 32000));
const ce2t = memo(() => classes(256, 32000));
const klX = memo(() => logSoftmaxRows(normal(4096 * 1000), 1000));
const klY = memo(() => Float32Array.from(logSoftmaxRows(normal(4096 * 1000), 1000), Math.exp));
const ce64 = memo(() => Float64Array.from(normal(1024 * 1000)));
const ce64t = memo(() => classes(1024, 1000));
const emb = [memo(() => normal(4096 * 512)), memo(() => normal(4096 * 512)), memo(() => normal(4096 * 512))];
const emb1M = [memo(() => normal(M)), memo(() => normal(M))];
const sign1M = memo(() => signs(M));
const nll16k = memo(() => logSoftmaxRows(normal(16384 * 1000), 1000));
const nll16kT = memo(() => classes(16384, 1000));
const mmA = memo(() => normal(1024 * 784));
const mmB = memo(() => normal(784 * 256));
const mlpX = memo(() => uniform(1024 * 784));
const mlpT = memo(() => classes(1024, 10));

export interface Built {
  /** value + gradient (reading .grad.data of every input that requires it), or the value alone */
  losskit: () => unknown;
  /** The typed arrays the losskit call reads (for the memory report). */
  inputs: ArrayBufferView[];
  tfjs: ((tf: any) => () => void) | null;
}

export interface Case {
  id: string;
  label: string;
  /** Calls per timed run, for inputs that take microseconds (the time reported is per call). */
  inner?: number;
  /** Steps of the RSS measurement: about 3 s of either side's calls, so the RSS part stays a few minutes. */
  rssSteps: number;
  build: () => Built;
}

function leaf(data: Float32Array | Float64Array, shape: number[]): Tensor {
  return tensor(data, { shape, requiresGrad: true });
}
const t = (data: Float32Array | Float64Array | BigInt64Array, shape: number[]): Tensor => tensor(data, { shape });
/** Backward, then read each leaf's gradient, as a user does. */
function finish(loss: Tensor, ...leaves: Tensor[]): Tensor {
  loss.backward();
  for (const x of leaves) void x.grad!.data[0];
  return loss;
}

/**
 * One tfjs call, reading the result as a user does. The callback returns nothing to tf.tidy on
 * purpose: tidy walks whatever it is given back looking for tensors, element by element for a
 * typed array (13 s for 1e7 floats), which is not the library's speed.
 */
export function tfjsRun(tf: any, grad: () => any): void {
  tf.tidy(() => {
    grad().dataSync();
  });
}

function tfjsCe(tf: any, data: Float32Array, labels: BigInt64Array, n: number, c: number, eps: number): () => void {
  const x = tf.tensor2d(data, [n, c]);
  const l = tf.tensor1d(Int32Array.from(labels, Number), 'int32');
  const f = tf.valueAndGrad((a: any) => tf.losses.softmaxCrossEntropy(tf.oneHot(l, c), a, undefined, eps));
  return () => tfjsRun(tf, () => f(x).grad);
}

/** tfjs value + gradient of an elementwise loss `loss(y, x)` over 1-D x and y. */
function tfjsElementwise(x: Float32Array, y: Float32Array, loss: (tf: any, y: any, a: any) => any): (tf: any) => () => void {
  return (tf) => {
    const a = tf.tensor1d(x);
    const b = tf.tensor1d(y);
    const f = tf.valueAndGrad((v: any) => loss(tf, b, v));
    return () => tfjsRun(tf, () => f(a).grad);
  };
}

/** Value + gradient of `loss(input, target)` over 1-D float32 input and target (input requires grad). */
function pointwise(id: string, label: string, x: () => Float32Array | Float64Array, y: () => Float32Array | Float64Array, loss: (a: Tensor, b: Tensor) => Tensor, tfjs: ((tf: any, y: any, a: any) => any) | null, rssSteps: number): Case {
  return {
    id,
    label,
    rssSteps,
    build: () => {
      const xs = x();
      const ys = y();
      const n = xs.length;
      return {
        inputs: [xs, ys],
        losskit: () => {
          const a = leaf(xs, [n]);
          return finish(loss(a, t(ys, [n])), a);
        },
        tfjs: tfjs && xs instanceof Float32Array && ys instanceof Float32Array ? tfjsElementwise(xs, ys, tfjs) : null,
      };
    },
  };
}

/** Value + gradient of cross entropy over (N, C) logits and class indices. */
function ceCase(id: string, label: string, x: () => Float32Array | Float64Array, y: () => BigInt64Array, n: number, c: number, opts: { labelSmoothing?: number; inner?: number; tfjs?: boolean; rssSteps: number }): Case {
  return {
    id,
    label,
    inner: opts.inner,
    rssSteps: opts.rssSteps,
    build: () => {
      const xs = x();
      const ys = y();
      const o = opts.labelSmoothing ? { labelSmoothing: opts.labelSmoothing } : {};
      return {
        inputs: [xs, ys],
        losskit: () => {
          const a = leaf(xs, [n, c]);
          return finish(F.crossEntropy(a, t(ys, [n]), o), a);
        },
        tfjs: opts.tfjs === false || !(xs instanceof Float32Array) ? null : (tf) => tfjsCe(tf, xs, ys, n, c, opts.labelSmoothing ?? 0),
      };
    },
  };
}

/**
 * One SGD step (momentum 0.9) of a 784-256-10 MLP (Linear, ReLU, Linear, cross entropy) on a batch of
 * `batch` MNIST-sized rows: forward, backward, step, the loss read.
 */
function mlpCase(batch: number): Case {
  return {
    id: `mlp_step_${batch}`,
    label: `MLP 784-256-10 SGD step, batch ${batch}`,
    // PyTorch's step takes 20-200 ms here (the reference BLAS)
    rssSteps: batch > 128 ? 50 : 150,
    build: () => {
      const x = mlpX().subarray(0, batch * 784);
      const y = mlpT().subarray(0, batch);
      const model = new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(), new nn.Linear(256, 10, { seed: 2 }));
      const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      return {
        inputs: [x, y],
        losskit: () => {
          opt.zeroGrad();
          const loss = F.crossEntropy(model.forward(t(x, [batch, 784])), t(y, [batch]));
          loss.backward();
          opt.step();
          return loss.item();
        },
        tfjs: null, // compared with PyTorch only
      };
    },
  };
}

function ctcCase(T: number, NB: number, C: number, S: number, rssSteps: number): Case {
  return {
    id: `ctc_T${T}_N${NB}_C${C}_S${S}`,
    label: `CTC, T=${T} N=${NB} C=${C} S=${S}`,
    rssSteps,
    build: () => {
      const lp = logSoftmaxRows(normal(T * NB * C), C);
      const targets = BigInt64Array.from({ length: NB * S }, () => BigInt(1 + Math.floor(rnd() * (C - 1))));
      const il = new Array<number>(NB).fill(T);
      const tl = new Array<number>(NB).fill(S);
      return {
        inputs: [lp, targets],
        losskit: () => {
          const x = leaf(lp, [T, NB, C]);
          return finish(F.ctcLoss(x, t(targets, [NB, S]), il, tl), x);
        },
        tfjs: null, // TensorFlow.js has no CTC loss
      };
    },
  };
}

/** nll over (N, 1000) log-probabilities (the first N rows of one [16384, 1000] array). */
function nllCase(n: number, rssSteps: number): Case {
  return {
    id: `nll_${n}x1000`,
    label: `NLL [${n}, 1000]`,
    rssSteps,
    build: () => {
      const x = nll16k().subarray(0, n * 1000);
      const y = nll16kT().subarray(0, n);
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [n, 1000]);
          return finish(F.nllLoss(a, t(y, [n])), a);
        },
        tfjs: null, // TensorFlow.js has no NLL loss
      };
    },
  };
}

/** Value + gradient of a loss of three [4096, 512] embeddings (or two and a ±1 target), all requiring grad. */
function embeddingCase(id: string, label: string, k: 2 | 3, loss: (a: Tensor, b: Tensor, c: Tensor) => Tensor): Case {
  return {
    id,
    label,
    rssSteps: 100,
    build: () => {
      const xs = emb.slice(0, k).map((e) => e());
      const y = k === 2 ? signs(4096) : null;
      return {
        inputs: y ? [...xs, y] : xs,
        losskit: () => {
          const ls = xs.map((v) => leaf(v, [4096, 512]));
          return finish(loss(ls[0], ls[1], y ? t(y, [4096]) : ls[2]), ...ls);
        },
        tfjs: null,
      };
    },
  };
}

/** Value + gradient of a loss of two 1e6 inputs (both requiring grad) and a ±1 target. */
function pairCase(id: string, label: string, loss: (a: Tensor, b: Tensor, y: Tensor) => Tensor): Case {
  return {
    id,
    label,
    rssSteps: 300,
    build: () => {
      const [a, b, y] = [emb1M[0](), emb1M[1](), sign1M()];
      return {
        inputs: [a, b, y],
        losskit: () => {
          const x1 = leaf(a, [M]);
          const x2 = leaf(b, [M]);
          return finish(loss(x1, x2, t(y, [M])), x1, x2);
        },
        tfjs: null,
      };
    },
  };
}

export const allCases: Case[] = [
  pointwise('mse_1e7', 'MSE, 1e7 float32', mseX, mseY, (a, b) => F.mseLoss(a, b), (tf, y, a) => tf.losses.meanSquaredError(y, a), 300), // issue 10 asks for 300 steps
  {
    id: 'mse_1e7_value',
    label: 'MSE, 1e7 float32, value only (noGrad)',
    rssSteps: 100,
    build: () => {
      const [x, y] = [mseX(), mseY()];
      return {
        inputs: [x, y],
        losskit: () => noGrad(() => F.mseLoss(t(x, [N]), t(y, [N])).item()),
        tfjs: (tf) => {
          const a = tf.tensor1d(x);
          const b = tf.tensor1d(y);
          return () => tfjsRun(tf, () => tf.losses.meanSquaredError(b, a));
        },
      };
    },
  },
  pointwise('bce_1e7', 'BCE, 1e7 float32', bceP, bceY, (a, b) => F.binaryCrossEntropy(a, b), (tf, y, a) => tf.losses.logLoss(y, a, undefined, 1e-12), 50),
  pointwise('bce_logits_1e7', 'BCE with logits, 1e7 float32', mseX, bceY, (a, b) => F.binaryCrossEntropyWithLogits(a, b), (tf, y, a) => tf.losses.sigmoidCrossEntropy(y, a), 50),
  ceCase('ce_4096x1000', 'cross entropy [4096, 1000]', ce1, ce1t, 4096, 1000, { rssSteps: 150 }),
  ceCase('ce_256x32000', 'cross entropy [256, 32000]', ce2, ce2t, 256, 32000, { rssSteps: 100 }),
  {
    id: 'ce_256x32000_value',
    label: 'cross entropy [256, 32000], value only (noGrad)',
    rssSteps: 100,
    build: () => {
      const [x, y] = [ce2(), ce2t()];
      return {
        inputs: [x, y],
        losskit: () => noGrad(() => F.crossEntropy(t(x, [256, 32000]), t(y, [256])).item()),
        tfjs: (tf) => {
          const a = tf.tensor2d(x, [256, 32000]);
          const labels = tf.oneHot(tf.tensor1d(Int32Array.from(y, Number), 'int32'), 32000);
          return () => tfjsRun(tf, () => tf.losses.softmaxCrossEntropy(labels, a));
        },
      };
    },
  },
  ceCase('ce_ls_4096x1000', 'cross entropy [4096, 1000], label smoothing 0.1', ce1, ce1t, 4096, 1000, { labelSmoothing: 0.1, rssSteps: 150 }),
  {
    id: 'kl_4096x1000',
    label: "KL divergence [4096, 1000], 'batchmean'",
    rssSteps: 150,
    build: () => {
      const [x, y] = [klX(), klY()];
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [4096, 1000]);
          return finish(F.klDiv(a, t(y, [4096, 1000]), { reduction: 'batchmean' }), a);
        },
        tfjs: (tf) => {
          const a = tf.tensor2d(x, [4096, 1000]);
          const b = tf.tensor2d(y, [4096, 1000]);
          const f = tf.valueAndGrad((v: any) => tf.div(tf.sum(tf.mul(b, tf.sub(tf.log(b), v))), 4096));
          return () => tfjsRun(tf, () => f(a).grad);
        },
      };
    },
  },
  ctcCase(200, 16, 40, 30, 200),
  ctcCase(1000, 8, 80, 100, 50),
  ceCase('ce_f64_1024x1000', 'cross entropy [1024, 1000] float64', ce64, ce64t, 1024, 1000, { rssSteps: 200 }),
  // ---- the rest of the 21 losses, at issue 11's sizes ----
  embeddingCase('cosine_embedding_4096x512', 'cosine embedding [4096, 512]', 2, (a, b, y) => F.cosineEmbeddingLoss(a, b, y)),
  embeddingCase('triplet_margin_4096x512', 'triplet margin [4096, 512]', 3, (a, p, n) => F.tripletMarginLoss(a, p, n)),
  embeddingCase('triplet_distance_4096x512', 'triplet margin with distance [4096, 512] (default distance)', 3, (a, p, n) => F.tripletMarginWithDistanceLoss(a, p, n)),
  {
    id: 'multilabel_soft_margin_4096x1000',
    label: 'multilabel soft margin [4096, 1000]',
    rssSteps: 50,
    build: () => {
      const x = ce1();
      const y = Float32Array.from({ length: 4096 * 1000 }, () => (rnd() < 0.5 ? 0 : 1));
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [4096, 1000]);
          return finish(F.multilabelSoftMarginLoss(a, t(y, [4096, 1000])), a);
        },
        tfjs: null,
      };
    },
  },
  {
    id: 'poisson_nll_1e6',
    label: 'Poisson NLL, 1e6 (log input)',
    rssSteps: 300,
    build: () => {
      const x = emb1M[0]();
      const y = Float32Array.from({ length: M }, () => Math.floor(rnd() * 5));
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [M]);
          return finish(F.poissonNllLoss(a, t(y, [M])), a);
        },
        tfjs: null,
      };
    },
  },
  pointwise('soft_margin_1e6', 'soft margin, 1e6', () => emb1M[0](), sign1M, (a, b) => F.softMarginLoss(a, b), null, 300),
  pairCase('margin_ranking_1e6', 'margin ranking, 1e6', (a, b, y) => F.marginRankingLoss(a, b, y)),
  nllCase(16384, 50),
  nllCase(4096, 150),
  {
    id: 'gaussian_nll_1e6',
    label: 'Gaussian NLL, 1e6 (input and variance require grad)',
    rssSteps: 100,
    build: () => {
      const [x, y] = [emb1M[0](), emb1M[1]()];
      const v = Float32Array.from({ length: M }, () => 0.1 + rnd());
      return {
        inputs: [x, y, v],
        losskit: () => {
          const a = leaf(x, [M]);
          const va = leaf(v, [M]);
          return finish(F.gaussianNllLoss(a, t(y, [M]), va), a, va);
        },
        tfjs: null,
      };
    },
  },
  pointwise('hinge_embedding_1e6', 'hinge embedding, 1e6', () => emb1M[0](), sign1M, (a, b) => F.hingeEmbeddingLoss(a, b), null, 300),
  {
    id: 'multilabel_margin_1024x100',
    label: 'multilabel margin [1024, 100]',
    rssSteps: 300,
    build: () => {
      const x = normal(1024 * 100);
      // each row: 1 to 10 target classes, then -1 padding
      const y = new BigInt64Array(1024 * 100).fill(-1n);
      for (let r = 0; r < 1024; r++) {
        const k = 1 + Math.floor(rnd() * 10);
        for (let j = 0; j < k; j++) y[r * 100 + j] = BigInt(Math.floor(rnd() * 100));
      }
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [1024, 100]);
          return finish(F.multilabelMarginLoss(a, t(y, [1024, 100])), a);
        },
        tfjs: null,
      };
    },
  },
  {
    id: 'multi_margin_4096x1000',
    label: 'multi margin [4096, 1000]',
    rssSteps: 50,
    build: () => {
      const [x, y] = [ce1(), ce1t()];
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [4096, 1000]);
          return finish(F.multiMarginLoss(a, t(y, [4096])), a);
        },
        tfjs: null,
      };
    },
  },
  pointwise('mse_f64_1e7', 'MSE, 1e7 float64', mse64X, mse64Y, (a, b) => F.mseLoss(a, b), null, 50),
  {
    id: 'ce_kdim_16x21x128x128',
    label: 'cross entropy K-dim [16, 21, 128, 128]',
    rssSteps: 100,
    build: () => {
      const x = normal(16 * 21 * 128 * 128);
      const y = classes(16 * 128 * 128, 21);
      return {
        inputs: [x, y],
        losskit: () => {
          const a = leaf(x, [16, 21, 128, 128]);
          return finish(F.crossEntropy(a, t(y, [16, 128, 128])), a);
        },
        tfjs: null, // tfjs's softmaxCrossEntropy takes classes on the last axis only
      };
    },
  },
  pointwise('l1_1e7', 'L1, 1e7 float32', mseX, mseY, (a, b) => F.l1Loss(a, b), (tf, y, a) => tf.losses.absoluteDifference(y, a), 50),
  // tfjs's huberLoss with delta 1 is smooth L1 with beta 1 (and Huber with delta 1)
  pointwise('smooth_l1_1e7', 'smooth L1, 1e7 float32', mseX, mseY, (a, b) => F.smoothL1Loss(a, b), (tf, y, a) => tf.losses.huberLoss(y, a), 50),
  pointwise('huber_1e7', 'Huber, 1e7 float32', mseX, mseY, (a, b) => F.huberLoss(a, b), (tf, y, a) => tf.losses.huberLoss(y, a), 50),
  // ---- small inputs: the time of one call, measured over `inner` calls ----
  { ...pointwise('mse_8', 'MSE [8] (small input)', () => normal(8), () => normal(8), (a, b) => F.mseLoss(a, b), (tf, y, a) => tf.losses.meanSquaredError(y, a), 300), inner: 1000 },
  ceCase('ce_4x5', 'cross entropy [4, 5] (small input)', () => normal(20), () => classes(4, 5), 4, 5, { inner: 1000, rssSteps: 300 }),
  {
    id: 'matmul_1024x784x256',
    label: 'matmul [1024, 784] x [784, 256] float32',
    rssSteps: 100,
    build: () => {
      const [a, b] = [mmA(), mmB()];
      return {
        inputs: [a, b],
        losskit: () => void matmul(t(a, [1024, 784]), t(b, [784, 256])).data[0],
        tfjs: (tf) => {
          const x = tf.tensor2d(a, [1024, 784]);
          const y = tf.tensor2d(b, [784, 256]);
          return () => tfjsRun(tf, () => tf.matMul(x, y));
        },
      };
    },
  },
  mlpCase(128),
  mlpCase(1024),
];
