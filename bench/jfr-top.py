#!/usr/bin/env python3
"""Top frames of a JFR recording's CPU samples (jdk.ExecutionSample).

Usage: jfr-top.py RECORDING.jfr [N] [THREAD_PREFIX]   (defaults 25, vert.x-eventloop)
Prints, over the samples of threads whose name starts with THREAD_PREFIX: the N methods most
often on top of the stack (self time), and the N methods most often anywhere in the stack
(total time), each with its share of the samples. Needs `jfr` (the JDK's) on the PATH.
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+([\w$.<>/]+)\(.*\)\s+line:")


def samples(path, prefix):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                         capture_output=True, text=True, check=True).stdout
    thread, frames, in_stack = None, [], False
    for line in out.splitlines():
        if line.startswith("jdk.ExecutionSample"):
            thread, frames, in_stack = None, [], False
        elif "sampledThread = " in line:
            thread = line.split('"')[1] if '"' in line else ""
        elif "stackTrace = [" in line:
            in_stack = True
        elif in_stack and line.strip() == "]":
            in_stack = False
            if thread is not None and thread.startswith(prefix) and frames:
                yield frames
        elif in_stack:
            m = FRAME.match(line)
            if m:
                frames.append(m.group(1))


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    prefix = sys.argv[3] if len(sys.argv) > 3 else "vert.x-eventloop"
    top, anywhere, total = collections.Counter(), collections.Counter(), 0
    for frames in samples(path, prefix):
        total += 1
        top[frames[0]] += 1
        for f in set(frames):
            anywhere[f] += 1
    print("%d samples on threads %s*" % (total, prefix))
    print("-- self (top of stack)")
    for f, c in top.most_common(n):
        print("%5.1f%%  %s" % (100.0 * c / max(total, 1), f))
    print("-- total (anywhere in the stack)")
    for f, c in anywhere.most_common(n):
        print("%5.1f%%  %s" % (100.0 * c / max(total, 1), f))


if __name__ == "__main__":
    main()
