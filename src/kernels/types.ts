/**
 * The fused-kernel interface: each loss's value and gradient in one pass, over flat arrays.
 *
 * Two implementations share it: `ts.ts` (plain TypeScript, float64 arithmetic per element,
 * exactly the composed path's formulas) and `wasm.ts` (WebAssembly SIMD on float32, optionally
 * on several threads). The loss files validate everything before calling in; kernels trust their
 * input. Kernels read their inputs and never write them; every array in a KernelResult is new,
 * over its own plain ArrayBuffer, and belongs to the caller.
 */

export type FloatArray = Float32Array | Float64Array;

/** The elementwise losses. `klDivLog` is `klDiv` with `logTarget`. */
export type ElementwiseKind = 'mse' | 'l1' | 'smoothL1' | 'huber' | 'bce' | 'bceWithLogits' | 'klDiv' | 'klDivLog';

export interface ElementwiseProblem {
  kind: ElementwiseKind;
  /** Input and target, same dtype and length. */
  x: FloatArray;
  y: FloatArray;
  /** Weights repeating along the flat input: element i uses weight[i % weight.length]. */
  weight: FloatArray | null;
  /** BCE with logits' posWeight, repeating like `weight`. */
  posWeight: FloatArray | null;
  /** smooth L1's beta, Huber's delta. */
  param: number;
  /** The gradient is `dloss_i/dx_i * scale` (1/N for 'mean'). */
  scale: number;
  /** Whether the elementwise loss is wanted (reduction 'none'). */
  wantLoss: boolean;
  /** Whether the gradient is wanted (false: the value alone, no gradient memory). */
  wantGrad: boolean;
}

/**
 * Cross entropy (`mode: 'ce'`, logits) or NLL (`mode: 'nll'`, log-probabilities) over an
 * (outer, C, inner) layout: class c of position (o, i) is at (o * C + c) * inner + i.
 */
export interface ClassProblem {
  mode: 'ce' | 'nll';
  x: FloatArray;
  outer: number;
  C: number;
  inner: number;
  /** Class indices per (o, i), validated to be in [0, C) or ignoreIndex. */
  target: Int32Array | null;
  /** Probabilities shaped like x (cross entropy only). */
  probs: FloatArray | null;
  /** (C) class weights, x's dtype. */
  weight: FloatArray | null;
  ignoreIndex: number;
  /** Label smoothing (cross entropy only). */
  eps: number;
  /** Gradient multiplier: 1 / (Σ weights of kept targets) or 1 / rows for 'mean', else 1. */
  scale: number;
  wantLoss: boolean;
  wantGrad: boolean;
}

export interface KernelResult {
  /** Σ of the (weighted) loss over all elements or rows, in float64. */
  sum: number;
  /** The unreduced loss (x's dtype), when asked for. */
  loss: FloatArray | null;
  /** The gradient with respect to x, scaled, when asked for. */
  grad: FloatArray | null;
}

export interface Backend {
  readonly name: 'ts' | 'wasm';
  elementwise(p: ElementwiseProblem): KernelResult;
  classes(p: ClassProblem): KernelResult;
}
