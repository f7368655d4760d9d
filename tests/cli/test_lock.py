#!/usr/bin/env python3
"""Acceptance: one engine per database (issue 10): a second `watch` on the same
database is refused and names the process that syncs it; one-shot commands
keep working beside it; once the first stops, the database is free again."""

import os

from pbitest import FakeServer, Tool, make_photo, run_tests, wait_for


def test_second_watch_refused_status_still_works(workdir):
    server = FakeServer()
    try:
        captures = os.path.join(workdir, "captures")
        os.makedirs(captures)
        tool = Tool(workdir, server)
        first = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in open(first.logfile.name).read(), 10,
                 what="the first watch to start")

        second = tool.run("watch", captures, timeout=30)
        assert second.returncode == 4, (second.returncode, second.stdout, second.stderr)
        assert "photobooth-immich watch (process %d) already syncs" % first.pid in second.stderr, \
            second.stderr
        assert first.poll() is None, "the first watch must keep running"

        # one-shot commands work beside the running engine
        make_photo(os.path.join(captures, "IMG_0001.jpg"))
        wait_for(lambda: server.state()["assets"] == 1, 20, what="the first watch to upload")
        status = tool.run("status", check=True)
        assert "Database:" in status.stdout, status.stdout
        assert tool.run("config", "get", "immich_album_name", check=True).stdout.strip() == \
            "PhotoBooth"

        tool.finish(first)
        again = tool.spawn("watch", captures)
        wait_for(lambda: "Watching" in open(again.logfile.name).read(), 10,
                 what="a new watch once the first stopped")
        tool.finish(again)
    finally:
        server.stop()


if __name__ == "__main__":
    run_tests(globals())
