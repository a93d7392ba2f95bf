#!/usr/bin/env python3
"""Where dmr-batch's CPU goes, per item: reads async-profiler's collapsed stacks of one run (cpu event, one sample
per millisecond of CPU, `threads` on) and sorts every sample into one part of the client's work.

  profile-summary.py PROFILE.collapsed ITEMS

Each sample counts once, in the first part that claims it, so the parts add up to the whole process.
"""
import collections
import re
import sys

# (part, thread pattern, frame pattern or None): the first line whose patterns match a sample claims it. The step's
# parts match any thread: with several runners the partitions' steps run on the lanes' threads, not on main.
PARTS = [
    ("request: prompt rendering (FreeMarker)", r"^model", r"prompt/Prompts"),
    ("request: building the SDK's params", r"^model", r"ChatService\.request"),
    ("request: SDK writes the JSON body", r"^model", r"toRequestBody"),
    ("request: SDK reads the JSON answer", r"^model", r"parseable\$1\.parse"),
    ("request: SDK prepares the request (reflection)", r"^model", r"PrepareRequest\.prepare"),
    ("request: HTTP exchange (OkHttp, sockets)", r"^model", r"RealCall\.execute"),
    ("request: the rest (retry, gate, reply, bookkeeping)", r"^model", None),
    ("step: storing conversations (SQL inserts)", r"", r"ConversationWriter"),
    ("step: commits", r"", r"ChunkOrientedStep.*processCommit"),
    ("step: Spring Batch's step state", r"", r"ChunkOrientedStep\.saveState"),
    ("step: the rest (reading from the pipeline, chunk)", r"", r"ChunkOrientedStep|PartitionStep"),
    ("exports", r"^main", r"export/"),
    ("start-up and shut-down (main thread)", r"^main", None),
    ("read-ahead: input and item bookkeeping", r"^read-ahead", None),
    ("JIT compilers", r"", r"^\[(C1 |C2 )|CompileBroker::"),
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
            if re.search(thread_pattern, thread) and (frame is None or re.search(frame, stack)):
                totals[name] += int(count)
                break
    whole = sum(totals.values())
    print("%-55s %9s %11s" % ("part of the client's work", "CPU ms", "us per item"))
    for name in dict.fromkeys(name for name, _, _ in PARTS):
        if totals[name]:
            print("%-55s %9d %11.0f" % (name, totals[name], totals[name] * 1000 / items))
    print("%-55s %9d %11.0f" % ("whole process", whole, whole * 1000 / items))
    print()
    print("busiest threads (CPU ms): " + ", ".join("%s %d" % t for t in threads.most_common(8)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
