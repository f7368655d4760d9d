# report.py: latest.json, latest.md, the plots, and the table in the docs.
#
# Copyright 2026 The PhotoBooth Immich Sync authors
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import platform
import re
import subprocess
import time

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(results):
    rows = ["| ID | Benchmark | Ours | Peer | Ratio | Target | Met | Fake CPU ours / peer |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        unit = r.get("unit", "")
        ours = f"{fmt(r['value'])} {unit}".strip()
        peer = f"{fmt(r['peer'])} {unit}".strip() if r.get("peer") is not None else "—"
        ratio = f"{fmt(r['ratio'])}×" if r.get("ratio") is not None else "—"
        met = {True: "✅ yes", False: "❌ NO", None: "—"}[r.get("met")]
        cpu = r.get("fake_cpu_pct")
        pcpu = r.get("peer_fake_cpu_pct")
        cpus = ("—" if cpu is None else f"{cpu:.0f} %") + \
            ("" if pcpu is None else f" / {pcpu:.0f} %")
        rows.append(f"| {r['id']} | {r['name']} | {ours} | {peer} | {ratio} | "
                    f"{r.get('target', '')} | {met} | {cpus} |")
    return "\n".join(rows)


def _git_rev():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=os.path.dirname(os.path.abspath(__file__))
                              ).stdout.strip()
    except OSError:
        return ""


