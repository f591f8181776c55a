"""PyTorch CPU timings for bench/run.ts: value + gradient, median of repeated runs after warm-up.

Usage: python3 bench/torch_bench.py THREADS REPS WARMUP [CASE,CASE...]  -> prints one JSON object {case: ms}.
       python3 bench/torch_bench.py rss THREADS STEPS  -> the peak RSS (MB) of STEPS synchronous MSE 1e7 steps.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

import resource

if sys.argv[1] == 'rss':
    torch.set_num_threads(int(sys.argv[2]))
    x0, y = torch.randn(10**7), torch.randn(10**7)
    for _ in range(int(sys.argv[3])):
        x = x0.detach().requires_grad_()
        F.mse_loss(x, y).backward()
        x.grad[0].item()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    sys.exit(0)

threads = int(sys.argv[1])
reps = int(sys.argv[2])
warmup = int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)


def timed(fn, reps):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1e3)
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


def case_ctc():
    T, N, C, S = 200, 16, 40, 30
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
    'ctc_T200_N16_C40_S30': case_ctc,
    'ce_f64_1024x1000': case_ce64,
    'matmul_1024x784x256': case_matmul,
    'mlp_step_128': lambda: case_mlp(128),
    'mlp_step_1024': lambda: case_mlp(1024),
}
only = sys.argv[4].split(',') if len(sys.argv) > 4 else list(cases)
print(json.dumps({name: timed(make(), reps) for name, make in cases.items() if name in only}))
