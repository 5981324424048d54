"""trafilatura's paragraph dedup on a JSON Lines stream, as a benchmark peer.

For each record, each blank-line paragraph goes through trafilatura.deduplication's two tools:
duplicate_test (an LRU cache of paragraph texts across the stream; a paragraph seen more than
max_repetitions times is a duplicate) and Simhash (a paragraph whose 64-bit simhash is at least
0.9 similar to an earlier kept paragraph of the same page is a near-duplicate). Writes the kept
text per record (like paradedup --jsonl) to stdout and the number of removed paragraphs last.
"""
import json
import sys

from lxml import etree
from trafilatura.deduplication import Simhash, duplicate_test
from trafilatura.settings import Extractor

options = Extractor(dedup=True)
removed = 0
out = sys.stdout
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    kept, hashes = [], []
    for paragraph in record["text"].split("\n\n"):
        if not paragraph.strip():
            continue
        element = etree.Element("p")
        element.text = paragraph
        simhash = Simhash(paragraph)
        if duplicate_test(element, options) or any(simhash.similarity(h) >= 0.9 for h in hashes):
            removed += 1
            continue
        hashes.append(simhash)
        kept.append(paragraph)
    record["text"] = "\n\n".join(kept)
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
print(removed)
