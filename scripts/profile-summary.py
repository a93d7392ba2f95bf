#!/usr/bin/env python3
"""Where dmr-batch's CPU goes, per item: reads async-profiler's collapsed stacks of one run (cpu event, one sample
per millisecond of CPU, `threads` on) and sorts every sample into one part of the client's work.

  profile-summary.py PROFILE.collapsed ITEMS

Each sample counts once, in the first part that claims it, so the parts add up to the whole process.
"""
import collections
import re
import sys

# (part, thread pattern, frame substring or None): the first matching line wins
PARTS = [
    ("request: prompt rendering (FreeMarker)", r"^model", "prompt/Prompts"),
    ("request: building the SDK's params", r"^model", "ChatService.request"),
    ("request: SDK writes the JSON body", r"^model", "toRequestBody"),
    ("request: SDK reads the JSON answer", r"^model", "parseable$1.parse"),
    ("request: SDK prepares the request (reflection)", r"^model", "PrepareRequest.prepare"),
    ("request: HTTP exchange (OkHttp, sockets)", r"^model", "RealCall.execute"),
    ("request: the rest (retry, gate, reply, bookkeeping)", r"^model", None),
    ("step: storing conversations (SQL inserts)", r"^main", "ConversationWriter"),
    ("step: commits", r"^main", "processCommit"),
    ("step: Spring Batch's step state", r"^main", "ChunkOrientedStep.saveState"),
    ("step: the rest (reading from the pipeline, chunk)", r"^main", "ChunkOrientedStep"),
    ("step: the rest (reading from the pipeline, chunk)", r"^main", "PartitionStep"),
    ("exports", r"^main", "export/"),
    ("start-up and shut-down (main thread)", r"^main", None),
    ("read-ahead: input and item bookkeeping", r"^read-ahead", None),
    ("JIT compilers", r"^(C1 |C2 )", None),
    ("JIT compilers", r"", "CompileBroker::"),
    ("garbage collection", r"^(GC |G1 |VM Thread)", None),
    ("HTTP client's own threads (OkHttp, Okio)", r"^(OkHttp|Okio)", None),
    ("database pool (Hikari)", r"^Hikari", None),
    ("everything else", r"", None),
]


def main(path, items):
    totals = collections.Counter()
    threads = collections.Counter()
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        thread = re.sub(r" tid=\d+\]$", "", frames[0].strip("[")).strip("]")
        thread = re.sub(r"[-#]?\d+$", "", thread)
        threads[thread] += int(count)
        for name, thread_pattern, frame in PARTS:
            if re.search(thread_pattern, thread) and (frame is None or any(frame in f for f in frames)):
                totals[name] += int(count)
                break
    whole = sum(totals.values())
    print("%-55s %9s %11s" % ("part of the client's work", "CPU ms", "us per item"))
    order = []
    for name, _, _ in PARTS:
        if name not in order:
            order.append(name)
    for name in order:
        if totals[name]:
            print("%-55s %9d %11.0f" % (name, totals[name], totals[name] * 1000 / items))
    print("%-55s %9d %11.0f" % ("whole process", whole, whole * 1000 / items))
    print()
    print("busiest threads (CPU ms): " + ", ".join("%s %d" % t for t in threads.most_common(8)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
