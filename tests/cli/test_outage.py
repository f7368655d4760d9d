#!/usr/bin/env python3
"""Acceptance: the server goes away for 60 s while captures go on (issue 4, item 3)."""

import os
import time

from pbitest import FakeServer, Tool, make_photo, run_tests, sha1_of, wait_for


def test_server_down_60s_every_photo_within_10s_of_return(workdir):
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        watch = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in open(watch.logfile.name).read(), 10, what="watch")
        sums = set()
        for i in range(3):
            sums.add(make_photo(os.path.join(captures, "before-%d.jpg" % i)))
        wait_for(lambda: server.state()["assets"] == 3, 20, what="first photos")

        server.faults(down_ms=60_000)
        down_at = time.monotonic()
        i = 0
        while time.monotonic() - down_at < 58:
            sums.add(make_photo(os.path.join(captures, "during-%d.jpg" % i)))
            i += 1
            time.sleep(2)
        back_at = down_at + 60
        wait_for(lambda: time.monotonic() >= back_at, 5, interval=0.05, what="return")
        wait_for(lambda: {a["checksum"] for a in server.state()["asset_list"]} == sums, 10,
                 interval=0.1, what="every photo within 10 s of the server's return")
        wait_for(lambda: len(server.album_assets("PhotoBooth")) == len(sums), 5,
                 what="album adds")
        out = tool.finish(watch)
        assert "ERROR immich connection lost" in out, out[-3000:]
        assert server.state()["assets"] == len(sums)
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
