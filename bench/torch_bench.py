"""PyTorch CPU timings for bench/run.ts: value + gradient, median of repeated runs after warm-up.

Usage: python3 bench/torch_bench.py THREADS REPS WARMUP [CASE,CASE...]  -> prints one JSON object {case: ms per call}.
       python3 bench/torch_bench.py rss THREADS STEPS [CASE]  -> the peak RSS (MB) of STEPS synchronous
       steps of CASE (default mse_1e7) in this fresh process.
The case ids, shapes and options are bench/cases.ts's; the small inputs are timed over INNER calls per run.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

import resource

rss_mode = sys.argv[1] == 'rss'
threads = int(sys.argv[2] if rss_mode else sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)


# calls per timed run for the inputs that take microseconds (bench/cases.ts's `inner`)
INNER = {'mse_8': 1000, 'ce_4x5': 1000}


def timed(fn, reps, warmup, inner=1):
    def run():
        for _ in range(inner):
            fn()
    for _ in range(warmup):
        run()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        run()
        ts.append((time.perf_counter() - t) * 1e3 / inner)
    return statistics.median(ts)


def case_mse():
    x0, y = torch.randn(10**7), torch.randn(10**7)

    def run():
        x = x0.detach().requires_grad_()
        F.mse_loss(x, y).backward()
        return x.grad
    return run


def case_mse_value():
    x, y = torch.randn(10**7), torch.randn(10**7)

    def run():
        with torch.no_grad():
            return F.mse_loss(x, y).item()
    return run


def case_bce_plain():
    x0, y = 0.01 + 0.98 * torch.rand(10**7), torch.rand(10**7)

    def run():
        x = x0.detach().requires_grad_()
        F.binary_cross_entropy(x, y).backward()
        return x.grad
    return run


def case_ce_value(n, c):
    x, t = torch.randn(n, c) * 2, torch.randint(0, c, (n,))

    def run():
        with torch.no_grad():
            return F.cross_entropy(x, t).item()
    return run


def case_bce():
    x0, y = torch.randn(10**7), torch.rand(10**7)

    def run():
        x = x0.detach().requires_grad_()
        F.binary_cross_entropy_with_logits(x, y).backward()
        return x.grad
    return run


def case_ce(n, c, eps=0.0):
    x0, t = torch.randn(n, c) * 2, torch.randint(0, c, (n,))

    def run():
        x = x0.detach().requires_grad_()
        F.cross_entropy(x, t, label_smoothing=eps).backward()
        return x.grad
    return run


def case_kl():
    x0 = torch.log_softmax(torch.randn(4096, 1000), 1)
    y = torch.softmax(torch.randn(4096, 1000), 1)

    def run():
        x = x0.detach().requires_grad_()
        F.kl_div(x, y, reduction='batchmean').backward()
        return x.grad
    return run


def case_ctc(T, N, C, S):
    lp0 = torch.randn(T, N, C).log_softmax(2)
    targets = torch.randint(1, C, (N, S))
    il = torch.full((N,), T, dtype=torch.long)
    tl = torch.full((N,), S, dtype=torch.long)

    def run():
        lp = lp0.detach().requires_grad_()
        F.ctc_loss(lp, targets, il, tl).backward()
        return lp.grad
    return run


def case_ce64():
    x0, t = torch.randn(1024, 1000, dtype=torch.float64), torch.randint(0, 1000, (1024,))

    def run():
        x = x0.detach().requires_grad_()
        F.cross_entropy(x, t).backward()
        return x.grad
    return run


def case_matmul():
    a, b = torch.randn(1024, 784), torch.randn(784, 256)

    def run():
        with torch.no_grad():
            return (a @ b)[0, 0].item()
    return run


def case_mlp(batch):
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, t = torch.rand(batch, 784), torch.randint(0, 10, (batch,))

    def run():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        return loss.item()
    return run


def leaves(*xs):
    return [x.detach().requires_grad_() for x in xs]


def finish(loss, *xs):
    loss.backward()
    for x in xs:
        x.grad[0]  # read each gradient, as bench/run.ts does
    return loss


def case_pointwise(loss, x0, y):
    """Value + gradient of loss(input, target), the input requiring grad."""
    def run():
        x, = leaves(x0)
        return finish(loss(x, y), x)
    return run


def signs(*shape):
    return torch.randint(0, 2, shape).float() * 2 - 1


def case_embedding(loss, k):
    """Three [4096, 512] embeddings (or two and a ±1 target), all requiring grad."""
    xs0 = [torch.randn(4096, 512) for _ in range(k)]
    y = signs(4096) if k == 2 else None

    def run():
        xs = leaves(*xs0)
        return finish(loss(*xs, y) if y is not None else loss(*xs), *xs)
    return run


def case_margin_ranking():
    a0, b0, y = torch.randn(10**6), torch.randn(10**6), signs(10**6)

    def run():
        a, b = leaves(a0, b0)
        return finish(F.margin_ranking_loss(a, b, y), a, b)
    return run


def case_gaussian():
    x0, y, v0 = torch.randn(10**6), torch.randn(10**6), 0.1 + torch.rand(10**6)

    def run():
        x, v = leaves(x0, v0)
        return finish(F.gaussian_nll_loss(x, y, v), x, v)
    return run


def case_nll(n):
    x0, t = torch.randn(n, 1000).log_softmax(1), torch.randint(0, 1000, (n,))
    return case_pointwise(F.nll_loss, x0, t)


def case_multilabel_margin():
    y = torch.full((1024, 100), -1, dtype=torch.long)
    for r in range(1024):
        k = int(torch.randint(1, 11, ()))
        y[r, :k] = torch.randint(0, 100, (k,))
    return case_pointwise(F.multilabel_margin_loss, torch.randn(1024, 100), y)


def case_kdim():
    return case_pointwise(F.cross_entropy, torch.randn(16, 21, 128, 128), torch.randint(0, 21, (16, 128, 128)))


E7, E6 = 10**7, 10**6
cases = {
    'mse_1e7': case_mse,
    'mse_1e7_value': case_mse_value,
    'bce_1e7': case_bce_plain,
    'bce_logits_1e7': case_bce,
    'ce_4096x1000': lambda: case_ce(4096, 1000),
    'ce_256x32000': lambda: case_ce(256, 32000),
    'ce_256x32000_value': lambda: case_ce_value(256, 32000),
    'ce_ls_4096x1000': lambda: case_ce(4096, 1000, 0.1),
    'kl_4096x1000': case_kl,
    'ctc_T200_N16_C40_S30': lambda: case_ctc(200, 16, 40, 30),
    'ctc_T1000_N8_C80_S100': lambda: case_ctc(1000, 8, 80, 100),
    'ce_f64_1024x1000': case_ce64,
    'matmul_1024x784x256': case_matmul,
    'mlp_step_128': lambda: case_mlp(128),
    'mlp_step_1024': lambda: case_mlp(1024),
    'cosine_embedding_4096x512': lambda: case_embedding(F.cosine_embedding_loss, 2),
    'triplet_margin_4096x512': lambda: case_embedding(F.triplet_margin_loss, 3),
    'triplet_distance_4096x512': lambda: case_embedding(F.triplet_margin_with_distance_loss, 3),
    'multilabel_soft_margin_4096x1000': lambda: case_pointwise(F.multilabel_soft_margin_loss, torch.randn(4096, 1000), torch.randint(0, 2, (4096, 1000)).float()),
    'poisson_nll_1e6': lambda: case_pointwise(F.poisson_nll_loss, torch.randn(E6), torch.randint(0, 5, (E6,)).float()),
    'soft_margin_1e6': lambda: case_pointwise(F.soft_margin_loss, torch.randn(E6), signs(E6)),
    'margin_ranking_1e6': case_margin_ranking,
    'nll_16384x1000': lambda: case_nll(16384),
    'nll_4096x1000': lambda: case_nll(4096),
    'gaussian_nll_1e6': case_gaussian,
    'hinge_embedding_1e6': lambda: case_pointwise(F.hinge_embedding_loss, torch.randn(E6), signs(E6)),
    'multilabel_margin_1024x100': case_multilabel_margin,
    'multi_margin_4096x1000': lambda: case_pointwise(F.multi_margin_loss, torch.randn(4096, 1000), torch.randint(0, 1000, (4096,))),
    'mse_f64_1e7': lambda: case_pointwise(F.mse_loss, torch.randn(E7, dtype=torch.float64), torch.randn(E7, dtype=torch.float64)),
    'ce_kdim_16x21x128x128': case_kdim,
    'l1_1e7': lambda: case_pointwise(F.l1_loss, torch.randn(E7), torch.randn(E7)),
    'smooth_l1_1e7': lambda: case_pointwise(F.smooth_l1_loss, torch.randn(E7), torch.randn(E7)),
    'huber_1e7': lambda: case_pointwise(F.huber_loss, torch.randn(E7), torch.randn(E7)),
    'mse_8': lambda: case_pointwise(F.mse_loss, torch.randn(8), torch.randn(8)),
    'ce_4x5': lambda: case_pointwise(F.cross_entropy, torch.randn(4, 5), torch.randint(0, 5, (4,))),
}



def peak_mb():
    """This process's peak RSS: VmHWM of its own address space (ru_maxrss is carried over from the
    parent at fork and exec on Linux, so a child of a big bench process reports the bench's peak)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if rss_mode:
    run = cases[sys.argv[4] if len(sys.argv) > 4 else 'mse_1e7']()
    for _ in range(int(sys.argv[3])):
        run()
    print(peak_mb())
    sys.exit(0)

reps, warmup = int(sys.argv[2]), int(sys.argv[3])
only = sys.argv[4].split(',') if len(sys.argv) > 4 else list(cases)
unknown = [c for c in only if c not in cases]
if unknown:
    sys.exit(f'unknown cases: {unknown}')
print(json.dumps({name: timed(make(), reps, warmup, INNER.get(name, 1)) for name, make in cases.items() if name in only}))
