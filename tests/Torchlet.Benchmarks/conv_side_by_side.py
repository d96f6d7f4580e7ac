"""The ConvBenchmarks workloads (the notes' CNN and DCGAN layers, batch 64), timed in real PyTorch on this machine.

Run: /usr/bin/python3 tests/Torchlet.Benchmarks/conv_side_by_side.py [--threads 2] [--runs 5] [--only cnn2]
Prints min / median / max of the forward and of forward+backward per layer over several runs,
to set beside `dotnet run -c Release --project tests/Torchlet.Benchmarks -- --filter '*ConvBenchmarks*'`.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn

# name: (module factory, input shape, whether the input needs a gradient)
LAYERS = {
    "cnn1": (lambda: nn.Conv2d(1, 64, 3, padding=1), (64, 1, 28, 28), False),
    "cnn2": (lambda: nn.Conv2d(64, 128, 3, padding=1), (64, 64, 28, 28), True),
    "g1": (lambda: nn.ConvTranspose2d(64, 256, 4, bias=False), (64, 64, 1, 1), False),
    "g2": (lambda: nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), (64, 256, 4, 4), True),
    "g3": (lambda: nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), (64, 128, 8, 8), True),
    "g4": (lambda: nn.ConvTranspose2d(64, 3, 4, 2, 1), (64, 64, 16, 16), True),
    "d1": (lambda: nn.Conv2d(3, 64, 4, 2, 1), (64, 3, 32, 32), False),
    "d2": (lambda: nn.Conv2d(64, 128, 4, 2, 1, bias=False), (64, 64, 16, 16), True),
    "d3": (lambda: nn.Conv2d(128, 256, 4, 2, 1, bias=False), (64, 128, 8, 8), True),
    "d4": (lambda: nn.Conv2d(256, 1, 4), (64, 256, 4, 4), True),
}


def timeit(fn, number):
    fn()
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def report(name, samples):
    s = sorted(samples)
    print(f"{name:<22} min {s[0] * 1e3:9.3f} ms  median {statistics.median(s) * 1e3:9.3f} ms  max {s[-1] * 1e3:9.3f} ms", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    torch.manual_seed(0)
    for name, (make, shape, input_grad) in LAYERS.items():
        if args.only and name not in args.only.split(","):
            continue
        m = make()
        x = torch.randn(*shape, requires_grad=input_grad)
        with torch.no_grad():
            y = m(x)
        g = torch.randn_like(y)

        def fwd():
            with torch.no_grad():
                m(x)

        def fwd_bwd():
            m.zero_grad(set_to_none=True)
            x.grad = None
            m(x).backward(g)

        t = timeit(fwd, 1)
        number = max(1, int(0.3 / max(t, 1e-6)))
        report(f"{name} forward", [timeit(fwd, number) for _ in range(args.runs)])
        report(f"{name} forward+backward", [timeit(fwd_bwd, max(1, number // 3)) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
