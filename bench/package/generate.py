#!/usr/bin/env python3
"""Generates the two benchmark services for bench/package/run.sh, byte-identical on every run.

  svc-node/   a Node service: 100 packages x 50 small .js files plus each package.json (~1 MB)
  svc-mixed/  ~50 MB of mixed sizes: many small text files, some medium, a few multi-MB;
              content partly compressible text, partly random bytes

Every file gets the same old mtime, so runs do not depend on when the trees were made.
"""
import os
import random
import sys

FIXED_MTIME = 1_600_000_000  # 2020-09-13

WORDS = ("exports module require function return const let var async await promise "
         "handler event context callback request response status body headers json "
         "lambda serverless package deploy stage region bucket queue message record").split()


def corpus(rng, size):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))) + ";\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()


CORPUS = corpus(random.Random(0), 4_000_000)


def text(rng, size):
    """Compressible text: a slice of the corpus (deflate's window is 32 KiB, so slices do not
    repeat each other in a way that helps it)."""
    parts, left = [], size
    while left > 0:
        n = min(left, 256_000)
        start = rng.randrange(0, len(CORPUS) - n)
        parts.append(CORPUS[start:start + n])
        left -= n
    return b"".join(parts)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def manifest(service):
    return (f"service: {service}\nprovider:\n  name: aws\n  runtime: nodejs22.x\n"
            "functions:\n  hello:\n    handler: handler.hello\n").encode()


def node_modules(root):
    rng = random.Random(1)
    names = [f"pkg-{i:03d}" for i in range(100)]
    deps = ",\n".join(f'    "{n}": "^1.0.0"' for n in names)
    write(f"{root}/package.json", f'{{\n  "name": "bench-a",\n  "dependencies": {{\n{deps}\n  }}\n}}\n'.encode())
    write(f"{root}/serverless.yml", manifest("bench-a"))
    write(f"{root}/handler.js", b"exports.hello = async () => ({ statusCode: 200, body: 'ok' });\n")
    for n in names:
        write(f"{root}/node_modules/{n}/package.json",
              f'{{"name": "{n}", "version": "1.0.0", "main": "index.js"}}\n'.encode())
        for j in range(50):
            write(f"{root}/node_modules/{n}/lib/file{j:02d}.js", text(rng, rng.randint(100, 300)))


def mixed(root):
    rng = random.Random(2)
    write(f"{root}/serverless.yml", manifest("bench-b"))
    write(f"{root}/handler.js", b"exports.hello = async () => ({ statusCode: 200 });\n")
    for i in range(2000):  # ~10 MB of small text
        write(f"{root}/src/mod{i % 40:02d}/file{i:04d}.js", text(rng, rng.randint(2000, 8000)))
    for i in range(100):  # ~20 MB medium, one in three random
        size = rng.randint(100_000, 300_000)
        data = rng.randbytes(size) if i % 3 == 0 else text(rng, size)
        write(f"{root}/assets/medium{i:03d}.{'bin' if i % 3 == 0 else 'txt'}", data)
    for i, mb in enumerate((2, 3, 4, 5, 6)):  # ~20 MB large, alternating random and text
        size = mb * 1_000_000
        data = rng.randbytes(size) if i % 2 == 0 else text(rng, size)
        write(f"{root}/data/large{i}.{'bin' if i % 2 == 0 else 'csv'}", data)


def main():
    work = sys.argv[1]
    node_modules(os.path.join(work, "svc-node"))
    mixed(os.path.join(work, "svc-mixed"))
    for tree in ("svc-node", "svc-mixed"):
        for dirpath, _, files in os.walk(os.path.join(work, tree)):
            for f in files:
                os.utime(os.path.join(dirpath, f), (FIXED_MTIME, FIXED_MTIME))


if __name__ == "__main__":
    main()
