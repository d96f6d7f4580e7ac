"""The NotesTrainingBenchmarks workloads (one training step of the notes' CNN and DCGAN, batch 64) in real
PyTorch on this machine. Run: /usr/bin/python3 tests/Torchlet.Benchmarks/notes_nets_side_by_side.py [--threads 2] [--runs 5]
Prints min / median / max over the runs (each run = the mean of a few steps after a warm-up step)."""
import argparse
import statistics
import time

import torch
import torch.nn as nn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")

    cnn = nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(stride=2, kernel_size=2), nn.Flatten(),
        nn.Linear(128 * 14 * 14, 1024), nn.ReLU(), nn.Dropout(p=0.5), nn.Linear(1024, 10))
    cnn_opt = torch.optim.SGD(cnn.parameters(), lr=0.01, momentum=0.9)
    images, labels, ce = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,)), nn.CrossEntropyLoss()

    def cnn_step():
        cnn_opt.zero_grad()
        loss = ce(cnn(images), labels)
        loss.backward()
        cnn_opt.step()

    g = nn.Sequential(
        nn.ConvTranspose2d(64, 256, 4, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Sigmoid())
    d = nn.Sequential(
        nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),
        nn.Conv2d(256, 1, 4))
    g_opt = torch.optim.Adam(g.parameters(), lr=0.0002, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=0.0002, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real, z, ones, zeros = torch.rand(64, 3, 32, 32), torch.randn(64, 64, 1, 1), torch.ones(64), torch.zeros(64)

    def dcgan_step():
        d_opt.zero_grad()
        fake = g(z)
        d_loss = bce(d(real).reshape(-1), ones) + bce(d(fake.detach()).reshape(-1), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(d(fake).reshape(-1), ones)
        g_loss.backward()
        g_opt.step()

    for name, fn in (("§2.7 CNN SGD step, batch 64", cnn_step), ("§2.9 DCGAN D+G Adam step, batch 64", dcgan_step)):
        fn()
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            for _ in range(args.steps):
                fn()
            samples.append((time.perf_counter() - t0) / args.steps)
        s = sorted(samples)
        print(f"{name:<36} min {s[0] * 1e3:9.1f} ms  median {statistics.median(s) * 1e3:9.1f} ms  max {s[-1] * 1e3:9.1f} ms", flush=True)


if __name__ == "__main__":
    main()
