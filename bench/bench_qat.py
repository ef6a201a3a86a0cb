#!/usr/bin/python3
"""Timed runs of the QAT tool chain: fakequant.quantize throughput and QAT training speed.

  PYTHONPATH=scripts /usr/bin/python3 bench/bench_qat.py [--repeat 11] [--images 10000]

Prints, for 1e6 float32 values, the median time of qarch_dse.fakequant.quantize per
format, and the wall time of one QAT epoch of LeNet-5 and the MLP (int4, learned scales) over
--images training images, one torch thread. Results go to docs/performance.md by hand.
"""

import argparse
import statistics
import tempfile
import time

import torch

from qarch_dse import fakequant as fq
from qarch_dse import qat

FORMATS = [("int8", 0.00187), ("int4", 0.03), ("pow2_4", 0.00372), ("fp<4,3>", 1.0), ("bf16", 1.0),
           ("posit<8,1>", 1.0), ("binary", 0.04)]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=11)
    p.add_argument("--images", type=int, default=10000)
    args = p.parse_args()
    torch.set_num_threads(1)
    x = torch.randn(1_000_000, generator=torch.Generator().manual_seed(1)) * 0.05
    print("quantize, 1e6 float32 values (median of %d):" % args.repeat)
    for fmt, scale in FORMATS:
        fq.quantize(x, fmt, scale)  # warm-up (tables, allocator)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fq.quantize(x, fmt, scale)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"  {fmt:12s} {1e3 * med:7.2f} ms  {1e-6 * x.numel() / med:8.1f} M values/s")
    print(f"QAT, one epoch of {args.images} training images, int4 weights and activations, LSQ:")
    for model in ("lenet5", "mlp"):
        spec = qat.qat_spec(qat.QuantSpec("int4", "int4", accumulator="int24"))
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            r = qat.train(model, spec, out, epochs=1, train_limit=args.images, test_limit=1000)
            total = time.perf_counter() - t0
        epoch = r["log"][-1]["seconds"]
        print(f"  {model:7s} epoch {epoch:6.1f} s ({args.images / epoch:7.0f} images/s); "
              f"with data loading, calibration, export and a 1000-image evaluation {total:6.1f} s")


if __name__ == "__main__":
    main()
