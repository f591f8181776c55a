import { RuntimeError, check } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * One operation in the recorded graph: it knows its inputs and how to turn the gradient of its
 * output into gradients of its inputs (null where an input gets none).
 */
export interface Node {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward(grad: Tensor): readonly (Tensor | null)[];
}

let gradEnabled = true;

/** Whether operations are being recorded for autograd right now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording operations (PyTorch's `torch.no_grad()`): results do not require
 * grad, and no graph is kept alive. Use it for evaluation and for optimizer updates.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Records `out = op(inputs)` when grad mode is on and some input requires grad. */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = { name, inputs, backward };
    out.setRequiresGradInternal(true);
  }
  return out;
}

/** Reverse-mode sweep from `root`, seeded with `grad`. Gradients accumulate into leaves' `.grad`. */
export function runBackward(root: Tensor, grad: Tensor, fit: (g: Tensor, like: Tensor) => Tensor): void {
  check(
    root.requiresGrad,
    RuntimeError,
    () => 'element 0 of tensors does not require grad and does not have a grad_fn',
  );
  // Topological order without recursion: graphs of thousands of nodes must not blow the stack.
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  const grads = new Map<Tensor, Tensor>([[root, grad]]);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.gradFn) {
        // a leaf: keep our own copy, since `g` may be the caller's tensor
        const own = g === grad ? g.clone() : g;
        t.grad = t.grad ? t.grad.add(own) : own;
        continue;
      }
      const inGrads = t.gradFn.backward(g);
      const inputs = t.gradFn.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i];
        const gi = inGrads[i];
        if (!gi || !x.requiresGrad) continue;
        const fitted = fit(gi, x);
        const acc = grads.get(x);
        grads.set(x, acc ? acc.add(fitted) : fitted);
      }
    }
  } finally {
    gradEnabled = prev;
  }
}
