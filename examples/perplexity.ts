// Perplexity of a transformers.js-style causal LM output: `{ logits }` with logits a
// { type, data, dims } tensor (B, T, V), the input ids int64. Then a text longer than the model's
// context, with Hugging Face's sliding window. Run: npx tsx examples/perplexity.ts
// In your project: import { F } from 'losskit'; import { fromOrt } from 'losskit/onnx';
// and `const model = await AutoModelForCausalLM.from_pretrained(...)`, `model({ input_ids })`.
import { pathToFileURL } from 'node:url';
import { F, type Tensor } from '../src/index.js';
import { fromOrt, type OrtTensorLike } from '../src/bridges/onnx.js';

const V = 16;

/** A stand-in for a transformers.js model: a bigram table, called as `await model({ input_ids })`. */
async function model({ input_ids }: { input_ids: OrtTensorLike }): Promise<{ logits: OrtTensorLike }> {
  const ids = input_ids.data as BigInt64Array;
  const logits = new Float32Array(ids.length * V);
  ids.forEach((id, i) => {
    for (let v = 0; v < V; v++) logits[i * V + v] = v === (Number(id) + 1) % V ? 4 : Math.cos(v * Number(id));
  });
  return { logits: { type: 'float32', data: logits, dims: [...input_ids.dims, V] } };
}

const tokens = (n: number): OrtTensorLike => ({
  type: 'int64',
  // mostly the token after the last one (what the model expects), with a jump every 7 tokens
  data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i + 3 * Math.floor(i / 7)) % V)),
  dims: [1, n],
});

export async function run({ length = 40, context = 12, stride = 6, log = console.log } = {}) {
  const input_ids = tokens(length);
  const { logits } = await model({ input_ids });
  const whole = F.perplexity(fromOrt(logits), fromOrt(input_ids)).item(); // the whole text in one context
  log(`perplexity (one pass, ${length} tokens): ${whole.toFixed(4)}`);
  // a model with a context of `context` tokens: windows, each scoring the tokens the last did not
  const windowed = await F.slidingWindowPerplexity(
    async (ids: Tensor) => fromOrt((await model({ input_ids: { type: 'int64', data: ids.data, dims: ids.shape } })).logits),
    fromOrt(input_ids),
    { maxLength: context, stride },
  );
  log(`perplexity (windows of ${context}, stride ${stride}): ${windowed.perplexity.toFixed(4)} over ${windowed.tokens} tokens`);
  return { whole, windowed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