def plots(bench, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ["matplotlib is missing: no plots"]
    made = []
    b1 = bench.series.get("b1")
    if b1:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for label in ("ours", "peer default", "peer --concurrency 4"):
            s = b1.get(label) or []
            if len(s) < 2:
                continue
            ts, rates = [], []
            # MB/s over a sliding window (1 s, shorter for short runs)
            window = max(0.2, min(1.0, s[-1][0] / 10))
            j = 0
            for i in range(1, len(s)):
                while s[i][0] - s[j][0] > window:
                    j += 1
                if i == j:
                    continue
                ts.append(s[i][0])
                rates.append((s[i][1] - s[j][1]) / (s[i][0] - s[j][0]) / 1e6)
            name = {"ours": "photobooth-immich sync",
                    "peer default": "immich-cli upload (default)",
                    "peer --concurrency 4": "immich-cli upload --concurrency 4"}[label]
            wall = b1.get("walls", {}).get(label, s[-1][0])
            ax.plot(ts, rates, label=f"{name}: {wall:.1f} s")
        ax.set_xlabel("seconds since start")
        ax.set_ylabel("MB/s over loopback (sliding window)")
        ax.set_title(f"B1 throughput: first sync of {b1['bytes'] / 1e6:.0f} MB of photos")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = os.path.join(outdir, "throughput.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        made.append(path)
    b5 = bench.series.get("b5")
    if b5 and (b5.get("ours") or b5.get("peer")):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for label, name in (("ours", "photobooth-immich watch"),
                            ("peer", "immich-cli upload --watch")):
            v = sorted(b5.get(label) or [])
            if not v:
                continue
            ys = [(i + 1) / len(v) for i in range(len(v))]
            ax.step(v, ys, where="post", label=f"{name} (n={len(v)})")
            ax.plot(v, ys, "o", ms=3, color=ax.lines[-1].get_color())
        for x, lab in ((150, "p50 target"), (400, "p95 target")):
            ax.axvline(x, ls="--", lw=0.8, color="grey")
            ax.text(x, 0.02, lab, rotation=90, va="bottom", ha="right", fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("ms from file closed to asset in the album (log scale)")
        ax.set_ylabel("fraction of captures")
        ax.set_title("B5 capture latency, cumulative distribution")
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="center")
        fig.tight_layout()
        path = os.path.join(outdir, "latency.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        made.append(path)
    for key, fname, title in (
            ("b11", "frames.png", "B11: the app's frames during a bulk sync of {files} photos, "
                                  "grid shown"),
            ("b12", "scroll.png", "B12: the app's frames scrolling the grid")):
        ser = bench.series.get(key)
        if not ser or not ser.get("frames"):
            continue
        fig, ax = plt.subplots(figsize=(10, 4.8))
        fr = ser["frames"]
        drawn = [(t, ms) for t, ms, d in fr if d]
        idle = [(t, ms) for t, ms, d in fr if not d]
        st = ser.get("stalls") or []
        big = [(t, g) for t, g in st if g >= 10]
        if big:
            ax.plot([t for t, _ in big], [g for _, g in big], "x", ms=3, color="#d62728",
                    alpha=0.45, label=f"main-loop stalls ≥ 10 ms, 5 ms probe ({len(big)})")
        if idle:
            ax.plot([t for t, _ in idle], [ms for _, ms in idle], ".", ms=2, color="#999999",
                    label=f"frames with nothing to draw ({len(idle)})")
        if drawn:
            ax.plot([t for t, _ in drawn], [ms for _, ms in drawn], ".", ms=3, color="#1f77b4",
                    label=f"frames drawn ({len(drawn)}): flush-events to after-paint")
        for y, lab, c in ((17, "17 ms: p99 frame target", "#1f77b4"),
                          (33, "33 ms: stall target", "#d62728")):
            ax.axhline(y, ls="--", lw=0.9, color=c)
            ax.annotate(lab, (1.0, y), xycoords=("axes fraction", "data"), ha="right",
                        va="bottom", fontsize=8, color=c)
        if key == "b11":
            ax.axvline(0, lw=0.8, color="green")
            ax.axvline(ser["t1"] - ser["t0"], lw=0.8, color="green")
            ax.set_xlabel("seconds since the sync started (green: start, last photo in the album)")
        else:
            ax.set_xlabel("seconds since the first page step")
        ax.set_yscale("log")
        ax.set_ylabel("ms (log scale)")
        ax.set_title(title.format(files=ser.get("files", "")), pad=28)
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, fontsize=8, frameon=False)
        fig.tight_layout()
        path = os.path.join(outdir, fname)
        fig.savefig(path, dpi=100)
        plt.close(fig)
        made.append(path)
    return made


def write(bench, outdir, docs=None):
    os.makedirs(outdir, exist_ok=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    meta = {"when": when, "mode": bench.mode, "commit": _git_rev(),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
                       f"Linux {platform.release()}",
            "elapsed_s": round(getattr(bench, "elapsed", 0), 1), "sizes": bench.sz,
            "busy_cpu_pct_before": round(getattr(bench, "busy_before", 0), 1),
            "busy_cpu_pct_after": round(getattr(bench, "busy_after", 0), 1),
            "notes": bench.notes}
    with open(os.path.join(outdir, "latest.json"), "w") as f:
        json.dump({"meta": meta, "results": bench.results,
                   "series": {"b5": bench.series.get("b5"),
                              "b5_uploaded": bench.series.get("b5_uploaded"),
                              "b11": bench.series.get("b11"),
                              "b15": bench.series.get("b15")}}, f, indent=2, default=str)
    made = plots(bench, outdir)
    t = table(bench.results)
    met = sum(1 for r in bench.results if r.get("met"))
    scored = sum(1 for r in bench.results if r.get("met") is not None)
    head = (f"Benchmarks ({bench.mode} run, {when}, commit {meta['commit']}, {meta['machine']}, "
            f"{meta['elapsed_s']:.0f} s): {met} of {scored} targets met.")
    md = head + "\n\n" + t + "\n"
    if bench.notes:
        md += "\nNotes:\n" + "".join(f"- {n}\n" for n in bench.notes)
    with open(os.path.join(outdir, "latest.md"), "w") as f:
        f.write(md)
    print()
    print(md)
    for p in made:
        print(f"plot: {p}")
    if docs:
        text = open(docs).read()
        if BEGIN in text and END in text:
            new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END),
                         lambda m: BEGIN + "\n" + md + END, text, flags=re.S)
            with open(docs, "w") as f:
                f.write(new)
            print(f"updated {docs}")
