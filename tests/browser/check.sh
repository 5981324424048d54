#!/usr/bin/env bash
# Browser test of the --html review page: headless Chromium renders the page of the seed
# sample; the DOM it built must show every removal the JSON report lists, every in-page link
# must land on an element, the page must make no network request, and a screenshot is saved
# to target/review.png to look at.
#
# Installs Debian's chromium when /usr/bin/chromium is missing and this runs as root (CI does);
# elsewhere it says how and skips. With README_SHOT=1 it also rewrites docs/review.png, the
# README's screenshot (needs pngquant to stay small).
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "browser check: installing chromium" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif [ "${CI:-}" = true ]; then
        echo "browser check: $chromium is missing and cannot be installed (not root)" >&2
        exit 1
    else
        echo "browser check skipped: install chromium (apt-get install chromium) to run it" >&2
        exit 0
    fi
fi

out=target/browser
rm -rf "$out"
mkdir -p "$out"
cargo build --quiet
bin=target/debug/paradedup
fail() {
    echo "browser check FAILED: $*" >&2
    exit 1
}

# Nothing can leave the machine: no host name resolves, and every request (IP addresses too)
# goes to a proxy on a closed local port. The browser's own background requests (sign-in,
# component updates: some cannot be switched off) die there too; what the check looks at is
# the requests the page itself made, which the net log tags with the page's file:// origin.
render() { # render URL NAME [flags...]: Chromium's DOM of URL to $out/NAME.dom
    local url=$1 name=$2
    shift 2
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --no-default-browser-check --hide-scrollbars \
        --user-data-dir="$(mktemp -d)" \
        --host-resolver-rules="MAP * ~NOTFOUND" \
        --proxy-server=http://127.0.0.1:9 --proxy-bypass-list="<-loopback>" \
        --log-net-log="$PWD/$out/$name.netlog" \
        "$@" "$url" >"$out/$name.dom" 2>"$out/$name.log" \
        || fail "chromium exited with $? on $url (see $out/$name.log)"
}
page_requests() { # the URLs a page requested, from a net log
    grep '"network_isolation_key":"file://' "$1" | grep -o '"url":"[^"]*"' || true
}

# 1. The detector works: a page with an external image is caught.
cat >"$out/canary.html" <<'EOF'
<!DOCTYPE html><title>canary</title><img src="http://canary.invalid/pixel.png">
EOF
render "file://$PWD/$out/canary.html" canary --dump-dom
page_requests "$out/canary.netlog" | grep -q canary.invalid \
    || fail "the net log did not show a request the canary page made: the check would see nothing"

# 2. The seed sample's page.
seed=samples/seed-article.txt
"$bin" --quiet --json --html "$out/seed.html" "$seed" >"$out/seed.json"
expected=$(grep -o '"removed_paragraphs":[0-9]*' "$out/seed.json" | cut -d: -f2)
[ "$expected" = 5 ] || fail "--json says $expected removals in $seed, expected 5"

# The file itself: no script, no external resource in any attribute or in the style.
html="$out/seed.html"
! grep -qi '<script' "$html" || fail "a <script> in $html"
! grep -Eqi '<[^>]*[[:space:]](src|srcset|poster|action|formaction|background)=' "$html" \
    || fail "a resource attribute in $html"
links_out=$(grep -Eo 'href="[^"]*"' "$html" | grep -v '^href="#' || true)
[ -z "$links_out" ] || fail "links out of $html: $links_out"
! grep -Eqi 'url\(|@import' "$html" || fail "CSS loads something in $html"

render "file://$PWD/$html" seed --dump-dom
dom="$out/seed.dom"
removed=$(grep -o '<div class="u rm [^"]*"' "$dom" | wc -l)
[ "$removed" = "$expected" ] || fail "$removed removed paragraphs in the DOM, --json says $expected"
exact=$(grep -o 'data-reason="exact"' "$dom" | wc -l)
[ "$exact" -ge "$expected" ] || fail "$exact exact removals in the DOM"
! grep -qi '<script' "$dom" || fail "a <script> element in the DOM"
grep -q 'Caliphate Renaissance' "$dom" || fail "the article text is not in the DOM"
for target in $(grep -o 'href="#[^"]*"' "$dom" | sed 's/^href="#//; s/"$//' | sort -u); do
    grep -q "id=\"$target\"" "$dom" || fail "link to #$target, which is not in the DOM"
done
requests=$(page_requests "$out/seed.netlog")
[ -z "$requests" ] || fail "the page made network requests: $requests"

# 3. A screenshot to look at.
render "file://$PWD/$html" shot --window-size=900,1300 --screenshot="$PWD/target/review.png"
size=$(wc -c <target/review.png)
[ "$size" -gt 20000 ] || fail "target/review.png is $size bytes: a blank page?"
requests=$(page_requests "$out/shot.netlog")
[ -z "$requests" ] || fail "the page made network requests while drawn: $requests"

# 4. The README's screenshot, on request: a sample with all three reasons, kept small.
if [ "${README_SHOT:-}" = 1 ]; then
    "$bin" --quiet --check --html "$out/readme.html" samples/near-duplicates.txt || true
    render "file://$PWD/$out/readme.html" readme \
        --window-size=760,1180 --screenshot="$PWD/$out/readme.png"
    pngquant --force --quality=60-85 --strip --output docs/review.png "$out/readme.png"
    echo "browser check: wrote docs/review.png ($(wc -c <docs/review.png) bytes)" >&2
fi

echo "browser check: ok ($removed removals in Chromium's DOM, no network request," \
    "screenshot in target/review.png)" >&2
