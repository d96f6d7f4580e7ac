#!/usr/bin/env python3
"""Cuts the Fashion-MNIST sample shipped in data/fashion-mnist-sample from the full set that Debian's
dataset-fashion-mnist installs (apt-get install -y dataset-fashion-mnist): the first 10,000 training and the first
2,000 test images with their labels, in the original IDX format, gzipped (mtime 0, so the output is reproducible)."""
import gzip, os, struct, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
DST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion-mnist-sample")
COUNTS = {"train": 10000, "t10k": 2000}

def cut(name, n):
    with gzip.open(os.path.join(SRC, name + ".gz"), "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    ndim = magic & 0xFF
    dims = list(struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim]))
    per_item = 1
    for d in dims[1:]:
        per_item *= d
    assert dims[0] >= n, (name, dims)
    head = struct.pack(">i", magic) + struct.pack(">" + "i" * ndim, n, *dims[1:])
    body = data[4 + 4 * ndim: 4 + 4 * ndim + n * per_item]
    os.makedirs(DST, exist_ok=True)
    with open(os.path.join(DST, name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as g:
            g.write(head + body)
    print(f"{name}.gz: {n} of {dims[0]} items")

for split, n in COUNTS.items():
    cut(f"{split}-images-idx3-ubyte", n)
    cut(f"{split}-labels-idx1-ubyte", n)
