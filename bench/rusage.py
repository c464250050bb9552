"""Runs commands for bench/bench.ts and measures each with wait4(2).

Reads one JSON request per line on stdin:
  {"argv": [...], "env": {...}, "copies": 1, "stdout": false}
starts `copies` processes of argv at once (stdin and stdout /dev/null unless
stdout is asked for, stderr to a file), waits for all of them and writes one
JSON line: wall time from the first start to the last exit (ms), user+sys CPU
summed over the copies (ms, microsecond resolution from getrusage of each
child), the largest peak RSS (KiB), every exit code, the first failing
copy's stderr (cut) and, when asked, the first copy's stdout.
"""

import json
import os
import sys
import tempfile
import time


def run(request):
    argv = request["argv"]
    env = request.get("env", {})
    copies = int(request.get("copies", 1))
    want_stdout = bool(request.get("stdout", False))
    files = []
    pids = []
    start = time.perf_counter()
    for _ in range(copies):
        err = tempfile.TemporaryFile()
        out = tempfile.TemporaryFile() if want_stdout else None
        files.append((err, out))
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1)
            if out
            else (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        pids.append(os.posix_spawn(argv[0], argv, env, file_actions=actions))
    codes = {}
    cpu = 0.0
    rss = 0
    while len(codes) < len(pids):
        pid, status, usage = os.wait4(-1, 0)
        if pid not in pids:
            continue
        codes[pid] = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        rss = max(rss, usage.ru_maxrss)
    wall = time.perf_counter() - start
    result = {
        "wallMs": wall * 1000,
        "cpuMs": cpu * 1000,
        "rssKiB": rss,
        "codes": [codes[pid] for pid in pids],
        "stderr": "",
        "stdout": "",
    }
    for pid, (err, out) in zip(pids, files):
        if codes[pid] != 0 and not result["stderr"]:
            err.seek(0)
            result["stderr"] = err.read(2000).decode("utf-8", "replace")
        if out and not result["stdout"]:
            out.seek(0)
            result["stdout"] = out.read(1 << 20).decode("utf-8", "replace")
        err.close()
        if out:
            out.close()
    return result


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(run(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
