"""Remove site boilerplate from JSON Lines pages with paradedup, scaled out on Spark.

    python dedup_job.py --paradedup /abs/path/to/paradedup INPUT.jsonl OUTPUT.jsonl

1. Every partition of pages is piped through `paradedup learn --jsonl --pairs`, which prints
   `SITE<TAB>FINGERPRINT<TAB>PAGE` for each distinct paragraph of each page and
   `SITE<TAB>*<TAB>PAGE` per page, PAGE being the page's key (its site and paragraphs).
2. Spark drops repeated lines (a page in the input twice, in any partitions, is one page) and
   counts the rest by key without the page: pages per site, pages per (site, paragraph).
3. The counts are written as a paradedup state file (format: see `paradedup::boilerplate`) and
   shipped to every executor with `SparkContext.addFile`.
4. Every partition is piped through `paradedup --jsonl --boilerplate STATE`, which cleans
   in-page repeats and site boilerplate, record by record, in order.

The output is the same, record for record, as `paradedup --jsonl --across INPUT.jsonl` on one
machine. Extra paradedup flags (--min-pages, --threshold, …) go after `--`: they are passed to
both passes where they apply.
"""
import argparse
import os
import shlex
import tempfile
import time

from pyspark import SparkFiles
from pyspark.sql import SparkSession

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--paradedup", required=True, help="absolute path of the paradedup binary")
parser.add_argument("--master", default="local[2]")
parser.add_argument("--partitions", type=int, default=4)
parser.add_argument("input")
parser.add_argument("output")
parser.add_argument("extra", nargs="*", help="more paradedup flags for the cleaning pass")
args = parser.parse_args()

# Listen on loopback only.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
spark = (
    SparkSession.builder.master(args.master)
    .appName("paradedup")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.ui.enabled", "false")
    .getOrCreate()
)
sc = spark.sparkContext
sc.setLogLevel("WARN")
started = time.time()

# RDD.pipe runs commands with an empty environment and ignores their exit status unless told.
binary = os.path.abspath(args.paradedup)
env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
pages = sc.textFile(args.input, minPartitions=args.partitions)

# 1 and 2: count (site, fingerprint) and (site, *) lines, each page once.
pairs = pages.pipe(f"{shlex.quote(binary)} learn --jsonl --pairs", env=env, checkCode=True)
counts = (
    pairs.distinct()
    .map(lambda line: (line.rsplit("\t", 1)[0], 1))
    .reduceByKey(lambda a, b: a + b)
    .collect()
)

# 3: the state file, in paradedup's deterministic format.
sites = {}
for line, n in counts:
    site, fingerprint = line.rsplit("\t", 1)
    entry = sites.setdefault(site, [0, {}])
    if fingerprint == "*":
        entry[0] += n
    else:
        entry[1][fingerprint] = n
state_dir = tempfile.mkdtemp(prefix="paradedup-spark-")
state_path = os.path.join(state_dir, "boilerplate.state")
with open(state_path, "w", encoding="utf-8") as f:
    f.write("paradedup-state 3\n")
    for site in sorted(sites, key=lambda s: s.encode("utf-8")):
        page_count, fingerprints = sites[site]
        f.write(f"site\t{site}\t{page_count}\t{len(fingerprints)}\n")
        for fingerprint in sorted(fingerprints):
            f.write(f"{fingerprint}\t{fingerprints[fingerprint]}\n")
    # The file is whole: paradedup refuses a state without this line as cut short.
    f.write("end\n")
sc.addFile(state_path)

# 4: clean every partition with the state. In local mode the executors share the driver's
# SparkFiles directory; on a cluster, ship paradedup to the same path on every node.
extra = " ".join(shlex.quote(a) for a in args.extra)
clean_cmd = f"{shlex.quote(binary)} --jsonl --quiet --boilerplate {shlex.quote(SparkFiles.get('boilerplate.state'))} {extra}"
cleaned = pages.pipe(clean_cmd, env=env, checkCode=True)
with open(args.output, "w", encoding="utf-8") as out:
    for record in cleaned.toLocalIterator():
        out.write(record + "\n")

print(f"paradedup on spark: {len(sites)} sites, {pages.count()} pages, {time.time() - started:.1f} s")
spark.stop()
