"""The same workloads as the BenchmarkDotNet suites, timed in real PyTorch on this machine.

Run: /usr/bin/python3 tests/Torchlet.Benchmarks/pytorch_side_by_side.py [--threads 2] [--runs 5]
Prints min / median / max per workload over several runs, so ratios against Torchlet can be
taken from one session on the same (noisy, shared) machine. Debian's python3-torch uses a
reference BLAS, so its SGEMM numbers understate what libtorch with MKL/OpenBLAS reaches.
"""
import argparse
import math
import statistics
import time

import torch


def timeit(fn, number):
    fn()
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def report(name, samples, unit_scale, unit, extra=None):
    s = sorted(samples)
    line = f"{name:<28} min {s[0] * unit_scale:10.3f} {unit}  median {statistics.median(s) * unit_scale:10.3f} {unit}  max {s[-1] * unit_scale:10.3f} {unit}"
    if extra:
        line += "  " + extra(statistics.median(s))
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="128,512,1024")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")

    a = torch.tensor([1.0, 2.0])
    b = torch.tensor([3.0, 4.0])
    report("small op (2-element a+b)", [timeit(lambda: a + b, 200_000) for _ in range(args.runs)], 1e6, "us")

    x = torch.tensor([math.pi / 3, math.pi / 6], requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.1, momentum=0)

    def step():
        opt.zero_grad()
        f = -((x.cos() ** 2).sum()) ** 2
        f.backward()
        opt.step()

    report("notes 2.4 step", [timeit(step, 20_000) for _ in range(args.runs)], 1e6, "us")

    for n in [int(v) for v in args.sizes.split(",")]:
        A = torch.rand(n, n)
        B = torch.rand(n, n)
        number = max(1, int(2e8 / (2 * n ** 3)))
        report(f"sgemm {n}", [timeit(lambda: torch.mm(A, B), number) for _ in range(args.runs)], 1e3, "ms",
               extra=lambda t: f"{2 * n ** 3 / t / 1e9:7.1f} GFLOP/s (median)")


if __name__ == "__main__":
    main()
