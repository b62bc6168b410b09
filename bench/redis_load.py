#!/usr/bin/env python3
"""The fragmentation workload against a real redis-server (bench/run-redis.sh).

  redis_load.py PORT PID [--fill set|populate] [--batch 100] [--key-len 128] [--seconds 10]

Fills 700,000 keys with 240-byte values, then 170,000 with 492-byte values, then waits,
sampling the server's RSS (/proc/PID/status), then checks every key ever written: evicted
(nil) or holding exactly the value written. Two ways to fill:
  set       SET commands pipelined in batches; keys `key:I:` padded with `k` to --key-len.
            Eviction keeps used_memory at maxmemory throughout.
  populate  one `DEBUG POPULATE N PREFIX SIZE` per wave (the server needs
            `enable-debug-command`): a single command, so nothing is evicted until it has
            finished and the heap goes far past maxmemory (as after an RDB load or a large
            pipeline); eviction catches up at the next commands. Redis (debug.c) forms key I
            as `PREFIX:I` in a 128-byte buffer (so at most 127 characters) and its value as
            `value:I` followed by zero bytes up to SIZE (sdsnewlen zero-fills). The prefix is
            padded so that the longest keys have 127 characters: their dictionary copies (sds,
            129-131 bytes for I >= 1000) fall in the same size class as the SET fill's
            128-character keys (132 bytes).
Prints one `result:` line of key=value pairs (RSS after the fill, at the end of the wait and
its peak; Redis's used_memory and mem_fragmentation_ratio at the end of the wait; the keys;
DBSIZE after the check, which cannot exceed the keys found unless stray keys exist). Plain
sockets and RESP: no client library needed.
"""
import argparse
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("pid", type=int)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--key-len", type=int, default=128)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--n1", type=int, default=700000)
    ap.add_argument("--n2", type=int, default=170000)
    ap.add_argument("--fill", choices=("set", "populate"), default="set")
    a = ap.parse_args()
    if a.n1 < 1 or a.n2 < 0 or max(a.n1, a.n2) > 10**6:
        raise SystemExit("redis_load: --n1 must be in [1, 1000000], --n2 in [0, 1000000] "
                         "(DEBUG POPULATE's keys are at most 127 characters)")
    sock = socket.create_connection(("127.0.0.1", a.port))
    pending = bytearray()

    def recv_more():
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise SystemExit("redis_load: server closed the connection")
        pending.extend(chunk)

    def reply():
        """One RESP reply: bytes for a bulk string, None for nil, str for status/int."""
        while b"\r\n" not in pending:
            recv_more()
        end = pending.index(b"\r\n")
        line = bytes(pending[:end])
        del pending[:end + 2]
        if line[:1] == b"-":
            raise SystemExit(f"redis_load: error reply {line!r}")
        if line[:1] != b"$":
            return line.decode()
        n = int(line[1:])
        if n < 0:
            return None
        while len(pending) < n + 2:
            recv_more()
        data = bytes(pending[:n])
        del pending[:n + 2]
        return data

    def cmd(*args):
        out = b"*%d\r\n" % len(args)
        for x in args:
            out += b"$%d\r\n%s\r\n" % (len(x), x)
        return out

    # populate: PREFIX:I with I < 10^digits; the longest keys are 127 characters
    digits = len(str(max(a.n1, a.n2) - 1))
    prefixes = [(b"w%d:" % w).ljust(127 - 1 - digits, b"k") for w in (1, 2)]

    def key(i):
        if a.fill == "populate":
            w = 0 if i < a.n1 else 1
            return b"%s:%d" % (prefixes[w], i - (0 if w == 0 else a.n1))
        return (b"key:%d:" % i).ljust(a.key_len, b"k")

    def value(i, size):
        if a.fill == "populate":
            return (b"value:%d" % (i if i < a.n1 else i - a.n1)).ljust(size, b"\0")
        return ((b"%d-" % i) * (size // 2 + 1))[:size]

    def rss_mib():
        with open(f"/proc/{a.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def memory_info():
        sock.sendall(cmd(b"INFO", b"memory"))
        text = reply().decode()
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)

    def pipeline(cmds):
        for start in range(0, len(cmds), a.batch):
            part = cmds[start:start + a.batch]
            sock.sendall(b"".join(part))
            yield [reply() for _ in part]

    sizes = [(i, 240) for i in range(a.n1)] + [(a.n1 + i, 492) for i in range(a.n2)]
    t0 = time.time()
    peak = 0.0
    if a.fill == "populate":
        for w, (n, size) in enumerate(((a.n1, 240), (a.n2, 492))):
            if n == 0:
                continue
            sock.sendall(cmd(b"DEBUG", b"POPULATE", b"%d" % n, prefixes[w], b"%d" % size))
            r = reply()
            if r != "+OK":
                raise SystemExit(f"redis_load: DEBUG POPULATE replied {r!r}")
    else:
        for _ in pipeline([cmd(b"SET", key(i), value(i, s)) for i, s in sizes]):
            pass
    fill_s = time.time() - t0
    rss_fill = rss_mib()
    peak = max(peak, rss_fill)
    end = time.time() + a.seconds
    while time.time() < end:
        time.sleep(0.1)
        peak = max(peak, rss_mib())
    rss_end = rss_mib()
    info = memory_info()
    used = int(info["used_memory"]) / 2**20
    # Redis's own ratio: used_memory_rss (sampled by serverCron) / used_memory
    frag = float(info.get("mem_fragmentation_ratio", "0"))
    held = bad = 0
    gets = [cmd(b"GET", key(i)) for i, _ in sizes]
    k = 0
    for replies in pipeline(gets):
        for r in replies:
            i, s = sizes[k]
            k += 1
            if r is None:
                continue
            held += 1
            bad += r != value(i, s)
    sock.sendall(cmd(b"DBSIZE"))
    dbsize = int(reply()[1:])
    print(f"result: rss_fill_mib={rss_fill:.1f} rss_end_mib={rss_end:.1f} peak_mib={peak:.1f} "
          f"used_mib={used:.1f} mem_fragmentation_ratio={frag:.2f} fill_s={fill_s:.1f} "
          f"keys_held={held} keys_bad={bad} "
          f"keys_set={len(sizes)} dbsize={dbsize} fill={a.fill}", flush=True)
    if dbsize > held:
        print(f"redis_load: DBSIZE {dbsize} > {held} keys found: keys not written by this "
              f"client exist", flush=True)
    raise SystemExit(1 if bad or dbsize > held else 0)


if __name__ == "__main__":
    main()
