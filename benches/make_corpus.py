#!/usr/bin/env python3
"""Builds a benchmark corpus by replicating ../shared/corpus/pages.jsonl.

Usage: make_corpus.py [--mb 200] [--out target/bench]

Writes OUT/pages.jsonl (JSON Lines, same records, ids suffixed), OUT/pages/NNNNNN.txt (the same
texts, one file per page) and OUT/pages.txt (all of them in one file, pages separated by a blank
line). Each copy tags every non-blank line with a word naming the copy (" qzab"; letters only,
so it is no number and keeps ASCII text ASCII): pages stay distinct across copies (an exact-line
dedup such as awk '!seen[$0]++' cannot fold copy 2 into copy 1) while repeats inside a page
stay repeats.

It also writes OUT/sites.jsonl, the same number of copies untagged, each copy of a page on a
site of its own (`site` and the `url`'s host suffixed with the copy): every site has the pages
and the boilerplate it has in the corpus, for timing `--across` where there is boilerplate to
find (in pages.jsonl no line is on half of a site's pages).
"""
import argparse
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--mb", type=int, default=200)
ap.add_argument("--out", default=os.path.join(here, "..", "target", "bench"))
ap.add_argument("--src", default=os.path.join(here, "..", "..", "shared", "corpus", "pages.jsonl"))
args = ap.parse_args()

pages = [json.loads(line) for line in open(args.src, encoding="utf-8")]
os.makedirs(args.out, exist_ok=True)
target = args.mb * 1_000_000
written = 0
copy = 0
with open(os.path.join(args.out, "pages.jsonl"), "w", encoding="utf-8") as jl, open(
    os.path.join(args.out, "pages.txt"), "w", encoding="utf-8"
) as tx:
    os.makedirs(os.path.join(args.out, "pages"), exist_ok=True)
    while written < target:
        tag = " qz" + "".join(chr(97 + (copy // 26**k) % 26) for k in range(2))
        for page in pages:
            text = "\n".join(l + tag if l.strip() else l for l in page["text"].split("\n"))
            record = dict(page, id=f"{page['id']}-{copy}", text=text)
            line = json.dumps(record, ensure_ascii=False) + "\n"
            jl.write(line)
            tx.write(text + "\n\n")
            name = os.path.join(args.out, "pages", f"{copy * len(pages) + pages.index(page):06}.txt")
            with open(name, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            written += len(line.encode("utf-8"))
        copy += 1
with open(os.path.join(args.out, "sites.jsonl"), "w", encoding="utf-8") as sl:
    for c in range(copy):
        for page in pages:
            url = page.get("url", "").replace("://", f"://c{c}.", 1)
            record = dict(page, id=f"{page['id']}-{c}", site=f"{page.get('site', '')}.c{c}", url=url)
            sl.write(json.dumps(record, ensure_ascii=False) + "\n")
print(f"{copy} copies of {len(pages)} pages, {written / 1e6:.0f} MB in {args.out}")
