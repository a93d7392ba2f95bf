#!/usr/bin/env python3
"""The bare HTTP load generator dmr-batch is measured against: the same chat requests, the same concurrency,
no persistence. Reads the benchmark's CSV and sends one request per row.

  bare-load.py BASE_URL CSV MODEL MAX_TOKENS CONCURRENCY
Prints: requests, failures, wall seconds.
"""
import csv
import json
import sys
import threading
import time
import urllib.request

base, path, model, max_tokens, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
with open(path, newline="", encoding="utf-8") as f:
    prompts = ["Item %s: %s" % (row["id"], row["text"]) for row in csv.DictReader(f)]
lock = threading.Lock()
next_index = [0]
failures = [0]


def worker():
    while True:
        with lock:
            i = next_index[0]
            next_index[0] += 1
        if i >= len(prompts):
            return
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompts[i]}],
                           "max_tokens": max_tokens}).encode()
        request = urllib.request.Request(base + "/chat/completions", body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                json.loads(response.read())
        except Exception:
            with lock:
                failures[0] += 1


start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("%d %d %.2f" % (len(prompts), failures[0], time.monotonic() - start))
